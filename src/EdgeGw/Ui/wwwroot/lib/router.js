// Hash routes (#/keys, #/logs?key=…): each page is a module loaded on first visit whose default
// export renders into the main area and may return a cleanup function.

export const PAGES = [
  { path: 'keys', title: 'Keys', icon: 'key', admin: false },
  { path: 'teams', title: 'Teams', icon: 'team', admin: true },
  { path: 'users', title: 'Users', icon: 'user', admin: true },
  { path: 'models', title: 'Models', icon: 'model', admin: false },
  { path: 'usage', title: 'Usage', icon: 'chart', admin: false },
  { path: 'logs', title: 'Logs', icon: 'logs', admin: false },
  { path: 'playground', title: 'Playground', icon: 'chat', admin: false },
];

export function parseHash(hash = location.hash) {
  const text = hash.replace(/^#\/?/, '');
  const [path, query = ''] = text.split('?');
  const page = PAGES.find(p => p.path === path) ?? PAGES[0];
  return { page, params: new URLSearchParams(query) };
}

/** Replace the query part of the current route without re-rendering (filters kept in the URL). */
export function setParams(params) {
  const { page } = parseHash();
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString();
  history.replaceState(null, '', `#/${page.path}${qs ? '?' + qs : ''}`);
}

export function startRouter(render) {
  window.addEventListener('hashchange', () => render(parseHash()));
  render(parseHash());
}
