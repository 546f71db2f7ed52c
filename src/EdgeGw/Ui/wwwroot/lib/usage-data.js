// Usage over a date range, normalised from GET /user/daily/activity (LiteLLM's daily activity
// shape) or, on gateways without it, GET /global/spend/report?group_by=team.
// Result: Map(date → {total, model: Map, key: Map, team: Map}) of metrics {spend, prompt, completion, tokens, requests}.
import { api, optional } from './api.js';

const zero = () => ({ spend: 0, prompt: 0, completion: 0, tokens: 0, requests: 0 });

function add(target, m) {
  target.spend += m.spend || 0;
  target.prompt += m.prompt || 0;
  target.completion += m.completion || 0;
  target.tokens += m.tokens || 0;
  target.requests += m.requests || 0;
}

function into(map, name, m) {
  if (!map.has(name)) map.set(name, zero());
  add(map.get(name), m);
}

const fromActivity = m => ({
  spend: m?.spend ?? 0, prompt: m?.prompt_tokens ?? 0, completion: m?.completion_tokens ?? 0,
  tokens: m?.total_tokens ?? (m?.prompt_tokens ?? 0) + (m?.completion_tokens ?? 0), requests: m?.api_requests ?? 0,
});

function day(days, date) {
  if (!days.has(date)) days.set(date, { total: zero(), model: new Map(), key: new Map(), team: new Map() });
  return days.get(date);
}

/** Every page of the daily activity (bounded: 20 pages of 1000 rows); null when the endpoint does not exist. */
async function activity(from, to) {
  const days = new Map();
  const keyInfo = new Map();
  for (let page = 1; page <= 20; page++) {
    const body = await optional('/user/daily/activity', { query: { start_date: from, end_date: to, page, page_size: 1000 } });
    if (!body) return null;
    for (const r of body.results ?? []) {
      const d = day(days, r.date);
      add(d.total, fromActivity(r.metrics));
      const b = r.breakdown ?? {};
      const models = b.model_groups && Object.keys(b.model_groups).length ? b.model_groups : b.models ?? {};
      for (const [name, v] of Object.entries(models)) into(d.model, name, fromActivity(v.metrics));
      for (const [hash, v] of Object.entries(b.api_keys ?? {})) {
        const m = fromActivity(v.metrics);
        into(d.key, hash, m);
        if (v.metadata) keyInfo.set(hash, v.metadata);
        into(d.team, v.metadata?.team_id ?? '', m);
      }
    }
    if (!body.metadata?.has_more) break;
  }
  return { days, keyInfo, source: '/user/daily/activity' };
}

async function report(from, to) {
  const days = new Map();
  const teamNames = new Map();
  const body = await api('/global/spend/report', { query: { start_date: from, end_date: to, group_by: 'team' } });
  for (const r of body ?? []) {
    const d = day(days, String(r.group_by_day).slice(0, 10));
    for (const t of r.teams ?? []) {
      const m = { spend: t.total_spend, prompt: t.prompt_tokens, completion: t.completion_tokens, tokens: t.total_tokens, requests: t.requests };
      add(d.total, m);
      into(d.team, t.team_id ?? '', m);
      if (t.team_id) teamNames.set(t.team_id, t.team_name);
      for (const c of t.metadata ?? []) {
        const cm = { spend: c.spend, tokens: c.total_tokens };
        into(d.model, c.model, cm);
        into(d.key, c.api_key, cm);
      }
    }
  }
  return { days, keyInfo: new Map(), teamNames, source: '/global/spend/report' };
}

export async function loadUsage(from, to) {
  return (await activity(from, to)) ?? report(from, to);
}

/** Each day from..to (UTC), so charts show quiet days as zero. */
export function dayRange(from, to) {
  const out = [];
  const d = new Date(from + 'T00:00:00Z');
  const end = new Date(to + 'T00:00:00Z');
  for (let i = 0; d <= end && i < 400; i++) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** Sums over all days of one dimension (model, key, team), highest spend first. */
export function totalsBy(days, dimension) {
  const map = new Map();
  for (const d of days.values()) for (const [name, m] of d[dimension]) into(map, name, m);
  return [...map].sort((a, b) => b[1].spend - a[1].spend || b[1].tokens - a[1].tokens);
}

export function grandTotal(days) {
  const t = zero();
  for (const d of days.values()) add(t, d.total);
  return t;
}
