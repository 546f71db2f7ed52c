// Usage: spend, tokens and requests per day, per model, per key and per team over a date range;
// CSV export built in the browser.
import { h, clear, pageHeader, emptyState, errorBanner, loading, button, table, field } from '../lib/dom.js';
import { allKeys, allTeams, isAdmin } from '../lib/api.js';
import { money, num, short, daysAgo, isoDay, shortKey } from '../lib/format.js';
import { chart, rankBars } from '../lib/chart.js';
import { loadUsage, dayRange, totalsBy, grandTotal } from '../lib/usage-data.js';
import { setParams } from '../lib/router.js';

const TOP = 8;

function csvCell(v) {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export default async function render(root, { params }) {
  const today = isoDay(new Date());
  const from = h('input', { type: 'date', 'data-testid': 'usage-from', value: params.get('from') ?? daysAgo(29), max: today });
  const to = h('input', { type: 'date', 'data-testid': 'usage-to', value: params.get('to') ?? today, max: today });
  const exportBtn = button('Export CSV', exportCsv, { testid: 'usage-export', disabled: true });
  const presets = h('div', { class: 'actions' }, [7, 30, 90].map(n => button(`${n} days`, () => { from.value = daysAgo(n - 1); to.value = today; load(); }, { small: true, testid: `usage-last-${n}` })));
  const body = h('div', null, loading());
  clear(root, pageHeader('Usage', 'Spend and tokens over time, by model, key and team.', exportBtn),
    h('div', { class: 'toolbar' }, field('From', from), field('To', to), h('div', { class: 'field' }, h('span', { class: 'hint' }, 'Quick ranges'), presets)), body);
  from.addEventListener('change', () => load());
  to.addEventListener('change', () => load());

  let names = { keys: new Map(), teams: new Map() };
  let data = null;
  let loads = 0;

  const keyLabel = token => data?.keyInfo.get(token)?.key_alias ?? names.keys.get(token) ?? shortKey(token);
  const teamLabel = id => !id ? 'No team' : names.teams.get(id) ?? data?.teamNames?.get(id) ?? id;

  async function load() {
    if (from.value && to.value && from.value > to.value) { clear(body, errorBanner(new Error('“From” must not be after “To”.'))); return; }
    setParams({ from: from.value, to: to.value });
    clear(body, loading());
    exportBtn.disabled = true;
    // Two quick range changes: only the latest answer may draw, or a slower earlier one overwrites it.
    const seq = ++loads;
    try {
      const result = await loadUsage(from.value || daysAgo(29), to.value || today);
      if (seq !== loads) return;
      data = result;
      draw();
    } catch (e) { if (seq === loads) clear(body, errorBanner(e, load)); }
  }

  function draw() {
    const total = grandTotal(data.days);
    if (!total.requests && !total.spend && !total.tokens) {
      clear(body, emptyState('No usage in this range', 'Requests made through the gateway appear here with their cost.'));
      return;
    }
    exportBtn.disabled = false;
    const labels = dayRange(from.value || daysAgo(29), to.value || today);
    const at = (date, f) => f(data.days.get(date)?.total ?? { spend: 0, prompt: 0, completion: 0, tokens: 0, requests: 0 });
    const models = totalsBy(data.days, 'model');
    const keys = totalsBy(data.days, 'key');
    const teams = totalsBy(data.days, 'team');
    const stat = (label, value, testid) => h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value', 'data-testid': testid }, value));
    const hasSplit = total.prompt + total.completion > 0;
    clear(body,
      h('div', { class: 'stats' },
        stat('Spend', money(total.spend), 'usage-total-spend'), stat('Requests', num(total.requests), 'usage-total-requests'),
        stat('Tokens', short(total.tokens), 'usage-total-tokens'), stat('Avg cost / request', total.requests ? money(total.spend / total.requests) : '—')),
      h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Spend per day'), h('span', { class: 'muted' }, money(total.spend))),
        chart({ labels, series: [{ name: 'Spend', values: labels.map(d => at(d, m => m.spend)) }], format: money, label: `Spend per day, ${money(total.spend)} in total` })),
      h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Tokens per day'), h('span', { class: 'muted' }, `${num(total.tokens)} tokens`)),
        chart({ type: 'line', labels, format: short, label: `Tokens per day, ${num(total.tokens)} in total`,
          series: hasSplit ? [{ name: 'Prompt', values: labels.map(d => at(d, m => m.prompt)) }, { name: 'Completion', values: labels.map(d => at(d, m => m.completion)) }]
            : [{ name: 'Tokens', values: labels.map(d => at(d, m => m.tokens)) }] })),
      h('div', { class: 'grid' },
        h('section', { class: 'card' }, h('h2', null, 'Top models'), h('p', { class: 'muted' }, 'By spend'),
          rankBars(models.slice(0, TOP).map(([name, m]) => ({ label: name, value: m.spend, sub: `${num(m.tokens)} tokens${m.requests ? ` · ${num(m.requests)} requests` : ''}` })), money)),
        h('section', { class: 'card' }, h('h2', null, 'Top keys'), h('p', { class: 'muted' }, 'By spend'),
          rankBars(keys.slice(0, TOP).map(([token, m]) => ({ label: keyLabel(token), value: m.spend, sub: `${num(m.tokens)} tokens${m.requests ? ` · ${num(m.requests)} requests` : ''}` })), money))),
      h('section', { class: 'card' }, h('h2', null, 'By team'), h('p', { class: 'muted' }, 'Keys without a team count under “No team”.'),
        table([
          { label: 'Team', cell: ([id]) => teamLabel(id) },
          { label: 'Spend', class: 'num', cell: ([, m]) => money(m.spend) },
          { label: 'Tokens', class: 'num', cell: ([, m]) => num(m.tokens) },
          { label: 'Requests', class: 'num', cell: ([, m]) => m.requests ? num(m.requests) : '—' },
        ], teams, ([id]) => ({ 'data-team-id': id }), 'Usage by team')),
      h('section', { class: 'card' }, h('h2', null, 'By model'),
        table([
          { label: 'Model', cell: ([name]) => name },
          { label: 'Spend', class: 'num', cell: ([, m]) => money(m.spend) },
          { label: 'Prompt tokens', class: 'num', cell: ([, m]) => m.prompt + m.completion > 0 ? num(m.prompt) : '—' },
          { label: 'Completion tokens', class: 'num', cell: ([, m]) => m.prompt + m.completion > 0 ? num(m.completion) : '—' },
          { label: 'Requests', class: 'num', cell: ([, m]) => m.requests ? num(m.requests) : '—' },
        ], models, ([name]) => ({ 'data-model': name }), 'Usage by model')),
      h('p', { class: 'muted' }, `Days are UTC. Source: ${data.source}.`));
  }

  /** One row per day and dimension (total, model, key, team), ready for a spreadsheet. */
  function exportCsv() {
    if (!data) return;
    const lines = [['date', 'dimension', 'name', 'id', 'spend_usd', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'requests']];
    const row = (date, dim, name, id, m) => lines.push([date, dim, name, id, m.spend, m.prompt, m.completion, m.tokens, m.requests]);
    for (const date of [...data.days.keys()].sort()) {
      const d = data.days.get(date);
      row(date, 'total', '', '', d.total);
      for (const [name, m] of d.model) row(date, 'model', name, '', m);
      for (const [token, m] of d.key) row(date, 'key', keyLabel(token), token, m);
      for (const [id, m] of d.team) row(date, 'team', teamLabel(id), id, m);
    }
    const blob = new Blob([lines.map(l => l.map(csvCell).join(',')).join('\r\n') + '\r\n'], { type: 'text/csv' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `edgegw-usage-${from.value}-to-${to.value}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  try {
    const [keys, teams] = await Promise.all([allKeys().catch(() => []), isAdmin() ? allTeams().catch(() => []) : []]);
    names = { keys: new Map(keys.map(k => [k.token, k.key_alias ?? k.key_name])), teams: new Map(teams.map(t => [t.team_id, t.team_alias ?? t.team_id])) };
  } catch { /* names only */ }
  await load();
}
