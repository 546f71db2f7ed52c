// A secret shown once (a new key): the text, a copy button, and the warning that it will not be shown again.
import { h } from './dom.js';
import { toast } from './dialog.js';

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Plain http on a non-loopback host has no clipboard API: fall back to a selection copy.
    const area = h('textarea', { class: 'sr-only', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

export function secretView(title, secret, note) {
  const copy = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'copy-key' }, 'Copy');
  copy.addEventListener('click', async () => {
    await copyText(secret);
    copy.textContent = 'Copied';
    toast('Key copied to the clipboard');
  });
  return h('div', { class: 'secret-view' },
    h('p', null, h('strong', null, title)),
    h('p', { class: 'muted' }, note ?? 'Copy it now: this is the only time it is shown. The gateway keeps only its hash.'),
    h('div', { class: 'secret' }, h('code', { 'data-testid': 'created-key' }, secret), copy));
}
