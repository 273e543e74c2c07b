// The explore view: metric names with a search box, the chosen metric's series, tag keys and
// values (from /v1/names, /v1/series, /v1/tags/{key}/values), the chart's controls and live.
import { get } from './api.js';
import { Chart } from './chart.js';
import { Live } from './live.js';
import { write } from './state.js';

/** /v1/names answers at most this many; past it the search asks the server by prefix. */
const NAMES_LIMIT = 10000;
const $ = id => document.getElementById(id);

export class Explore {
  constructor(state) {
    this.state = state;
    this.names = null;
    this.namesAt = 0;
    this.searching = Promise.resolve();
    this.chart = new Chart($('chart'), $('chart-info'), $('series-table'));
    this.live = new Live(samples => this.chart.append(samples), text => this.notice(text));
    this.wire();
  }

  wire() {
    const search = $('search');
    let timer = 0;
    search.value = this.state.q;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.search(), 150);
    });
    search.addEventListener('keydown', async e => {
      if (e.key !== 'ArrowDown' && e.key !== 'Enter') {
        return;
      }
      e.preventDefault();
      // Typed faster than the list follows: bring it up to date first.
      if (this.state.q !== search.value.trim()) {
        clearTimeout(timer);
        await this.search();
      } else {
        await this.searching;
      }
      const first = $('names').querySelector('button');
      if (first) {
        e.key === 'Enter' ? first.click() : first.focus();
      }
    });
    $('names').addEventListener('keydown', e => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') {
        return;
      }
      const buttons = [...$('names').querySelectorAll('button')];
      const i = buttons.indexOf(document.activeElement);
      e.preventDefault();
      if (e.key === 'ArrowUp' && i <= 0) {
        search.focus();
      } else {
        buttons[Math.min(buttons.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1))].focus();
      }
    });
    for (const id of ['range', 'from', 'to', 'step', 'agg', 'source']) {
      $(id).addEventListener('change', () => this.controlsChanged());
    }
    $('live').addEventListener('change', () => {
      this.state.live = $('live').checked;
      write(this.state);
      this.followLive();
    });
    $('controls').addEventListener('submit', e => {
      e.preventDefault();
      this.draw();
    });
  }

  /** Called when the view is shown (and at start when it is the view in the URL). */
  async show() {
    await this.search();
    if (this.state.metric) {
      await this.select(this.state.metric, false);
    }
  }

  async loadNames(q) {
    const fresh = Date.now() - this.namesAt < 5000;
    if (!fresh || this.names === null) {
      const answer = await get('/v1/names?limit=' + NAMES_LIMIT);
      this.names = answer.names;
      this.namesAt = Date.now();
    }
    if (this.names.length < NAMES_LIMIT) {
      const needle = q.toLowerCase();
      return this.names.filter(n => n.toLowerCase().includes(needle));
    }
    return (await get('/v1/names?limit=1000&prefix=' + encodeURIComponent(q))).names;
  }

  search() {
    this.searching = this.listNames();
    return this.searching;
  }

  /** Lists the names that match the search box. */
  async listNames() {
    const q = $('search').value.trim();
    this.state.q = q;
    write(this.state);
    let names;
    try {
      names = await this.loadNames(q);
    } catch (e) {
      $('names-info').textContent = 'Could not list metrics: ' + e.message;
      return;
    }
    if (q !== $('search').value.trim()) {
      return; // typed on meanwhile
    }
    const shown = names.slice(0, 500);
    $('names').replaceChildren(...shown.map(n => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = n;
      b.dataset.metric = n;
      if (n === this.state.metric) {
        b.setAttribute('aria-current', 'true');
      }
      b.addEventListener('click', () => this.select(n, true));
      li.append(b);
      return li;
    }));
    $('names-info').textContent = names.length === 0 ? (q ? 'No metric matches.' : 'No metrics yet: write some samples.')
      : names.length > shown.length ? `${shown.length} of ${names.length} shown` : `${names.length} metric(s)`;
  }

  /** Chooses a metric: its series and tags, then the chart. */
  async select(metric, fromUser) {
    if (fromUser && metric !== this.state.metric) {
      this.state.tags = {};
    }
    this.state.metric = metric;
    write(this.state, fromUser);
    for (const b of $('names').querySelectorAll('button')) {
      if (b.dataset.metric === metric) {
        b.setAttribute('aria-current', 'true');
      } else {
        b.removeAttribute('aria-current');
      }
    }
    $('metric-title').textContent = metric;
    $('controls').hidden = false;
    this.applyControls();
    await this.loadSeries(metric);
    await this.draw();
  }

  async loadSeries(metric) {
    const info = $('series-info');
    let series;
    try {
      series = (await get('/v1/series?limit=10000&metric=' + encodeURIComponent(metric))).series;
    } catch (e) {
      info.textContent = 'Could not list series: ' + e.message;
      return;
    }
    const keys = new Map();
    for (const s of series) {
      for (const k of Object.keys(s.tags)) {
        keys.set(k, (keys.get(k) || 0) + 1);
      }
    }
    const fieldset = $('filters');
    const legend = fieldset.querySelector('legend');
    const names = [...keys.keys()].sort();
    // Each key's values asked at once; should one fail, the values seen in the series list do.
    const valueLists = await Promise.all(names.map(k =>
      get(`/v1/tags/${encodeURIComponent(k)}/values?limit=1000&metric=${encodeURIComponent(metric)}`)
        .then(answer => answer.values)
        .catch(() => [...new Set(series.map(s => s.tags[k]).filter(v => v !== undefined))].sort())));
    const selects = names.map((k, i) => {
      const values = valueLists[i];
      const label = document.createElement('label');
      label.textContent = k + ' ';
      const sel = document.createElement('select');
      sel.dataset.tag = k;
      sel.append(new Option(`any (${values.length})`, ''));
      for (const v of values) {
        sel.append(new Option(v, v));
      }
      sel.value = this.state.tags[k] || '';
      sel.addEventListener('change', () => {
        if (sel.value) {
          this.state.tags[k] = sel.value;
        } else {
          delete this.state.tags[k];
        }
        write(this.state);
        this.draw();
      });
      label.append(sel);
      return label;
    });
    fieldset.replaceChildren(legend, ...selects);
    fieldset.hidden = selects.length === 0;
    const tagText = [...keys.entries()].sort().map(([k, n]) => `${k} (in ${n})`).join(', ');
    info.textContent = `${series.length}${series.length >= 10000 ? '+' : ''} series` + (tagText ? ' · tag keys: ' + tagText : '');
  }

  /** Sets the controls from the state (at start, or when the URL changed under us). */
  applyControls() {
    const s = this.state;
    $('range').value = s.range;
    $('from').value = s.from;
    $('to').value = s.to;
    $('step').value = s.step;
    $('agg').value = s.agg;
    $('source').value = s.source;
    $('live').checked = s.live;
    this.customShown();
  }

  controlsChanged() {
    const s = this.state;
    s.range = $('range').value;
    s.from = $('from').value;
    s.to = $('to').value;
    s.step = $('step').value;
    s.agg = $('agg').value;
    s.source = $('source').value;
    write(s);
    this.customShown();
    if (s.range !== 'custom' || (s.from && s.to)) {
      this.draw();
    }
  }

  customShown() {
    const custom = this.state.range === 'custom';
    for (const el of document.querySelectorAll('.custom')) {
      el.hidden = !custom;
    }
    // Live adds samples at the present: a range fixed in the past has no use for it.
    $('live').disabled = custom;
    $('live').title = custom ? 'Live needs a range that ends now' : '';
  }

  async draw() {
    if (!this.state.metric) {
      return;
    }
    await this.chart.load(this.state);
    this.followLive();
    const info = $('chart-info');
    info.dataset.draws = String(Number(info.dataset.draws || 0) + 1); // how many draws are done, for whoever waits on one
  }

  followLive() {
    const on = this.state.live && this.state.range !== 'custom' && this.state.metric;
    if (on) {
      this.live.start(this.state.metric, this.state.tags);
    } else {
      this.live.stop();
      this.notice('');
    }
  }

  notice(text) {
    const el = $('live-info');
    el.textContent = text;
    el.hidden = !text;
  }

  hide() {
    this.live.stop();
  }
}
