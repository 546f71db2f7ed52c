// Teams: shared budgets and model lists for their keys; members with per-member budgets.
import { h, clear, pageHeader, emptyState, errorBanner, loading, button, table, field, badge } from '../lib/dom.js';
import { api, post, allTeams, modelNames } from '../lib/api.js';
import { money } from '../lib/format.js';
import { formDialog, confirmDialog, toast, openDialog } from '../lib/dialog.js';
import { buildForm, readForm, limitFields } from '../lib/form.js';
import { spendCell, limitsCell, modelsCell, blockedBadge } from '../lib/cells.js';

function teamSpecs(models, editing) {
  return [
    { name: 'team_alias', label: 'Name', testid: 'team-alias', placeholder: 'e.g. Platform', required: !editing },
    editing ? null : { name: 'team_id', label: 'Team id', testid: 'team-id', placeholder: 'Generated when empty' },
    ...limitFields('team', models),
  ].filter(Boolean);
}

export default async function render(root) {
  const state = { teams: [], models: [] };
  const body = h('div', null, loading());
  const count = h('span');
  clear(root, pageHeader('Teams', count, button('Create team', () => openEditor(null), { kind: 'primary', testid: 'teams-create' })), body);

  async function load() {
    try {
      const [teams, models] = await Promise.all([allTeams(), modelNames().catch(() => [])]);
      Object.assign(state, { teams, models });
      draw();
    } catch (e) { clear(body, errorBanner(e, load)); }
  }

  function draw() {
    count.textContent = `${state.teams.length} team${state.teams.length === 1 ? '' : 's'}`;
    if (!state.teams.length) {
      clear(body, emptyState('No teams yet', 'A team shares one budget and model list across its keys and members.', button('Create team', () => openEditor(null), { kind: 'primary' })));
      return;
    }
    clear(body, table([
      { label: 'Team', cell: t => h('div', null, h('span', { class: 'cell-title' }, t.team_alias ?? t.team_id), h('code', { class: 'cell-sub' }, t.team_id)) },
      { label: 'Spend', cell: t => spendCell(t, t.team_alias ?? t.team_id, 'team-spend') },
      { label: 'Limits', cell: limitsCell },
      { label: 'Models', cell: modelsCell },
      { label: 'Status', cell: blockedBadge },
      { label: 'Actions', cell: t => h('div', { class: 'row-actions' },
        button('Members', () => openMembers(t), { small: true, testid: 'team-members' }),
        button('Edit', () => openEditor(t), { small: true, testid: 'team-edit' }),
        button(t.blocked ? 'Unblock' : 'Block', () => setBlocked(t), { small: true, testid: 'team-block' }),
        button('Delete', () => remove(t), { small: true, kind: 'danger', testid: 'team-delete' })) },
    ], state.teams, t => ({ 'data-team-id': t.team_id, 'data-team-alias': t.team_alias ?? '' }), 'Teams'));
  }

  function openEditor(t) {
    const specs = teamSpecs(state.models, !!t);
    const form = buildForm(specs, t ?? {});
    formDialog({
      title: t ? `Edit ${t.team_alias ?? t.team_id}` : 'Create team', form, testid: 'team-dialog',
      submitLabel: t ? 'Save changes' : 'Create team', submitTestid: 'team-submit',
      onSubmit: async () => {
        const request = readForm(form, specs, { update: !!t });
        if (t) await post('/team/update', { team_id: t.team_id, ...request });
        else await post('/team/new', request);
        toast(t ? 'Team updated' : 'Team created');
        await load();
      },
    });
  }

  async function setBlocked(t) {
    try {
      await post('/team/update', { team_id: t.team_id, blocked: !t.blocked });
      toast(t.blocked ? 'Team unblocked' : 'Team blocked: its keys now get 401');
      await load();
    } catch (e) { toast(e.message, 'error'); }
  }

  async function remove(t) {
    if (!await confirmDialog(`Delete team ${t.team_alias ?? t.team_id}? Its keys are deleted with it (as in LiteLLM).`, { title: 'Delete team?' })) return;
    try {
      const r = await post('/team/delete', { team_ids: [t.team_id] });
      toast(`Team deleted${r?.deleted_keys ? ` with ${r.deleted_keys} key(s)` : ''}`);
      await load();
    } catch (e) { toast(e.message, 'error'); }
  }

  function openMembers(t) {
    const list = h('div', null, loading());
    const userInput = h('input', { name: 'user_id', 'data-testid': 'member-user', placeholder: 'user id or email', required: true, autocomplete: 'off' });
    const role = h('select', { name: 'role', 'data-testid': 'member-role' }, h('option', { value: 'user' }, 'User'), h('option', { value: 'admin' }, 'Admin'));
    const budget = h('input', { name: 'max_budget_in_team', type: 'number', min: '0', step: 'any', 'data-testid': 'member-budget', placeholder: 'Team budget applies' });
    const add = h('form', { class: 'form-grid member-add' },
      field('User', userInput, 'Created when it does not exist'), field('Role', role), field('Budget in team (USD)', budget),
      h('div', { class: 'field' }, h('span', { class: 'hint' }, '\u00a0'), h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'member-add' }, 'Add member')));
    const done = h('button', { type: 'button', class: 'btn' }, 'Close');
    const d = openDialog({ title: `Members of ${t.team_alias ?? t.team_id}`, body: [list, h('h3', null, 'Add a member'), add], actions: [done], wide: true, testid: 'team-members-dialog' });
    done.addEventListener('click', d.close);

    async function refresh() {
      try {
        const info = await api('/team/info', { query: { team_id: t.team_id } });
        const members = info.team_memberships ?? [];
        clear(list, members.length ? table([
          { label: 'User', cell: m => h('code', null, m.user_id) },
          { label: 'Role', cell: m => badge(m.role, m.role === 'admin' ? 'accent' : '') },
          { label: 'Spend', cell: m => h('span', null, money(m.spend), m.litellm_budget_table?.max_budget != null ? h('span', { class: 'muted' }, ` / ${money(m.litellm_budget_table.max_budget)}`) : null) },
          { label: '', cell: m => button('Remove', () => removeMember(m), { small: true, kind: 'danger', testid: 'member-remove', title: `Remove ${m.user_id}` }) },
        ], members, m => ({ 'data-user-id': m.user_id }), 'Members') : emptyState('No members', 'Add users to share this team’s budget and models.'),
        h('p', { class: 'muted' }, `${(info.keys ?? []).length} key(s) belong to this team.`));
      } catch (e) { clear(list, errorBanner(e, refresh)); }
    }

    async function removeMember(m) {
      try {
        await post('/team/member_delete', { team_id: t.team_id, user_id: m.user_id });
        toast(`${m.user_id} removed`);
        await refresh();
      } catch (e) { d.showError(e); }
    }

    add.addEventListener('submit', async e => {
      e.preventDefault();
      const who = userInput.value.trim();
      if (!who) { userInput.focus(); return; }
      const member = { role: role.value, ...(who.includes('@') ? { user_email: who } : { user_id: who }) };
      const request = { team_id: t.team_id, member };
      if (budget.value !== '') request.max_budget_in_team = Number(budget.value);
      d.showError(null);
      try {
        await post('/team/member_add', request);
        userInput.value = '';
        budget.value = '';
        toast(`${who} added`);
        await refresh();
      } catch (err) { d.showError(err); }
    });
    refresh();
  }

  await load();
}
