// Sign in with UI_USERNAME/UI_PASSWORD, or `admin` and the master key (LiteLLM's rules).
import { h, field, clear } from '../lib/dom.js';
import { api } from '../lib/api.js';

export function renderLogin({ message, themeButton, onLoggedIn }) {
  const username = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, value: 'admin' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { id: 'login-submit', type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const status = h('div', { class: 'login-status' });
  if (message) status.append(h('p', { class: 'banner banner-info', role: 'status' }, message));
  const form = h('form', { class: 'login-form', novalidate: true },
    field('Username', username), field('Password', password, 'UI_PASSWORD, or the master key with username admin'), submit);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (!username.value.trim() || !password.value) {
      clear(status, h('p', { class: 'banner banner-error', role: 'alert' }, 'Enter a username and a password.'));
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const body = await api('/ui/login', { method: 'POST', body: { username: username.value.trim(), password: password.value }, quiet401: true });
      password.value = '';
      onLoggedIn(body);
    } catch (err) {
      const text = err.status === 401 ? 'Wrong username or password.'
        : err.status === 429 ? err.message || 'Too many attempts. Wait a minute and try again.'
        : err.status === 404 ? 'The admin UI is disabled on this gateway.' : err.message;
      clear(status, h('p', { class: 'banner banner-error', role: 'alert' }, text));
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  queueMicrotask(() => (username.value ? password : username).focus());
  return h('div', { class: 'login-page' },
    h('div', { class: 'login-theme' }, themeButton),
    h('main', { class: 'login-card' },
      h('div', { class: 'brand brand-large' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'E'), h('span', null, 'EdgeGw')),
      h('h1', null, 'Sign in'),
      h('p', { class: 'muted' }, 'Admin console for keys, teams, spend and models.'),
      status, form));
}
