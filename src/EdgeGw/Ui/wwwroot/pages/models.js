// Model groups and their deployments (/model/info; secrets come masked), live router state
// (/model/live when the gateway has it), the active health check (/health) and database models
// (/model/new, /model/update, /model/delete).
import { h, clear, pageHeader, emptyState, errorBanner, infoBanner, loading, button, table, badge } from '../lib/dom.js';
import { api, post, optional, isAdmin } from '../lib/api.js';
import { num, duration, dateTime } from '../lib/format.js';
import { formDialog, confirmDialog, toast } from '../lib/dialog.js';
import { buildForm, readForm } from '../lib/form.js';

const LIVE_REFRESH_MS = 5000;

function modelSpecs(editing) {
  return [
    { name: 'model_name', label: 'Public name', testid: 'model-name', placeholder: 'e.g. gpt-4o', required: true, hint: 'What clients send as "model"; deployments with the same name share the load' },
    { name: 'model', label: 'Provider model', testid: 'model-provider-model', placeholder: 'e.g. openai/gpt-4o', required: !editing },
    { name: 'api_base', label: 'API base', testid: 'model-api-base', placeholder: 'Provider default', wide: true },
    { name: 'api_key', label: 'API key', type: 'password', testid: 'model-api-key', placeholder: editing ? 'Unchanged' : 'os.environ/OPENAI_API_KEY or the key', hint: 'Stored encrypted; never shown again', wide: true },
    { name: 'rpm', label: 'Requests / min', type: 'int', testid: 'model-rpm', placeholder: 'No limit' },
    { name: 'tpm', label: 'Tokens / min', type: 'int', testid: 'model-tpm', placeholder: 'No limit' },
    { name: 'input_cost_per_token', label: 'Input cost / token (USD)', type: 'money', testid: 'model-input-cost', placeholder: 'Built-in price' },
    { name: 'output_cost_per_token', label: 'Output cost / token (USD)', type: 'money', testid: 'model-output-cost', placeholder: 'Built-in price' },
  ];
}

const provider = d => d.model_info?.litellm_provider ?? String(d.litellm_params?.model ?? '').split('/')[0];

export default async function render(root) {
  const state = { deployments: [], live: null, health: null, healthError: null, checking: false };
  const body = h('div', null, loading());
  const note = h('div');
  const count = h('span');
  const healthBtn = button('Run health check', runHealth, { testid: 'models-health' });
  const add = isAdmin() ? button('Add model', () => openEditor(null), { kind: 'primary', testid: 'models-add' }) : null;
  clear(root, pageHeader('Models', count, healthBtn, add), note, body);

  async function load() {
    try {
      const v2 = await optional('/v2/model/info').catch(() => null);
      const info = v2?.data ? v2 : await api('/model/info');
      state.deployments = info.data ?? [];
      await loadLive();
      draw();
    } catch (e) { clear(body, errorBanner(e, load)); }
  }

  async function loadLive() {
    try {
      const live = await optional('/model/live');
      state.live = live ? new Map((live.data ?? []).map(x => [x.model_id, x])) : null;
    } catch { state.live = null; }
  }

  async function runHealth() {
    state.checking = true;
    healthBtn.disabled = true;
    healthBtn.textContent = 'Checking…';
    try {
      const r = await api('/health');
      state.health = new Map();
      for (const e of r.healthy_endpoints ?? []) state.health.set(e.model_id, { ok: true });
      for (const e of r.unhealthy_endpoints ?? []) state.health.set(e.model_id, { ok: false, error: e.error });
      state.healthAt = new Date().toISOString();
      toast(`Health check: ${r.healthy_count ?? 0} healthy, ${r.unhealthy_count ?? 0} unhealthy`, r.unhealthy_count ? 'error' : 'ok');
    } catch (e) { toast(e.message, 'error'); } finally {
      state.checking = false;
      healthBtn.disabled = false;
      healthBtn.textContent = 'Run health check';
      draw();
    }
  }

  function liveCell(d) {
    const live = state.live?.get(d.model_info?.id);
    if (!state.live) return h('span', { class: 'muted' }, '—');
    if (!live) return h('span', { class: 'muted' }, 'No traffic yet');
    return h('div', null,
      live.healthy ? badge('Serving', 'ok') : badge(`Cooling down${live.cooldown_status ? ` (${live.cooldown_status})` : ''}`, 'danger'),
      h('span', { class: 'cell-sub' }, `${num(live.in_flight)} in flight · ${live.avg_latency_seconds ? duration(live.avg_latency_seconds * 1000) : '—'} avg`),
      !live.healthy && live.cooldown_until ? h('span', { class: 'cell-sub' }, `until ${dateTime(live.cooldown_until)}${live.cooldown_reason ? ' · ' + live.cooldown_reason : ''}`) : null);
  }

  function healthCell(d) {
    const r = state.health?.get(d.model_info?.id);
    if (!r) return h('span', { class: 'muted' }, state.health ? 'Not checked' : '—');
    return r.ok ? badge('Healthy', 'ok') : h('div', null, badge('Unhealthy', 'danger'), h('span', { class: 'cell-sub', title: r.error }, String(r.error ?? '').slice(0, 120)));
  }

  function draw() {
    const groups = new Map();
    for (const d of state.deployments) {
      if (!groups.has(d.model_name)) groups.set(d.model_name, []);
      groups.get(d.model_name).push(d);
    }
    count.textContent = `${groups.size} model group${groups.size === 1 ? '' : 's'} · ${state.deployments.length} deployment${state.deployments.length === 1 ? '' : 's'}`;
    clear(note, state.live ? null : infoBanner('Live router state (in-flight requests, cooldowns) needs GET /model/live, which this gateway does not have.'),
      state.healthAt ? h('p', { class: 'muted' }, `Last health check ${dateTime(state.healthAt)}.`) : null);
    if (!state.deployments.length) {
      clear(body, emptyState('No models', 'Add models to config.yaml’s model_list, or add one here.', add ? button('Add model', () => openEditor(null), { kind: 'primary' }) : null));
      return;
    }
    const cards = [...groups].map(([name, list]) => h('section', { class: 'card model-group', 'data-model-group': name },
      h('div', { class: 'card-head' }, h('h2', null, name), h('span', { class: 'muted' }, `${list.length} deployment${list.length === 1 ? '' : 's'}`)),
      table([
        { label: 'Deployment', class: 'c-dep', cell: d => h('div', null, h('code', { class: 'cell-title' }, d.litellm_params?.model ?? '?'), h('span', { class: 'cell-sub' }, `id ${d.model_info?.id ?? '—'}`)) },
        { label: 'Provider', class: 'c-sm', cell: d => badge(provider(d) || '—', 'accent') },
        { label: 'API base', class: 'c-md', cell: d => d.litellm_params?.api_base ? h('code', null, d.litellm_params.api_base) : h('span', { class: 'muted' }, 'Default') },
        { label: 'Limits', class: 'c-sm', cell: d => [d.litellm_params?.rpm != null ? `${num(d.litellm_params.rpm)} rpm` : null, d.litellm_params?.tpm != null ? `${num(d.litellm_params.tpm)} tpm` : null].filter(Boolean).join(' · ') || h('span', { class: 'muted' }, 'None') },
        { label: 'Live', class: 'c-md', cell: liveCell },
        { label: 'Health', class: 'c-sm', cell: healthCell },
        { label: 'Source', class: 'c-sm', cell: d => d.model_info?.db_model ? badge('Database', 'accent') : badge('Config') },
        // Config-file models are read-only through the API (as LiteLLM): only database models get actions.
        { label: 'Actions', class: 'c-act', cell: d => isAdmin() && d.model_info?.db_model ? h('div', { class: 'row-actions' },
          button('Edit', () => openEditor(d), { small: true, testid: 'model-edit' }),
          button('Delete', () => remove(d), { small: true, kind: 'danger', testid: 'model-delete' }))
          : h('span', { class: 'muted', title: d.model_info?.db_model ? '' : 'Edit config.yaml and reload to change it' }, d.model_info?.db_model ? '—' : 'config.yaml') },
      ], list, d => ({ 'data-model-id': d.model_info?.id ?? '' }), `Deployments of ${name}`)));
    clear(body, cards);
  }

  function openEditor(d) {
    const specs = modelSpecs(!!d);
    const p = d?.litellm_params ?? {};
    const values = d ? { model_name: d.model_name, model: p.model, api_base: p.api_base, rpm: p.rpm, tpm: p.tpm,
      input_cost_per_token: p.input_cost_per_token ?? d.model_info?.input_cost_per_token, output_cost_per_token: p.output_cost_per_token ?? d.model_info?.output_cost_per_token } : {};
    const form = buildForm(specs, values);
    formDialog({
      title: d ? `Edit ${d.model_name}` : 'Add model', form, testid: 'model-dialog',
      submitLabel: d ? 'Save changes' : 'Add model', submitTestid: 'model-submit',
      onSubmit: async () => {
        const { model_name, ...params } = readForm(form, specs);
        if (d) await post('/model/update', { model_name, litellm_params: params, model_info: { id: d.model_info.id } });
        else await post('/model/new', { model_name, litellm_params: params });
        toast(d ? 'Model updated' : `Model ${model_name} added`);
        await load();
      },
    });
  }

  async function remove(d) {
    if (!await confirmDialog(`Delete deployment ${d.litellm_params?.model} of ${d.model_name}? Requests stop going to it at once.`, { title: 'Delete model?' })) return;
    try {
      await post('/model/delete', { id: d.model_info.id });
      toast('Model deleted');
      await load();
    } catch (e) { toast(e.message, 'error'); }
  }

  await load();
  const timer = setInterval(async () => {
    if (!state.live || document.hidden || !body.isConnected) return;
    await loadLive();
    draw();
  }, LIVE_REFRESH_MS);
  return () => clearInterval(timer);
}
