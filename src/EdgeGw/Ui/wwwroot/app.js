// Boot: theme, session probe, then the login or the console shell with hash routing.
import { h, clear, errorBanner, loading } from './lib/dom.js';
import { api, setSession, session, whenUnauthorized, isAdmin } from './lib/api.js';
import { PAGES, parseHash, startRouter } from './lib/router.js';
import { icon } from './lib/icons.js';
import { renderLogin } from './pages/login.js';
import { closeDialogs } from './lib/dialog.js';

const THEME_KEY = 'edgegw-theme';
const root = document.getElementById('app');
let cleanup = null;
let routerStarted = false;
let shell = null;

// The one thing kept in the browser: the chosen theme (absent = follow the system).
function applyTheme(theme) {
  if (theme === 'dark' || theme === 'light') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
const currentTheme = () => document.documentElement.dataset.theme
  ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
applyTheme(localStorage.getItem(THEME_KEY));

function themeButton() {
  const btn = h('button', { type: 'button', class: 'icon-btn', 'data-testid': 'theme-toggle' });
  const paint = () => {
    const dark = currentTheme() === 'dark';
    const label = dark ? 'Switch to light theme' : 'Switch to dark theme';
    clear(btn, icon(dark ? 'sun' : 'moon'), h('span', { class: 'sr-only' }, label));
    btn.title = label;
  };
  btn.addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
    paint();
  });
  paint();
  return btn;
}

function showLogin(message) {
  closeDialogs();
  cleanup?.();
  cleanup = null;
  shell = null;
  setSession(null);
  document.title = 'Sign in · EdgeGw';
  clear(root, renderLogin({ message, themeButton: themeButton(), onLoggedIn: body => { setSession(body); showShell(); } }));
  root.className = 'login-root';
}

async function logout() {
  try { await api('/ui/logout', { method: 'POST', quiet401: true }); } catch { /* the session is gone either way */ }
  showLogin('You are signed out.');
}

function buildShell() {
  const links = PAGES.filter(p => !p.admin || isAdmin()).map(p =>
    h('li', null, h('a', { href: `#/${p.path}`, class: 'nav-link', 'data-page': p.path, title: p.title }, icon(p.icon), h('span', null, p.title))));
  const nav = h('nav', { class: 'sidebar', id: 'sidebar', 'aria-label': 'Main' },
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'E'), h('span', null, 'EdgeGw'), h('small', { class: 'muted' }, 'admin')),
    h('ul', { class: 'nav' }, links));
  const menu = h('button', { type: 'button', class: 'icon-btn menu-btn', 'aria-controls': 'sidebar', 'aria-expanded': 'false' }, icon('menu'), h('span', { class: 'sr-only' }, 'Menu'));
  menu.addEventListener('click', () => {
    const open = !document.body.classList.contains('nav-open');
    document.body.classList.toggle('nav-open', open);
    menu.setAttribute('aria-expanded', String(open));
  });
  nav.addEventListener('click', e => {
    if (e.target.closest('a')) { document.body.classList.remove('nav-open'); menu.setAttribute('aria-expanded', 'false'); }
  });
  const who = isAdmin() ? 'Admin' : session.user?.id ?? '';
  const user = h('span', { class: 'whoami', title: `${session.user?.id ?? ''} (${session.user?.role ?? ''})` }, who);
  const out = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'logout' }, icon('logout'), h('span', null, 'Sign out'));
  out.addEventListener('click', logout);
  const top = h('header', { class: 'topbar' }, menu, h('div', { class: 'topbar-spacer' }), user, themeButton(), out);
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const skip = h('a', { href: '#main', class: 'skip' }, 'Skip to content');
  skip.addEventListener('click', e => { e.preventDefault(); main.focus(); });
  root.className = 'shell';
  clear(root, skip, nav, h('div', { class: 'content' }, top, main));
  return { main, nav };
}

let renderSeq = 0;
let rendered = 0;
async function renderRoute({ page, params }) {
  const navigated = rendered++ > 0;
  if (!shell) return;
  const seq = ++renderSeq;
  closeDialogs();
  cleanup?.();
  cleanup = null;
  for (const a of shell.nav.querySelectorAll('a')) {
    if (a.dataset.page === page.path) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.title = `${page.title} · EdgeGw`;
  if (page.admin && !isAdmin()) {
    clear(shell.main, h('h1', null, page.title), errorBanner(new Error('Only an admin can see this page.')));
    return;
  }
  clear(shell.main, loading());
  try {
    const module = await import(`./pages/${page.path}.js`);
    if (seq !== renderSeq) return;
    clear(shell.main);
    const result = await module.default(shell.main, { params });
    if (seq !== renderSeq) { if (typeof result === 'function') result(); return; }
    cleanup = typeof result === 'function' ? result : null;
    // A screen reader hears the new page's title, as after a full page load.
    if (navigated) shell.main.querySelector('h1')?.focus({ preventScroll: true });
  } catch (e) {
    if (seq === renderSeq) clear(shell.main, h('h1', null, page.title), errorBanner(e, () => renderRoute({ page, params })));
  }
}

function showShell() {
  shell = buildShell();
  if (!routerStarted) { routerStarted = true; startRouter(renderRoute); } else renderRoute(parseHash());
  shell.main.focus({ preventScroll: true });
}

whenUnauthorized(() => { if (shell) showLogin('Your session has expired. Sign in again.'); });

async function boot() {
  try {
    const body = await api('/ui/session', { quiet401: true });
    setSession(body);
    showShell();
  } catch (e) {
    showLogin(e.status === 401 || e.status === 404 ? null : e.message);
  }
}
boot();
