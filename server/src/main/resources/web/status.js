// The status view: Sluice's own counters from /-/metrics (Prometheus text), refreshed every few
// seconds, with rates from the difference between two reads; and the configuration in force
// from /-/config (secrets masked by the server).
import { get, askToken } from './api.js';
import { parse, pick, total, quantile } from './prom.js';
import { fmt } from './chart.js';

const EVERY_MS = 3000;
const $ = id => document.getElementById(id);

export class Status {
  constructor() {
    this.timer = 0;
    this.prev = null;
    this.configShown = false;
  }

  show() {
    this.stop();
    this.tick();
    if (!this.configShown) {
      this.loadConfig();
    }
  }

  hide() {
    this.stop();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = 0;
  }

  async tick() {
    try {
      const text = await get('/-/metrics', { text: true });
      const now = { at: performance.now(), samples: parse(text) };
      this.render(now, this.prev);
      this.prev = now;
      $('status-info').textContent = 'Updated ' + new Date().toLocaleTimeString() + ', every ' + EVERY_MS / 1000 + ' s.';
    } catch (e) {
      $('status-info').textContent = 'Could not read /-/metrics: ' + e.message;
    }
    this.timer = setTimeout(() => this.tick(), EVERY_MS);
  }

  async loadConfig() {
    try {
      // Needs the admin scope: a page reading with a read token or as anonymous says so rather
      // than asking for a token every time the status view opens.
      const cfg = await get('/-/config', { ask: false });
      $('config').tBodies[0].replaceChildren(...cfg.settings.map(s => row([
        s.key,
        s.value === null ? 'unset' : s.value,
        s.source,
        s.help,
      ], { key: s.key })));
      this.configShown = true;
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        $('config').tBodies[0].replaceChildren(this.needsAdmin(e));
      } else {
        $('config').tBodies[0].replaceChildren(row(['Could not read /-/config: ' + e.message, '', '', '']));
      }
    }
  }

  /** The configuration's place when this page may not read it, with a way to give an admin token. */
  needsAdmin(e) {
    const tr = document.createElement('tr');
    tr.dataset.key = 'needs-admin';
    const td = document.createElement('td');
    td.colSpan = 4;
    td.append(`The configuration needs an admin token (Sluice answered ${e.status}: ${e.message}). `);
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'config-token';
    b.textContent = 'Use an admin token…';
    b.addEventListener('click', async () => {
      if (await askToken('The configuration needs a token with the admin scope (and read, for the rest of the page).', true)) {
        this.loadConfig();
      }
    });
    td.append(b);
    tr.append(td);
    return tr;
  }

  render(now, prev) {
    const s = now.samples;
    const rate = (name, labels) => {
      if (!prev) return '—';
      const a = pick(prev.samples, name, labels).reduce((x, m) => x + m.value, 0);
      const b = pick(s, name, labels).reduce((x, m) => x + m.value, 0);
      const dt = (now.at - prev.at) / 1000;
      return dt > 0 ? fmt(Math.max(0, (b - a) / dt), 3) + ' /s' : '—';
    };
    const byLabel = (name, label) => pick(s, name).map(m => m.labels[label]).filter(v => v !== undefined).sort();
    const value = (name, labels = {}) => {
      const m = pick(s, name, labels);
      return m.length ? m[0].value : null;
    };
    const cards = [];

    const dbUp = value('sluice_database_up');
    const redisUp = value('sluice_redis_up');
    cards.push(card('Database', [
      kv('Database', dbUp === null ? 'unknown' : dbUp === 1 ? 'up' : 'down', { state: dbUp === 1 ? 'ok' : 'bad', key: 'database' }),
      kv('Connections in use', show(value('sluice_db_connections_active'))),
      ...(redisUp === null ? [] : [kv('Redis', redisUp === 1 ? 'up' : 'down', { state: redisUp === 1 ? 'ok' : 'bad', key: 'redis' })]),
      kv('Series known', show(value('sluice_series')), { key: 'series' }),
    ]));

    cards.push(table('Ingest', ['Transport', 'Samples', 'Rate'],
      byLabel('sluice_samples_received_total', 'transport').map(t => row([
        t, show(value('sluice_samples_received_total', { transport: t })), rate('sluice_samples_received_total', { transport: t }),
      ], { key: t })),
      [row(['written', show(total(s, 'sluice_samples_written_total')), rate('sluice_samples_written_total', {})], { key: 'written' })]));

    // Only the reasons that happened: every reason is registered at start with 0.
    const reasons = (title, name) => table(title, ['Reason', 'Samples', 'Rate'],
      byLabel(name, 'reason').filter(r => value(name, { reason: r }) > 0)
        .map(r => row([r, show(value(name, { reason: r })), rate(name, { reason: r })], { key: r })),
      [], 'None so far.');
    cards.push(reasons('Rejected', 'sluice_samples_rejected_total'));
    cards.push(reasons('Dropped', 'sluice_samples_dropped_total'));
    cards.push(reasons('HTTP writes refused (503)', 'sluice_http_writes_refused_total'));

    const occ = value('sluice_ring_occupancy');
    const cap = value('sluice_ring_capacity');
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = cap || 1;
    meter.value = occ || 0;
    meter.high = (cap || 1) * 0.8;
    meter.setAttribute('aria-label', 'Ring occupancy');
    cards.push(card('Ring', [
      kv('Occupied slots', cap ? `${show(occ)} of ${show(cap)} (${fmt(100 * (occ || 0) / cap, 2)} %)` : show(occ), { key: 'ring' }),
      meter,
    ]));

    const batches = value('sluice_write_batches_total');
    const latSum = value('sluice_write_latency_seconds_sum');
    const latCount = value('sluice_write_latency_seconds_count');
    const rowsSum = value('sluice_write_batch_rows_sum');
    const rowsCount = value('sluice_write_batch_rows_count');
    const p99 = quantile(s, 'sluice_write_latency_seconds', 0.99);
    cards.push(card('Writers', [
      kv('Batches', `${show(batches)} (${rate('sluice_write_batches_total', {})})`, { key: 'batches' }),
      kv('Rows per batch (mean)', rowsCount ? fmt(rowsSum / rowsCount, 3) : '—'),
      kv('Latency (mean)', latCount ? ms(latSum / latCount) : '—'),
      kv('Latency (p99, estimated)', p99 === null ? '—' : ms(p99)),
      kv('Failed batches', show(total(s, 'sluice_write_batch_failures_total'))),
      kv('Retries', show(total(s, 'sluice_write_retries_total'))),
    ]));

    cards.push(card('Live', [
      kv('Viewers', show(value('sluice_live_viewers')), { key: 'viewers' }),
      kv('Subscriptions', show(value('sluice_live_subscriptions'))),
      kv('Samples sent', `${show(total(s, 'sluice_live_samples_sent_total'))} (${rate('sluice_live_samples_sent_total', {})})`),
      kv('Samples dropped for slow viewers', show(total(s, 'sluice_live_samples_dropped_total'))),
      kv('Viewers closed for being slow', show(total(s, 'sluice_live_viewers_closed_slow_total'))),
    ]));

    const heap = value('sluice_jvm_heap_used_bytes');
    const heapMax = value('sluice_jvm_heap_max_bytes');
    if (heap !== null) {
      cards.push(card('Process', [kv('Java heap', `${mib(heap)} of ${mib(heapMax)}`)]));
    }
    $('cards').replaceChildren(...cards);
  }
}

function show(v) {
  return v === null || v === undefined ? '—' : fmt(v);
}

function ms(seconds) {
  return fmt(seconds * 1000, 3) + ' ms';
}

function mib(bytes) {
  return bytes === null || bytes < 0 ? '—' : fmt(bytes / 1048576, 3) + ' MiB';
}

function card(title, children) {
  const sec = document.createElement('section');
  sec.className = 'card';
  const h = document.createElement('h3');
  h.textContent = title;
  sec.append(h, ...children);
  return sec;
}

function kv(name, text, { state, key } = {}) {
  const p = document.createElement('p');
  p.className = 'kv';
  const k = document.createElement('span');
  k.textContent = name;
  const v = document.createElement('strong');
  v.textContent = text;
  if (state) v.className = state;
  if (key) p.dataset.key = key;
  p.append(k, v);
  return p;
}

function row(cells, { key } = {}) {
  const tr = document.createElement('tr');
  if (key !== undefined) tr.dataset.key = key;
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  return tr;
}

function table(title, heads, rows, footRows = [], empty = '') {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const h of heads) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = t.createTBody();
  body.append(...rows, ...footRows);
  if (rows.length + footRows.length === 0) {
    return card(title, [Object.assign(document.createElement('p'), { className: 'muted', textContent: empty })]);
  }
  return card(title, [t]);
}
