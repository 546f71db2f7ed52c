// The spend log: one row per request with filters (key, team, model, status, time) and a detail
// view. /spend/logs/ui pages on the server when the gateway has it; else /spend/logs, filtered here.
import { h, clear, pageHeader, emptyState, errorBanner, loading, button, table, badge, field, debounce } from '../lib/dom.js';
import { api, optional, allKeys, allTeams, modelNames, isAdmin } from '../lib/api.js';
import { money, num, dateTime, duration, daysAgo, isoDay, shortKey } from '../lib/format.js';
import { openDialog } from '../lib/dialog.js';
import { setParams } from '../lib/router.js';

const PAGE_SIZE = 50;
const FALLBACK_LIMIT = 1000;

const latency = r => (r.startTime && r.endTime ? new Date(r.endTime) - new Date(r.startTime) : null);
const failed = r => r.status && r.status !== 'success';

function datalist(id, values) {
  return h('datalist', { id }, values.map(v => h('option', { value: v })));
}

export default async function render(root, { params }) {
  const state = { rows: [], total: 0, page: 1, pages: 1, paged: null, keys: [], teams: [], groups: new Map() };
  const today = isoDay(new Date());
  const input = (testid, attrs) => h('input', { 'data-testid': testid, autocomplete: 'off', ...attrs });
  const f = {
    key: input('logs-filter-key', { type: 'search', placeholder: 'Alias or key', list: 'logs-keys', value: params.get('key') ?? '' }),
    team: input('logs-filter-team', { type: 'search', placeholder: 'Id or name', list: 'logs-teams', value: params.get('team') ?? '' }),
    model: input('logs-filter-model', { type: 'search', placeholder: 'Any model', list: 'logs-models', value: params.get('model') ?? '' }),
    status: h('select', { 'data-testid': 'logs-filter-status' },
      [['', 'Any status'], ['success', 'Success'], ['failure', 'Failure']].map(([v, l]) => h('option', { value: v, selected: v === (params.get('status') ?? '') }, l))),
    from: input('logs-filter-from', { type: 'date', value: params.get('from') ?? daysAgo(6), max: today }),
    to: input('logs-filter-to', { type: 'date', value: params.get('to') ?? today }),
  };
  const lists = h('div', null);
  const body = h('div', null, loading());
  const refresh = button('Refresh', () => load(), { testid: 'logs-refresh' });
  clear(root, pageHeader('Logs', 'Every request the gateway served, with its cost.', refresh),
    h('div', { class: 'toolbar filters' },
      field('Key', f.key), field('Team', f.team), field('Model', f.model), field('Status', f.status), field('From', f.from), field('To', f.to)),
    lists, body);

  const reload = debounce(() => { state.page = 1; load(); }, 250);
  for (const el of Object.values(f)) el.addEventListener(el.tagName === 'SELECT' || el.type === 'date' ? 'change' : 'input', reload);

  const keyName = token => state.keys.find(k => k.token === token)?.key_alias ?? shortKey(token);
  const teamName = id => state.teams.find(t => t.team_id === id)?.team_alias ?? id;

  /** The key filter as the API wants it: an exact alias, else a key or token; null when nothing can match. */
  function keyFilter() {
    const text = f.key.value.trim();
    if (!text) return {};
    if (text.startsWith('sk-') || /^[0-9a-f]{64}$/i.test(text)) return { api_key: text };
    const exact = state.keys.find(k => k.key_alias === text);
    const partial = state.keys.filter(k => k.key_alias?.toLowerCase().includes(text.toLowerCase()));
    const key = exact ?? (partial.length === 1 ? partial[0] : null);
    return key ? { api_key: key.token } : null;
  }

  function teamFilter() {
    const text = f.team.value.trim();
    if (!text) return {};
    const team = state.teams.find(t => t.team_id === text || t.team_alias === text)
      ?? state.teams.find(t => (t.team_alias ?? '').toLowerCase().includes(text.toLowerCase()));
    return { team_id: team?.team_id ?? text };
  }

  let loads = 0;
  async function load() {
    // Only the latest load may draw: an earlier, slower answer would show rows for old filters.
    const seq = ++loads;
    setParams({ key: f.key.value.trim(), team: f.team.value.trim(), model: f.model.value.trim(), status: f.status.value,
      from: f.from.value, to: f.to.value });
    const key = keyFilter();
    if (key === null) {
      Object.assign(state, { rows: [], total: 0, pages: 1 });
      return draw(`No key is called “${f.key.value.trim()}”.`);
    }
    const query = { start_date: f.from.value || daysAgo(6), end_date: f.to.value || today, ...key, ...teamFilter() };
    const model = f.model.value.trim();
    const status = f.status.value;
    try {
      if (state.paged !== false) {
        // The API filters the provider model (the `model` column); a public name means its deployments' model.
        const ids = state.groups.get(model);
        const serverModel = ids?.size === 1 ? [...ids][0] : ids ? '' : model;
        const page = await optional('/spend/logs/ui', { query: { ...query, model: serverModel, status_filter: status, page: state.page, page_size: PAGE_SIZE } });
        if (seq !== loads) return;
        state.paged = !!page;
        if (page) {
          const rows = (page.data ?? []).filter(r => !model || serverModel || r.model_group === model);
          Object.assign(state, { rows, total: serverModel || !model ? page.total ?? 0 : rows.length, pages: Math.max(1, page.total_pages ?? 1) });
          return draw();
        }
      }
      // /spend/logs sums per day when given both dates, unless told summarize=false.
      const rows = await api('/spend/logs', { query: { ...query, summarize: 'false', limit: FALLBACK_LIMIT } });
      if (seq !== loads) return;
      const matching = rows.filter(r => (!model || r.model_group === model || r.model === model)
        && (!status || (status === 'success' ? !failed(r) : failed(r))));
      state.pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
      state.page = Math.min(state.page, state.pages);
      Object.assign(state, { total: matching.length, rows: matching.slice((state.page - 1) * PAGE_SIZE, state.page * PAGE_SIZE) });
      draw();
    } catch (e) { if (seq === loads) clear(body, errorBanner(e, load)); }
  }

  function draw(why) {
    if (!state.rows.length) {
      clear(body, emptyState('No requests', why ?? 'No request matches these filters in this time range.'));
      return;
    }
    const columns = [
      { label: 'Time', cell: r => h('span', { class: 'nowrap' }, dateTime(r.startTime)) },
      { label: 'Status', cell: r => failed(r) ? badge('Failed', 'danger') : badge('Success', 'ok') },
      { label: 'Model', cell: r => h('div', null, h('span', { class: 'cell-title' }, r.model_group || r.model), r.model && r.model !== r.model_group ? h('span', { class: 'cell-sub' }, r.model) : null) },
      { label: 'Key', cell: r => keyName(r.api_key) },
      { label: 'Team', cell: r => r.team_id ? teamName(r.team_id) : h('span', { class: 'muted' }, '—') },
      { label: 'Tokens', class: 'num', cell: r => h('span', { class: 'nowrap', title: `${num(r.prompt_tokens)} in · ${num(r.completion_tokens)} out` }, num(r.total_tokens)) },
      { label: 'Spend', class: 'num', cell: r => money(r.spend) },
      { label: 'Latency', class: 'num', cell: r => duration(latency(r)) },
      { label: '', cell: r => button('Details', () => detail(r), { small: true, testid: 'log-open', title: `Details of request ${r.request_id}` }) },
    ];
    const grid = table(columns, state.rows, r => ({ 'data-request-id': r.request_id, class: 'clickable' }), 'Requests');
    grid.addEventListener('click', e => {
      if (e.target.closest('button')) return;
      const tr = e.target.closest('tr[data-request-id]');
      const row = tr && state.rows.find(r => r.request_id === tr.dataset.requestId);
      if (row) detail(row);
    });
    const pager = h('div', { class: 'pager' },
      h('span', null, `${num(state.total)} request${state.total === 1 ? '' : 's'}`),
      state.pages > 1 ? h('div', { class: 'actions' },
        button('Previous', () => { state.page--; load(); }, { small: true, disabled: state.page <= 1 }),
        h('span', null, `Page ${state.page} of ${state.pages}`),
        button('Next', () => { state.page++; load(); }, { small: true, disabled: state.page >= state.pages })) : null);
    clear(body, grid, pager);
  }

  function detail(r) {
    const kv = (label, value) => [h('dt', null, label), h('dd', null, value ?? '—')];
    const close = h('button', { type: 'button', class: 'btn' }, 'Close');
    const d = openDialog({
      title: 'Request', wide: true, testid: 'log-detail', actions: [close],
      body: [
        h('dl', { class: 'kv' },
          kv('Request id', h('code', null, r.request_id)),
          kv('Status', failed(r) ? badge('Failed', 'danger') : badge('Success', 'ok')),
          kv('Started', dateTime(r.startTime)), kv('Latency', duration(latency(r))),
          kv('Call type', r.call_type), kv('Model group', r.model_group), kv('Provider model', r.model),
          kv('Provider', r.custom_llm_provider), kv('Deployment id', r.model_id ? h('code', null, r.model_id) : null),
          kv('API base', r.api_base), kv('Key', `${keyName(r.api_key)} (${shortKey(r.api_key)})`),
          kv('Team', r.team_id ? teamName(r.team_id) : null), kv('User', r.user), kv('End user', r.end_user),
          kv('Tokens', `${num(r.prompt_tokens)} prompt + ${num(r.completion_tokens)} completion = ${num(r.total_tokens)}`),
          kv('Spend', money(r.spend)), kv('Cache hit', String(r.cache_hit ?? 'False'))),
        h('h3', null, 'Metadata'), h('pre', { class: 'json' }, JSON.stringify(r.metadata ?? {}, null, 2)),
        r.request_tags?.length ? [h('h3', null, 'Tags'), h('div', { class: 'chips' }, r.request_tags.map(t => badge(t)))] : null,
      ],
    });
    close.addEventListener('click', d.close);
  }

  try {
    const [keys, teams, models, info] = await Promise.all([allKeys().catch(() => []), isAdmin() ? allTeams().catch(() => []) : [],
      modelNames().catch(() => []), api('/model/info').catch(() => null)]);
    Object.assign(state, { keys, teams });
    // Public model name → the provider model ids its deployments log (openai/gpt-4o → gpt-4o).
    for (const d of info?.data ?? []) {
      const id = String(d.litellm_params?.model ?? '').replace(/^[^/]+\//, '');
      if (!state.groups.has(d.model_name)) state.groups.set(d.model_name, new Set());
      if (id) state.groups.get(d.model_name).add(id);
    }
    clear(lists, datalist('logs-keys', keys.map(k => k.key_alias).filter(Boolean)),
      datalist('logs-teams', teams.map(t => t.team_alias ?? t.team_id)), datalist('logs-models', models));
  } catch { /* suggestions only */ }
  await load();
}
