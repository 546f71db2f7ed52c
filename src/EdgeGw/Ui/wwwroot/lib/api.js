// The admin API over the session cookie. The CSRF token lives only in memory; nothing secret is stored.

let csrfToken = null;
let onUnauthorized = () => {};

export const session = { user: null };

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.param = body?.error?.param ?? null;
    this.type = body?.error?.type ?? null;
  }
}

export function setSession(body) {
  csrfToken = body?.csrf_token ?? null;
  session.user = body ? { id: body.user_id, role: body.user_role, expiresAt: body.expires_at } : null;
}

export const isAdmin = () => session.user?.role === 'proxy_admin';

/** Called with no arguments when a request answers 401 (session expired): the app shows the login. */
export function whenUnauthorized(fn) { onUnauthorized = fn; }

function url(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach(x => params.append(k, x)); else params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorOf(response) {
  let body = null;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    body = await response.json();
    const detail = body?.error?.message ?? body?.detail?.error ?? body?.detail ?? body?.message;
    if (detail) message = typeof detail === 'string' ? detail : JSON.stringify(detail);
  } catch { /* not JSON: keep the status line */ }
  return new ApiError(response.status, message, body);
}

/**
 * fetch + JSON. Options: method, body (JSON), query, headers, signal, raw (return the Response),
 * quiet401 (do not bounce to the login, for the session probe itself).
 */
export async function api(path, opts = {}) {
  const method = opts.method ?? (opts.body !== undefined ? 'POST' : 'GET');
  const headers = { Accept: 'application/json', ...opts.headers };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken && !headers.Authorization) headers['X-CSRF-Token'] = csrfToken;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url(path, opts.query), {
      method, headers, credentials: 'same-origin', signal: opts.signal,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Cannot reach the gateway: ' + e.message, null);
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !opts.quiet401 && !headers.Authorization) onUnauthorized();
    throw error;
  }
  if (opts.raw) return response;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const post = (path, body, opts) => api(path, { ...opts, method: 'POST', body: body ?? {} });

/** For endpoints that may not exist on this gateway yet: null on 404/405, the body otherwise. */
export async function optional(path, opts) {
  try {
    return await api(path, opts);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405) && !e.param) return null;
    throw e;
  }
}

/** Every key, following /key/list pages (bounded: 50 pages of 100). */
export async function allKeys() {
  const keys = [];
  for (let page = 1; page <= 50; page++) {
    const body = await api('/key/list', { query: { return_full_object: 'true', page, size: 100 } });
    keys.push(...(body.keys ?? []).filter(k => typeof k === 'object'));
    if (page >= (body.total_pages ?? 1)) break;
  }
  return keys;
}

export async function allTeams() {
  const body = await api('/team/list');
  return Array.isArray(body) ? body : body?.teams ?? body?.data ?? [];
}

/** Model names the caller may use, from /v1/models. */
export async function modelNames() {
  const body = await api('/v1/models');
  return (body?.data ?? []).map(m => m.id).sort();
}

/** Headers for a raw fetch (streams) made with the session cookie. */
export const csrfHeaders = () => (csrfToken ? { 'X-CSRF-Token': csrfToken } : {});

/** The OpenAI-envelope message of a failed raw fetch. */
export const errorFrom = errorOf;
