// Prometheus text exposition format 0.0.4, as /-/metrics writes it: `name{k="v",...} value`.
// Comments and blank lines are skipped; label values keep their escapes' meaning (\\ \" \n).

/** @returns {{name: string, labels: Object<string,string>, value: number}[]} */
export function parse(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name;
    let labels = {};
    let rest;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const end = labelsEnd(line, brace + 1);
      labels = parseLabels(line.slice(brace + 1, end));
      rest = line.slice(end + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = number(rest.split(/\s+/)[0]);
    if (name && !Number.isNaN(value)) {
      out.push({ name, labels, value });
    }
  }
  return out;
}

function labelsEnd(line, from) {
  let quoted = false;
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === '}' && !quoted) {
      return i;
    }
  }
  return line.length;
}

function parseLabels(text) {
  const labels = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function number(s) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return s === undefined || s === '' ? NaN : Number(s);
}

/** The samples of one metric name, optionally only those whose labels include `match`. */
export function pick(samples, name, match = {}) {
  return samples.filter(s => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The sum of a metric over all its label sets (0 when absent). */
export function total(samples, name) {
  return pick(samples, name).reduce((a, s) => a + s.value, 0);
}

/**
 * A quantile from a cumulative histogram's buckets (`le` labels), interpolated inside the bucket
 * it falls in, as PromQL's histogram_quantile does; null without observations.
 */
export function quantile(samples, name, q) {
  const buckets = pick(samples, name + '_bucket')
    .map(s => ({ le: number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const n = buckets.length ? buckets[buckets.length - 1].count : 0;
  if (n === 0) {
    return null;
  }
  const rank = q * n;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) {
        return prevLe; // beyond the last bound: the bound is all that is known
      }
      const inBucket = b.count - prevCount;
      return inBucket === 0 ? b.le : prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
