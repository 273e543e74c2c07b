// One metric's series drawn with uPlot (a WebJar served by Sluice). Without a step, the query
// asks for as many points as the chart is wide (`points`, LTTB on the server); live samples are
// appended to their series and the window slides for relative ranges.
import { get } from './api.js';

const COLORS = ['#1f6fd1', '#d1461f', '#2a9d55', '#8e44ad', '#c28a00', '#0f8b8d', '#c2185b', '#5d6d7e', '#7cb342', '#6d4c41'];
/** More series than this are not drawn (the answer may have up to 1,000): filter by tags instead. */
const MAX_SERIES = 24;
/** Live points kept per series at most, oldest dropped first. */
const MAX_LIVE_POINTS = 20000;
const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3 };

export class Chart {
  constructor(el, info, table) {
    this.el = el;
    this.info = info;
    this.table = table;
    this.plot = null;
    this.series = new Map(); // key -> {tags, xs, ys, color}
    this.meta = null;
    this.seq = 0;
    this.live = 0;
    this.pending = false;
    this.windowMs = 0;
    new ResizeObserver(() => this.resize()).observe(el);
  }

  width() {
    return Math.max(240, Math.floor(this.el.clientWidth));
  }

  height() {
    return window.matchMedia('(max-width: 700px)').matches ? 240 : 320;
  }

  /** Queries the metric as the state says and draws it. */
  async load(s) {
    const seq = ++this.seq;
    const p = new URLSearchParams();
    p.set('metric', s.metric);
    for (const [k, v] of Object.entries(s.tags)) {
      p.set(k, v);
    }
    if (s.range === 'custom') {
      if (s.from) p.set('start', new Date(s.from).toISOString());
      if (s.to) p.set('end', new Date(s.to).toISOString());
    } else {
      p.set('start', s.range);
    }
    if (s.step) {
      p.set('step', s.step);
      p.set('agg', s.agg);
    } else {
      p.set('points', String(this.width()));
    }
    if (s.source) {
      p.set('source', s.source);
    }
    this.info.textContent = 'Loading…';
    let answer;
    try {
      answer = await get('/v1/query?' + p);
    } catch (e) {
      if (seq === this.seq) {
        this.clear();
        this.info.textContent = 'Query failed: ' + e.message;
      }
      return;
    }
    if (seq !== this.seq) {
      return; // a newer load started meanwhile
    }
    this.windowMs = s.range === 'custom' ? 0 : RANGES[s.range] || 0;
    this.meta = { source: answer.source, total: answer.series.length, step: answer.step_ms, agg: answer.aggregation, points: p.get('points') };
    this.series = new Map();
    this.live = 0;
    for (const one of answer.series.slice(0, MAX_SERIES)) {
      this.series.set(key(one.tags), {
        tags: one.tags,
        xs: one.points.map(pt => pt[0]),
        ys: one.points.map(pt => pt[1]),
        color: COLORS[this.series.size % COLORS.length],
      });
    }
    this.draw(true);
  }

  /** Adds live samples (any order) to their series; a series not seen yet joins the chart. */
  append(samples) {
    let rebuild = false;
    for (const sm of samples) {
      const k = key(sm.tags);
      let one = this.series.get(k);
      if (!one) {
        if (this.series.size >= MAX_SERIES) {
          continue;
        }
        one = { tags: sm.tags, xs: [], ys: [], color: COLORS[this.series.size % COLORS.length] };
        this.series.set(k, one);
        rebuild = true;
      }
      insert(one, sm.time, sm.value);
      this.live++;
    }
    if (this.windowMs > 0) {
      const oldest = Date.now() - this.windowMs;
      for (const one of this.series.values()) {
        trim(one, oldest);
      }
    }
    if (rebuild) {
      this.draw(true);
      return;
    }
    // Numbers at once; the canvas at most once a frame however many frames arrive.
    this.describe(this.count());
    this.fillTable([...this.series.values()]);
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.plotData(false);
      });
    }
  }

  count() {
    let n = 0;
    for (const one of this.series.values()) {
      n += one.xs.length;
    }
    return n;
  }

  clear() {
    this.seq++;
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
    }
    this.series = new Map();
    this.el.replaceChildren();
    this.table.hidden = true;
    this.info.textContent = '';
  }

  /** Shows the data: numbers, table, and a new plot when the series changed, else new data in the same plot. */
  draw(rebuild) {
    this.describe(this.count());
    this.fillTable([...this.series.values()]);
    this.plotData(rebuild);
  }

  plotData(rebuild) {
    const all = [...this.series.values()];
    if (this.count() === 0) {
      if (this.plot) {
        this.plot.destroy();
        this.plot = null;
      }
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = 'No samples in this range.';
      this.el.replaceChildren(p);
      return;
    }
    const data = all.length === 1 ? [all[0].xs, all[0].ys] : uPlot.join(all.map(one => [one.xs, one.ys]));
    if (this.plot && !rebuild) {
      this.plot.setData(data);
      return;
    }
    if (this.plot) {
      this.plot.destroy();
    }
    this.el.replaceChildren();
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue('--fg').trim() || '#222';
    const grid = css.getPropertyValue('--grid').trim() || '#ddd';
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    this.plot = new uPlot({
      width: this.width(),
      height: this.height(),
      ms: 1,
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 60 }],
      series: [{ label: 'time' }, ...all.map(one => ({
        label: label(one.tags),
        stroke: one.color,
        width: 1.5,
        spanGaps: true,
        points: { show: one.xs.length < 60 },
      }))],
    }, data, this.el);
  }

  describe(points) {
    const m = this.meta;
    if (!m) {
      return;
    }
    const parts = ['source ' + m.source];
    parts.push(m.total > MAX_SERIES ? `${MAX_SERIES} of ${m.total} series (filter by tags)` : this.series.size + ' series');
    parts.push(points + ' points');
    if (m.points) {
      parts.push(`LTTB to ${m.points} px` + (m.step ? ` of ${m.step / 1000} s buckets` : ''));
    } else {
      parts.push(`step ${m.step / 1000} s, ${m.agg}`);
    }
    if (this.live > 0) {
      parts.push(this.live + ' live');
    }
    this.info.textContent = parts.join(' · ');
    this.info.dataset.source = m.source;
    this.info.dataset.points = String(points);
  }

  fillTable(all) {
    const body = this.table.tBodies[0];
    const rows = all.map(one => {
      const tr = document.createElement('tr');
      tr.dataset.series = label(one.tags);
      const n = one.xs.length;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = one.color;
      const name = cell(label(one.tags), 'name');
      name.prepend(swatch);
      tr.append(name, cell(String(n), 'count'),
        cell(n ? fmt(one.ys[n - 1]) : '—', 'last'),
        cell(n ? new Date(one.xs[n - 1]).toLocaleString() : '—', 'time'));
      return tr;
    });
    body.replaceChildren(...rows);
    this.table.hidden = all.length === 0;
  }

  resize() {
    if (this.plot) {
      this.plot.setSize({ width: this.width(), height: this.height() });
    }
  }
}

function key(tags) {
  return JSON.stringify(Object.keys(tags).sort().map(k => [k, tags[k]]));
}

export function label(tags) {
  const keys = Object.keys(tags).sort();
  return keys.length ? keys.map(k => k + '=' + tags[k]).join(', ') : '(no tags)';
}

function cell(text, cls) {
  const td = document.createElement('td');
  td.className = cls;
  td.textContent = text;
  return td;
}

/** A number with at most `digits` significant digits (integers whole). */
export function fmt(v, digits = 6) {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));
}

/** Inserts in time order; live samples nearly always go at the end. */
function insert(one, x, y) {
  let i = one.xs.length;
  while (i > 0 && one.xs[i - 1] > x) {
    i--;
  }
  one.xs.splice(i, 0, x);
  one.ys.splice(i, 0, y);
  if (one.xs.length > MAX_LIVE_POINTS) {
    one.xs.shift();
    one.ys.shift();
  }
}

function trim(one, oldest) {
  let n = 0;
  while (n < one.xs.length && one.xs[n] < oldest) {
    n++;
  }
  if (n > 0) {
    one.xs.splice(0, n);
    one.ys.splice(0, n);
  }
}
