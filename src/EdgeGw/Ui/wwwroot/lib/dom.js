// Element builders: every text goes through textContent, never innerHTML, so API data cannot inject markup.

/** h('button', {class: 'btn', onclick: fn, 'data-testid': 'x'}, 'Label', child…) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element (charts, icons). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else if (name === 'value' && 'value' in el && !(el instanceof SVGElement)) el.value = value;
    else if (name === 'checked' || name === 'selected') el[name] = !!value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let idCounter = 0;
export const uid = (prefix = 'id') => `${prefix}-${++idCounter}`;

/** A labelled form control: label + input (or select/textarea) + optional hint. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const hintEl = hint ? h('small', { class: 'hint', id: control.id + '-hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** Page header: the <h1> every page carries, a subtitle and actions on the right. */
export function pageHeader(title, subtitle, ...actions) {
  return h('header', { class: 'page-head' },
    h('div', null, h('h1', { tabindex: '-1' }, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null),
    h('div', { class: 'actions' }, actions));
}

export function emptyState(title, text, action) {
  return h('div', { class: 'empty', 'data-testid': 'empty' },
    h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '∅'),
    h('p', { class: 'empty-title' }, title), text ? h('p', { class: 'muted' }, text) : null, action);
}

/** An error banner (role=alert so screen readers and tests find it). */
export function errorBanner(error, retry) {
  const message = error && error.message ? error.message : String(error);
  return h('div', { class: 'banner banner-error', role: 'alert' },
    h('span', null, message),
    retry ? h('button', { class: 'btn btn-small', type: 'button', onclick: retry }, 'Retry') : null);
}

export function infoBanner(text) {
  return h('div', { class: 'banner banner-info', role: 'status' }, text);
}

export function loading(text = 'Loading…') {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function button(label, onclick, { kind = '', testid, small = false, title, type = 'button', disabled } = {}) {
  return h('button', {
    type, class: ['btn', kind && 'btn-' + kind, small && 'btn-small'].filter(Boolean).join(' '),
    onclick, 'data-testid': testid, title, 'aria-label': title && title !== label ? title : null, disabled,
  }, label);
}

/**
 * A table; on narrow screens CSS turns rows into cards using each cell's data-label.
 * columns: [{label, cell: row => Node|string, class}], rowAttrs: row => attrs.
 */
export function table(columns, rows, rowAttrs, caption) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table' },
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', null, h('tr', null, columns.map(c => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', null, rows.map(row => h('tr', rowAttrs ? rowAttrs(row) : null,
        columns.map(c => h('td', { 'data-label': c.label, class: c.class }, c.cell(row))))))));
}

/** A spend-vs-budget meter; turns amber past 80 % and red at the budget. */
export function meter(value, max, label) {
  const wrap = h('div', { class: 'meter', role: 'meter', 'aria-label': label, 'aria-valuemin': '0',
    'aria-valuemax': String(max || 0), 'aria-valuenow': String(value || 0) });
  const bar = h('div', { class: 'meter-bar' });
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  bar.style.width = (ratio * 100).toFixed(1) + '%';
  if (ratio >= 1) bar.classList.add('over'); else if (ratio >= 0.8) bar.classList.add('warn');
  wrap.append(bar);
  return wrap;
}

export function badge(text, kind = '') {
  return h('span', { class: 'badge' + (kind ? ' badge-' + kind : '') }, text);
}

/** Debounce for search boxes. */
export function debounce(fn, ms = 200) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
