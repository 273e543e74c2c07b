// The page's state lives in the URL's query, so a chart can be shared or bookmarked:
// view, metric, tag.<key>=<value> filters, range (or from/to), step, agg, source, live, q.
const DEFAULTS = { view: 'explore', metric: '', range: '1h', from: '', to: '', step: '', agg: 'avg', source: '', live: false, q: '' };

export function read() {
  const p = new URLSearchParams(location.search);
  const s = { ...DEFAULTS, tags: {} };
  for (const k of Object.keys(DEFAULTS)) {
    if (p.has(k)) {
      s[k] = k === 'live' ? p.get(k) === '1' : p.get(k);
    }
  }
  for (const [k, v] of p) {
    if (k.startsWith('tag.') && k.length > 4 && v !== '') {
      s.tags[k.slice(4)] = v;
    }
  }
  if (s.view !== 'status') {
    s.view = 'explore';
  }
  return s;
}

/** Writes the state into the URL; `push` makes a history entry (a view or metric change). */
export function write(s, push = false) {
  const p = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS)) {
    const v = s[k];
    if (k === 'live') {
      if (v) p.set(k, '1');
    } else if (v !== DEFAULTS[k] && v !== undefined && v !== null) {
      p.set(k, v);
    }
  }
  for (const k of Object.keys(s.tags).sort()) {
    p.set('tag.' + k, s.tags[k]);
  }
  const url = location.pathname + (p.toString() ? '?' + p : '');
  if (url !== location.pathname + location.search) {
    (push ? history.pushState : history.replaceState).call(history, null, '', url);
  }
}
