// Internal users: list (GET /user/list when the gateway has it, else the users its keys name),
// create (with LiteLLM's auto-created key shown once), edit budgets/limits/models, delete.
import { h, clear, pageHeader, emptyState, errorBanner, infoBanner, loading, button, table, field, debounce, badge } from '../lib/dom.js';
import { api, post, optional, allKeys, modelNames } from '../lib/api.js';
import { num } from '../lib/format.js';
import { formDialog, confirmDialog, toast } from '../lib/dialog.js';
import { buildForm, readForm, limitFields } from '../lib/form.js';
import { spendCell, limitsCell, modelsCell } from '../lib/cells.js';
import { secretView } from '../lib/secret.js';

function userSpecs(models, editing) {
  return [
    editing ? null : { name: 'user_id', label: 'User id', testid: 'user-id', placeholder: 'Generated when empty' },
    { name: 'user_email', label: 'Email', testid: 'user-email', placeholder: 'Optional' },
    { name: 'user_alias', label: 'Display name', testid: 'user-alias', placeholder: 'Optional' },
    ...limitFields('user', models),
  ].filter(Boolean);
}

/** The users the keys name, read one by one (bounded): the list when /user/list does not exist. */
async function usersFromKeys() {
  const ids = [...new Set((await allKeys()).map(k => k.user_id).filter(Boolean))].slice(0, 100);
  const infos = await Promise.all(ids.map(id => api('/user/info', { query: { user_id: id } }).catch(() => null)));
  return infos.filter(Boolean).map(i => ({ ...i.user_info, key_count: i.keys?.length ?? 0, teams: i.teams ?? [] }));
}

export default async function render(root) {
  const state = { users: [], models: [], listed: true, search: '' };
  const body = h('div', null, loading());
  const note = h('div');
  const count = h('span');
  const search = h('input', { type: 'search', 'data-testid': 'users-search', placeholder: 'Id, email or name' });
  search.addEventListener('input', debounce(() => { state.search = search.value.trim().toLowerCase(); draw(); }, 150));
  clear(root, pageHeader('Users', count, button('Create user', () => openEditor(null), { kind: 'primary', testid: 'users-create' })),
    note, h('div', { class: 'toolbar' }, h('div', { class: 'grow' }, field('Search users', search))), body);

  async function load() {
    try {
      const models = await modelNames().catch(() => []);
      const listed = await optional('/user/list', { query: { page: 1, page_size: 100 } });
      const users = listed ? listed.users ?? listed.data ?? [] : await usersFromKeys();
      Object.assign(state, { users, models, listed: !!listed });
      clear(note, listed ? null : infoBanner('This gateway has no GET /user/list yet: showing the users its keys belong to.'));
      draw();
    } catch (e) { clear(body, errorBanner(e, load)); }
  }

  function draw() {
    count.textContent = `${state.users.length} user${state.users.length === 1 ? '' : 's'}`;
    const q = state.search;
    const rows = q ? state.users.filter(u => [u.user_id, u.user_email, u.user_alias].some(v => v && v.toLowerCase().includes(q))) : state.users;
    if (!rows.length) {
      clear(body, emptyState(q ? 'No user matches' : 'No users yet', q ? null : 'Users own keys and can be members of teams.'));
      return;
    }
    clear(body, table([
      { label: 'User', cell: u => h('div', null, h('span', { class: 'cell-title' }, u.user_alias || u.user_email || u.user_id), h('code', { class: 'cell-sub' }, u.user_id)) },
      { label: 'Email', cell: u => u.user_email ?? h('span', { class: 'muted' }, '—') },
      { label: 'Teams', cell: u => u.teams?.length ? h('div', { class: 'chips' }, u.teams.map(t => badge(typeof t === 'string' ? t : t.team_alias ?? t.team_id))) : h('span', { class: 'muted' }, '—') },
      { label: 'Spend', cell: u => spendCell(u, u.user_id, 'user-spend') },
      { label: 'Limits', cell: limitsCell },
      { label: 'Models', cell: modelsCell },
      { label: 'Keys', class: 'num', cell: u => u.key_count != null ? num(u.key_count) : '—' },
      { label: 'Actions', cell: u => h('div', { class: 'row-actions' },
        button('Edit', () => openEditor(u), { small: true, testid: 'user-edit' }),
        button('Delete', () => remove(u), { small: true, kind: 'danger', testid: 'user-delete' })) },
    ], rows, u => ({ 'data-user-id': u.user_id }), 'Users'));
  }

  function openEditor(u) {
    const specs = userSpecs(state.models, !!u);
    const autoKey = h('input', { type: 'checkbox', name: 'auto_create_key', checked: true, 'data-testid': 'user-auto-key' });
    const form = buildForm(specs, u ?? {}, u ? null : h('label', { class: 'check wide' }, autoKey, 'Also create a key for this user (LiteLLM’s default)'));
    formDialog({
      title: u ? `Edit ${u.user_id}` : 'Create user', form, testid: 'user-dialog',
      submitLabel: u ? 'Save changes' : 'Create user', submitTestid: 'user-submit',
      onSubmit: async () => {
        const request = readForm(form, specs, { update: !!u });
        if (u) {
          await post('/user/update', { user_id: u.user_id, ...request });
          toast('User updated');
          await load();
          return undefined;
        }
        const created = await post('/user/new', { ...request, auto_create_key: autoKey.checked });
        await load();
        if (created.key) return secretView(`User ${created.user_id} created with a key`, created.key);
        toast('User created');
        return undefined;
      },
    });
  }

  async function remove(u) {
    if (!await confirmDialog(`Delete user ${u.user_id}? Their keys are deleted with them.`, { title: 'Delete user?' })) return;
    try {
      await post('/user/delete', { user_ids: [u.user_id] });
      toast('User deleted');
      await load();
    } catch (e) { toast(e.message, 'error'); }
  }

  await load();
}
