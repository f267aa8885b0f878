// share.js: the debrief's actions: download it as Markdown, copy a share
// link (with the link shown in a read-only box when the clipboard cannot
// be used), and revoke every share link, each saying how it went in a
// live region.

import { api } from './api.js';
import { el } from './dom.js';

/** debriefActions builds the action bar for the debrief of interview id. */
export function debriefActions(id) {
  const path = `/api/v1/interviews/${encodeURIComponent(id)}`;
  const status = el('p', { class: 'action-status hint', role: 'status', 'aria-live': 'polite', 'data-testid': 'share-status' });
  const input = el('input', {
    id: 'share-url', type: 'text', readonly: true, class: 'share-url', 'data-testid': 'share-url',
    onfocus: (ev) => ev.target.select(),
  });
  const fallback = el('div', { class: 'share-fallback', hidden: true, 'data-testid': 'share-fallback' }, [
    el('label', { for: 'share-url', text: 'Share link (select it and copy)' }),
    input,
  ]);
  const say = (text) => { status.textContent = text; };
  const busy = [];

  async function run(work) {
    for (const b of busy) b.disabled = true;
    try { await work(); } finally { for (const b of busy) b.disabled = false; }
  }

  async function copy() {
    fallback.hidden = true;
    say('Making a share link…');
    let link;
    try {
      link = await api(`${path}/share`, { method: 'POST' });
    } catch (e) {
      say(`Could not make a share link: ${e.message}`);
      return;
    }
    const url = new URL(link.url, location.origin).href;
    input.value = url;
    try {
      if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      say('Share link copied. Anyone who has it can read this debrief until you revoke it.');
    } catch {
      fallback.hidden = false;
      say('The clipboard is not available here: copy the link from the box below.');
      input.focus();
    }
  }

  async function revoke() {
    say('Revoking share links…');
    try {
      await api(`${path}/share`, { method: 'DELETE' });
    } catch (e) {
      say(`Could not revoke: ${e.message}`);
      return;
    }
    fallback.hidden = true;
    input.value = '';
    say('Every share link of this interview now stops working.');
  }

  const copyBtn = el('button', {
    type: 'button', class: 'btn small', 'data-testid': 'copy-share', text: 'Copy share link', onclick: () => run(copy),
  });
  const revokeBtn = el('button', {
    type: 'button', class: 'btn small ghost', 'data-testid': 'revoke-share', text: 'Revoke link', onclick: () => run(revoke),
  });
  busy.push(copyBtn, revokeBtn);
  return el('div', { class: 'debrief-actions', 'data-testid': 'debrief-actions' }, [
    el('div', { class: 'action-row', role: 'group', 'aria-label': 'Debrief actions' }, [
      el('a', {
        class: 'btn small', href: `${path}/debrief.md`, download: `barraiser-${id}.md`,
        'data-testid': 'download-md', text: 'Download Markdown',
      }),
      copyBtn,
      revokeBtn,
    ]),
    status,
    fallback,
  ]);
}
