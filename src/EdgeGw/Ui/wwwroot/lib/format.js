// Numbers, money and times for display. Dates from the API are UTC ISO strings.

const nf = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const num = n => (n === null || n === undefined || n === '' ? '—' : nf.format(n));
export const short = n => (n === null || n === undefined ? '—' : compact.format(n));

/** Dollars: cents for big amounts, up to 6 significant decimals for the tiny per-request costs. */
export function money(n) {
  if (n === null || n === undefined || n === '') return '—';
  const v = Number(n);
  if (v === 0) return '$0.00';
  const abs = Math.abs(v);
  if (abs >= 1) return '$' + v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (abs >= 0.01) return '$' + v.toFixed(4).replace(/0{1,2}$/, '');
  return '$' + v.toPrecision(3).replace(/\.?0+$/, '');
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** "in 3 days", "5 min ago". */
export function relative(iso) {
  if (!iso) return '';
  const ms = new Date(iso) - Date.now();
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(ms);
  const units = [['day', 864e5], ['hour', 36e5], ['minute', 6e4], ['second', 1e3]];
  for (const [unit, size] of units) if (abs >= size || unit === 'second') return rtf.format(Math.round(ms / size), unit);
  return '';
}

export function duration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** YYYY-MM-DD in UTC (the API's day boundaries). */
export function isoDay(d) { return d.toISOString().slice(0, 10); }

export function daysAgo(n) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - n);
  return isoDay(d);
}

/** The list "a, b" as an array; empty entries dropped. */
export function splitList(text) {
  return String(text ?? '').split(/[,\n]/).map(s => s.trim()).filter(Boolean);
}

export function shortKey(token) {
  return token ? `${String(token).slice(0, 8)}…` : '—';
}
