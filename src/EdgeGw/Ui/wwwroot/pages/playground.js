// Chat with any model through the gateway, streamed: as this session (admin) or with a virtual
// key typed in (sent as a Bearer header, kept only in this page's memory).
import { h, clear, pageHeader, field, button, errorBanner } from '../lib/dom.js';
import { api, csrfHeaders, errorFrom, isAdmin } from '../lib/api.js';
import { num, duration } from '../lib/format.js';
import { sseData } from '../lib/sse.js';

export default async function render(root) {
  const messages = [];
  let controller = null;
  const model = h('select', { 'data-testid': 'pg-model', name: 'model' }, h('option', { value: '' }, 'Loading models…'));
  const key = h('input', { type: 'password', 'data-testid': 'pg-key', name: 'key', autocomplete: 'off', placeholder: isAdmin() ? 'This session' : 'sk-…' });
  const system = h('textarea', { 'data-testid': 'pg-system', rows: 3, placeholder: 'You are a helpful assistant.' });
  const temperature = h('input', { type: 'number', min: '0', max: '2', step: '0.1', 'data-testid': 'pg-temperature', placeholder: 'Default' });
  const maxTokens = h('input', { type: 'number', min: '1', step: '1', 'data-testid': 'pg-max-tokens', placeholder: 'Default' });
  const stream = h('input', { type: 'checkbox', checked: true, 'data-testid': 'pg-stream' });
  const output = h('div', { class: 'pg-output', 'data-testid': 'pg-output', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  const input = h('textarea', { 'data-testid': 'pg-input', rows: 2, placeholder: 'Ask something… (Ctrl+Enter sends)' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'pg-send' }, 'Send');
  const stop = button('Stop', () => controller?.abort(), { testid: 'pg-stop', disabled: true });
  const reset = button('Clear chat', () => { messages.length = 0; showEmpty(); }, { small: true, testid: 'pg-clear' });
  const modelError = h('div');
  const settingsSubmit = e => e.preventDefault();
  const compose = h('form', { class: 'pg-compose' }, h('label', { class: 'sr-only', for: 'pg-input' }, 'Message'), input, send, stop);
  input.id = 'pg-input';

  clear(root, pageHeader('Playground', 'Chat with any model through the gateway, with this session or a virtual key.'),
    h('div', { class: 'pg' },
      h('form', { class: 'card pg-settings', 'aria-label': 'Request settings' },
        field('Model', model),
        field('Virtual key', key, isAdmin() ? 'Empty: this session. Kept in memory only.' : 'Kept in memory only.'),
        modelError,
        field('System prompt', system),
        h('div', { class: 'form-grid' }, field('Temperature', temperature), field('Max tokens', maxTokens)),
        h('label', { class: 'check' }, stream, 'Stream the answer'),
        h('p', null, reset)),
      h('section', { class: 'card' }, output, compose)));

  function showEmpty() {
    clear(output, h('p', { class: 'muted empty-chat' }, 'Pick a model and send a message. The request goes through the gateway like any client’s, so it counts towards spend and limits.'));
  }
  showEmpty();
  root.querySelector('.pg-settings').addEventListener('submit', settingsSubmit);

  const authHeaders = () => key.value.trim() ? { Authorization: `Bearer ${key.value.trim()}` } : csrfHeaders();

  /** The models the chosen credential may use (a key may see fewer than the admin). */
  async function loadModels() {
    const previous = model.value;
    clear(modelError);
    try {
      const body = await api('/v1/models', { headers: key.value.trim() ? authHeaders() : {} });
      const ids = (body?.data ?? []).map(m => m.id).sort();
      clear(model, ids.length ? ids.map(id => h('option', { value: id, selected: id === previous }, id)) : h('option', { value: '' }, 'No models available'));
    } catch (e) {
      // Keep the list: sending then shows the same refusal in the conversation.
      if (!model.options.length || !model.value) clear(model, h('option', { value: '' }, 'No models'));
      clear(modelError, errorBanner(e));
    }
  }
  key.addEventListener('change', loadModels);

  function bubble(role, text) {
    if (output.querySelector('.empty-chat')) clear(output);
    const el = h('div', { class: `msg msg-${role}` }, h('div', { class: 'msg-text' }, text));
    output.append(el);
    output.scrollTop = output.scrollHeight;
    return el;
  }

  async function ask(text) {
    messages.push({ role: 'user', content: text });
    bubble('user', text);
    const reply = bubble('assistant', '');
    reply.setAttribute('data-testid', 'pg-reply');
    const textEl = reply.querySelector('.msg-text');
    const request = { model: model.value, messages: [...(system.value.trim() ? [{ role: 'system', content: system.value.trim() }] : []), ...messages], stream: stream.checked };
    if (stream.checked) request.stream_options = { include_usage: true };
    if (temperature.value !== '') request.temperature = Number(temperature.value);
    if (maxTokens.value !== '') request.max_tokens = Number(maxTokens.value);
    controller = new AbortController();
    const started = performance.now();
    let firstToken = null;
    let usage = null;
    let answer = '';
    setBusy(true);
    try {
      const response = await fetch('/v1/chat/completions', {
        method: 'POST', signal: controller.signal, credentials: key.value.trim() ? 'omit' : 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: stream.checked ? 'text/event-stream' : 'application/json', ...authHeaders() },
        body: JSON.stringify(request),
      });
      if (!response.ok) throw await errorFrom(response);
      if (stream.checked) {
        for await (const data of sseData(response, controller.signal)) {
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message ?? 'The stream failed');
          const delta = chunk.choices?.[0]?.delta?.content;
          if (delta) {
            firstToken ??= performance.now();
            answer += delta;
            textEl.textContent = answer;
            output.scrollTop = output.scrollHeight;
          }
          if (chunk.usage) usage = chunk.usage;
        }
      } else {
        const body = await response.json();
        answer = body.choices?.[0]?.message?.content ?? '';
        textEl.textContent = answer;
        usage = body.usage;
      }
      messages.push({ role: 'assistant', content: answer });
      const meta = [`${duration(performance.now() - started)}`];
      if (firstToken) meta.push(`first token ${duration(firstToken - started)}`);
      if (usage) meta.push(`${num(usage.prompt_tokens)} in · ${num(usage.completion_tokens)} out`);
      reply.append(h('div', { class: 'msg-meta' }, meta.join(' · ')));
    } catch (e) {
      if (e.name === 'AbortError') {
        reply.append(h('div', { class: 'msg-meta' }, 'Stopped'));
        if (answer) messages.push({ role: 'assistant', content: answer });
      } else {
        if (!answer) reply.remove();
        messages.pop();
        output.append(h('div', { class: 'msg msg-error banner banner-error', role: 'alert' }, e.message));
      }
    } finally {
      setBusy(false);
      controller = null;
      output.scrollTop = output.scrollHeight;
    }
  }

  function setBusy(busy) {
    send.disabled = busy;
    stop.disabled = !busy;
    send.textContent = busy ? 'Sending…' : 'Send';
  }

  compose.addEventListener('submit', e => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || controller) return;
    if (!model.value) { model.focus(); return; }
    input.value = '';
    ask(text);
  });
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); compose.requestSubmit(); }
  });

  await loadModels();
  return () => controller?.abort();
}
