// Table cells shared by keys, teams and users: spend against budget, limits, model lists.
import { h, meter, badge } from './dom.js';
import { money, num } from './format.js';

export function spendCell(account, name, testid) {
  const budget = account.max_budget;
  return h('div', { class: 'spend' },
    h('span', { class: 'nowrap', 'data-testid': testid, 'data-spend': String(account.spend ?? 0) }, money(account.spend)),
    budget != null ? meter(account.spend ?? 0, budget, `Spend of ${name}`) : null,
    h('span', { class: 'cell-sub nowrap' }, budget != null ? `of ${money(budget)}` : 'No budget',
      account.budget_duration ? ` per ${account.budget_duration}` : ''));
}

export function limitsCell(a) {
  const parts = [];
  if (a.rpm_limit != null) parts.push(`${num(a.rpm_limit)} rpm`);
  if (a.tpm_limit != null) parts.push(`${num(a.tpm_limit)} tpm`);
  if (a.max_parallel_requests != null) parts.push(`${num(a.max_parallel_requests)} parallel`);
  return parts.length ? h('span', { class: 'nowrap' }, parts.join(' · ')) : h('span', { class: 'muted' }, 'None');
}

export function modelsCell(a) {
  return a.models?.length ? h('div', { class: 'chips' }, a.models.map(m => badge(m))) : h('span', { class: 'muted' }, 'All');
}

export const blockedBadge = a => a.blocked ? badge('Blocked', 'danger') : badge('Active', 'ok');
