// Virtual keys: list with search and paging, spend against budget, create/edit/block/regenerate/delete.
import { h, clear, pageHeader, emptyState, errorBanner, loading, button, table, badge, field, debounce } from '../lib/dom.js';
import { api, post, allKeys, allTeams, modelNames, isAdmin } from '../lib/api.js';
import { dateTime, relative } from '../lib/format.js';
import { formDialog, confirmDialog, toast, openDialog } from '../lib/dialog.js';
import { buildForm, readForm, limitFields } from '../lib/form.js';
import { secretView } from '../lib/secret.js';
import { spendCell, limitsCell, modelsCell } from '../lib/cells.js';
import { setParams } from '../lib/router.js';

const PAGE_SIZE = 25;
const text = v => String(v ?? '').toLowerCase();
const SORTS = {
  created: ['Newest', (a, b) => text(b.created_at).localeCompare(text(a.created_at))],
  spend: ['Spend, highest', (a, b) => (b.spend ?? 0) - (a.spend ?? 0)],
  budget: ['Budget used, most', (a, b) => used(b) - used(a)],
  alias: ['Alias, A–Z', (a, b) => text(a.key_alias ?? '\uffff').localeCompare(text(b.key_alias ?? '\uffff'))],
  expires: ['Expiring soonest', (a, b) => text(a.expires ?? '9999').localeCompare(text(b.expires ?? '9999'))],
};
function used(k) { return k.max_budget > 0 ? (k.spend ?? 0) / k.max_budget : -1; }

function keySpecs(teams, models, editing) {
  return [
    { name: 'key_alias', label: 'Alias', testid: 'key-alias', placeholder: 'e.g. billing-service', required: !editing && false },
    { name: 'team_id', label: 'Team', type: 'select', testid: 'key-team', options: [['', 'No team'], ...teams.map(t => [t.team_id, t.team_alias || t.team_id])] },
    ...limitFields('key', models),
    { name: 'user_id', label: 'User id', testid: 'key-user', placeholder: 'Optional' },
    { name: 'duration', label: editing ? 'New expiry (from now)' : 'Expires after', testid: 'key-duration', placeholder: editing ? 'Unchanged' : 'Never (e.g. 30d, 12h)', keepBlank: true },
  ];
}

const status = k => k.blocked ? badge('Blocked', 'danger')
  : k.expires && new Date(k.expires) < new Date() ? badge('Expired', 'warn') : badge('Active', 'ok');

export default async function render(root, { params }) {
  const state = { keys: [], teams: [], models: [], search: params.get('q') ?? '', page: 1 };
  const search = h('input', { type: 'search', 'data-testid': 'keys-search', placeholder: 'Alias, key, team or user', value: state.search });
  const sort = h('select', { 'data-testid': 'keys-sort' }, Object.entries(SORTS).map(([v, [label]]) => h('option', { value: v, selected: v === (params.get('sort') ?? 'created') }, label)));
  const body = h('div', null, loading());
  const count = h('span');
  const create = button('Create key', () => openEditor(null), { kind: 'primary', testid: 'keys-create' });
  clear(root, pageHeader('Keys', count, create), h('div', { class: 'toolbar' }, h('div', { class: 'grow' }, field('Search keys', search)), field('Sort by', sort)), body);
  sort.addEventListener('change', () => { state.page = 1; setParams({ q: state.search, sort: sort.value }); draw(); });

  search.addEventListener('input', debounce(() => { state.search = search.value.trim(); state.page = 1; setParams({ q: state.search, sort: sort.value }); draw(); }, 150));

  async function load() {
    try {
      const [keys, teams, models] = await Promise.all([allKeys(), isAdmin() ? allTeams().catch(() => []) : [], modelNames().catch(() => [])]);
      Object.assign(state, { keys, teams, models });
      draw();
    } catch (e) {
      clear(body, errorBanner(e, load));
    }
  }

  const teamName = id => state.teams.find(t => t.team_id === id)?.team_alias ?? id;

  function filtered() {
    const q = state.search.toLowerCase();
    const sorted = [...state.keys].sort(SORTS[sort.value]?.[1] ?? SORTS.created[1]);
    if (!q) return sorted;
    return sorted.filter(k => [k.key_alias, k.key_name, k.token, k.team_id, teamName(k.team_id), k.user_id]
      .some(v => v && String(v).toLowerCase().includes(q)));
  }

  function draw() {
    const rows = filtered();
    count.textContent = `${state.keys.length} key${state.keys.length === 1 ? '' : 's'}`;
    if (!state.keys.length) {
      clear(body, emptyState('No keys yet', 'Create a virtual key to give an app or a person access with its own budget and limits.', button('Create key', () => openEditor(null), { kind: 'primary' })));
      return;
    }
    if (!rows.length) {
      clear(body, emptyState('No key matches', `Nothing matches “${state.search}”.`));
      return;
    }
    const pages = Math.ceil(rows.length / PAGE_SIZE);
    state.page = Math.min(state.page, pages);
    const slice = rows.slice((state.page - 1) * PAGE_SIZE, state.page * PAGE_SIZE);
    const columns = [
      { label: 'Key', cell: k => h('div', null, h('span', { class: 'cell-title' },
        button(k.key_alias ?? 'Unnamed key', () => details(k), { kind: 'link', testid: 'key-details', title: `Details of ${k.key_alias ?? k.key_name}` }), ' ', status(k)),
        h('code', { class: 'cell-sub' }, k.key_name ?? '')) },
      { label: 'Team / user', cell: k => h('div', null, k.team_id ? teamName(k.team_id) : h('span', { class: 'muted' }, '—'), k.user_id ? h('span', { class: 'cell-sub' }, k.user_id) : null) },
      { label: 'Spend', cell: k => spendCell(k, k.key_alias ?? k.key_name, 'key-spend') },
      { label: 'Limits', cell: limitsCell },
      { label: 'Models', cell: modelsCell },
      { label: 'Expires', cell: k => k.expires ? h('span', { title: dateTime(k.expires) }, relative(k.expires)) : h('span', { class: 'muted' }, 'Never') },
      { label: 'Actions', cell: k => h('div', { class: 'row-actions' },
        button('Edit', () => openEditor(k), { small: true, testid: 'key-edit', title: `Edit ${k.key_alias ?? k.key_name}` }),
        button(k.blocked ? 'Unblock' : 'Block', () => toggleBlock(k), { small: true, testid: 'key-block' }),
        button('Regenerate', () => regenerate(k), { small: true, testid: 'key-regenerate' }),
        button('Delete', () => remove(k), { small: true, kind: 'danger', testid: 'key-delete' })) },
    ];
    const pager = pages > 1 ? h('div', { class: 'pager' },
      h('span', null, `${(state.page - 1) * PAGE_SIZE + 1}–${Math.min(rows.length, state.page * PAGE_SIZE)} of ${rows.length}`),
      h('div', { class: 'actions' },
        button('Previous', () => { state.page--; draw(); }, { small: true, disabled: state.page <= 1 }),
        h('span', null, `Page ${state.page} of ${pages}`),
        button('Next', () => { state.page++; draw(); }, { small: true, disabled: state.page >= pages }))) : null;
    clear(body, table(columns, slice, k => ({ 'data-key-alias': k.key_alias ?? '', 'data-token': k.token }), 'Virtual keys'), pager);
  }

  function openEditor(k) {
    const specs = keySpecs(state.teams, state.models, !!k);
    const values = k ? { ...k, duration: '' } : {};
    const form = buildForm(specs, values);
    formDialog({
      title: k ? `Edit ${k.key_alias ?? k.key_name}` : 'Create key',
      form, submitLabel: k ? 'Save changes' : 'Create key', submitTestid: 'key-submit', testid: 'key-dialog',
      onSubmit: async () => {
        const request = readForm(form, specs, { update: !!k });
        if (k) {
          await post('/key/update', { key: k.token, ...request });
          toast('Key updated');
          await load();
          return undefined;
        }
        const created = await post('/key/generate', request);
        await load();
        return secretView(`Key ${created.key_alias ?? created.key_name} created`, created.key);
      },
    });
  }

  function details(k) {
    const kv = (label, value) => [h('dt', null, label), h('dd', null, value ?? '—')];
    const name = k.key_alias ?? k.key_name;
    const close = h('button', { type: 'button', class: 'btn' }, 'Close');
    const logs = h('a', { class: 'btn', href: `#/logs?key=${encodeURIComponent(k.key_alias ?? k.token)}` }, 'View requests');
    const d = openDialog({
      title: name, wide: true, testid: 'key-detail', actions: [logs, close],
      body: [
        h('dl', { class: 'kv' },
          kv('Status', status(k)), kv('Key', h('code', null, k.key_name)), kv('Token (SHA-256)', h('code', { class: 'break' }, k.token)),
          kv('Team', k.team_id ? teamName(k.team_id) : null), kv('User', k.user_id),
          kv('Spend', spendCell(k, name, 'key-detail-spend')), kv('Budget resets', k.budget_reset_at ? `${dateTime(k.budget_reset_at)} (${k.budget_duration})` : k.budget_duration),
          kv('Limits', limitsCell(k)), kv('Models', modelsCell(k)),
          kv('Expires', k.expires ? `${dateTime(k.expires)} (${relative(k.expires)})` : 'Never'),
          kv('Created', dateTime(k.created_at)), kv('Updated', dateTime(k.updated_at))),
        h('h3', null, 'Metadata'), h('pre', { class: 'json' }, JSON.stringify(k.metadata ?? {}, null, 2)),
      ],
    });
    close.addEventListener('click', d.close);
    logs.addEventListener('click', d.close);
  }

  async function toggleBlock(k) {
    try {
      await post(k.blocked ? '/key/unblock' : '/key/block', { key: k.token });
      toast(k.blocked ? 'Key unblocked' : 'Key blocked: its requests now get 401');
      await load();
    } catch (e) { toast(e.message, 'error'); }
  }

  async function regenerate(k) {
    const name = k.key_alias ?? k.key_name;
    if (!await confirmDialog(`The current key ${name} stops working at once; budget, limits and spend move to the new key.`, { title: 'Regenerate key?', ok: 'Regenerate' })) return;
    try {
      const created = await post('/key/regenerate', { key: k.token });
      await load();
      const done = h('button', { type: 'button', class: 'btn btn-primary' }, 'Done');
      const d = openDialog({ title: 'New key', body: secretView(`New key for ${name}`, created.key), actions: [done], testid: 'key-regenerated' });
      done.addEventListener('click', d.close);
    } catch (e) { toast(e.message, 'error'); }
  }

  async function remove(k) {
    const name = k.key_alias ?? k.key_name;
    if (!await confirmDialog(`Delete key ${name}? Requests with it fail from now on. This cannot be undone.`, { title: 'Delete key?' })) return;
    try {
      await post('/key/delete', { keys: [k.token] });
      toast(`Key ${name} deleted`);
      await load();
    } catch (e) { toast(e.message, 'error'); }
  }

  await load();
}
