// Modal dialogs on the native <dialog> (inert background, Esc closes) with Tab kept inside and
// focus returned to the opener; toasts announced through the aria-live region.
import { h, clear, errorBanner, uid } from './dom.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * openDialog({title, body, actions, testid, wide}) → {el, body, close, showError}.
 * onClose runs once however it closes (button, Esc, close()).
 */
export function openDialog({ title, body, actions = [], testid, wide = false, onClose }) {
  const opener = document.activeElement;
  const titleId = uid('dlg');
  const bodyEl = h('div', { class: 'dialog-body' }, body);
  const errorSlot = h('div', { class: 'dialog-error' });
  const footer = h('footer', { class: 'dialog-actions' }, actions);
  const closeBtn = h('button', { type: 'button', class: 'icon-btn dialog-x', 'aria-label': 'Close' }, '×');
  const el = h('dialog', { class: 'dialog' + (wide ? ' dialog-wide' : ''), 'aria-labelledby': titleId, 'data-testid': testid },
    h('header', { class: 'dialog-head' }, h('h2', { id: titleId }, title), closeBtn), errorSlot, bodyEl, footer);
  const close = () => { if (el.open) el.close(); };
  closeBtn.addEventListener('click', close);
  el.addEventListener('keydown', e => {
    if (e.key !== 'Tab') return;
    const items = [...el.querySelectorAll(FOCUSABLE)].filter(x => x.offsetParent !== null);
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
  el.addEventListener('close', () => {
    el.remove();
    onClose?.();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  });
  document.body.append(el);
  el.showModal();
  const autofocus = el.querySelector('[autofocus]') ?? bodyEl.querySelector(FOCUSABLE) ?? footer.querySelector(FOCUSABLE);
  autofocus?.focus();
  return {
    el, body: bodyEl, footer, close,
    showError: e => clear(errorSlot, e ? errorBanner(e) : null),
    setActions: (...a) => clear(footer, a),
  };
}

/** A yes/no question; resolves true only on the confirm button. */
export function confirmDialog(message, { title = 'Are you sure?', ok = 'Delete', danger = true } = {}) {
  return new Promise(resolve => {
    let result = false;
    const okBtn = h('button', { type: 'button', class: 'btn ' + (danger ? 'btn-danger' : 'btn-primary'), 'data-testid': 'confirm-ok' }, ok);
    const cancel = h('button', { type: 'button', class: 'btn', 'data-testid': 'confirm-cancel', autofocus: true }, 'Cancel');
    const d = openDialog({ title, body: h('p', null, message), actions: [cancel, okBtn], testid: 'confirm', onClose: () => resolve(result) });
    okBtn.addEventListener('click', () => { result = true; d.close(); });
    cancel.addEventListener('click', d.close);
    cancel.focus();
  });
}

/**
 * A form in a dialog. onSubmit(form) may throw (the error shows in the dialog, which stays open),
 * return a Node (shown in place of the form, e.g. a new key) or nothing (the dialog closes).
 */
export function formDialog({ title, form, submitLabel = 'Save', submitTestid, onSubmit, testid, onClose }) {
  const formId = uid('form');
  form.id = formId;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', form: formId, 'data-testid': submitTestid }, submitLabel);
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const d = openDialog({ title, body: form, actions: [cancel, submit], testid, onClose });
  cancel.addEventListener('click', d.close);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    submit.classList.add('busy');
    d.showError(null);
    try {
      const result = await onSubmit(form);
      if (result instanceof Node) {
        clear(d.body, result);
        const done = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'dialog-done' }, 'Done');
        done.addEventListener('click', d.close);
        d.setActions(done);
        done.focus();
      } else {
        d.close();
      }
    } catch (err) {
      d.showError(err);
      focusField(form, err?.param);
    } finally {
      submit.disabled = false;
      submit.classList.remove('busy');
    }
  });
  return d;
}

/** The API names the wrong field in `param`: put the cursor there. */
function focusField(form, param) {
  if (!param) return;
  form.querySelector(`[name="${CSS.escape(String(param))}"]`)?.focus();
}

export function toast(message, kind = 'ok') {
  const region = document.getElementById('toasts');
  if (!region) return;
  // A popover sits in the top layer above any open modal dialog, which would otherwise leave the
  // region inert (unseen and unannounced); re-opening it puts it back on top.
  if (typeof region.showPopover === 'function') {
    if (region.matches(':popover-open')) region.hidePopover();
    region.showPopover();
  }
  const el = h('div', { class: 'toast toast-' + kind, role: kind === 'error' ? 'alert' : 'status' }, message);
  region.append(el);
  setTimeout(() => el.classList.add('leaving'), 3600);
  setTimeout(() => el.remove(), 4000);
}

/** Closes every open dialog (the page under them is going away: route change, sign-out). */
export function closeDialogs() {
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
}
