// history.js: the list of the owner's interviews, a page at a time, with
// whose interviews they are and the "Use an API key" form.

import { api } from './api.js';
import { badge } from './debrief.js';
import { $, el } from './dom.js';
import { fmtDate, roleLabel, STATUS_LABELS } from './format.js';
import { showView, state } from './view.js';

/** showHistory shows the history view and loads its first page. */
export async function showHistory() {
  showView('history', 'History');
  const list = $('history-list');
  const status = $('history-status');
  status.textContent = 'Loading…';
  list.replaceChildren();
  $('history-more').hidden = true;
  showOwner();
  try {
    const data = await api('/api/v1/interviews');
    if (state.view !== 'history') return;
    const interviews = data.interviews || [];
    if (interviews.length) status.textContent = 'Newest first';
    else status.replaceChildren('No interviews yet. ', el('a', { href: '#/', text: 'Start your first one' }), '.');
    list.replaceChildren(...interviews.map(historyItem));
    setMore(data.next_cursor);
  } catch (e) {
    status.textContent = `Could not load your interviews: ${e.message}`;
  }
}

// setMore offers the next page of the history, if there is one.
function setMore(cursor) {
  const more = $('history-more');
  more.hidden = !cursor;
  more.dataset.cursor = cursor || '';
}

async function showMore() {
  const more = $('history-more');
  more.disabled = true;
  try {
    const data = await api(`/api/v1/interviews?cursor=${encodeURIComponent(more.dataset.cursor)}`);
    $('history-list').append(...(data.interviews || []).map(historyItem));
    setMore(data.next_cursor);
  } catch (e) {
    $('history-status').textContent = `Could not load older interviews: ${e.message}`;
  } finally {
    more.disabled = false;
  }
}

// showOwner says whose interviews these are: this browser's, or an API key's.
async function showOwner() {
  const line = $('history-owner');
  try {
    const me = await api('/api/v1/me');
    line.textContent = me.key_name
      ? `Showing the interviews of the API key “${me.key_name}”.`
      : 'Showing the interviews started in this browser.';
  } catch {
    line.textContent = '';
  }
}

// useKey makes this browser the owner of an API key's interviews.
async function useKey(event) {
  event.preventDefault();
  const input = $('key-input');
  const status = $('key-status');
  status.textContent = 'Checking…';
  try {
    const me = await api('/api/v1/session', { method: 'POST', body: JSON.stringify({ key: input.value.trim() }) });
    input.value = '';
    status.textContent = `Now using the key “${me.key_name}”.`;
    $('key-login').open = false;
    showHistory();
  } catch (e) {
    status.textContent = e.message;
  }
}

function historyItem(iv) {
  const names = (iv.principles || []).map((p) => p.name).join(' · ');
  const chars = [...(iv.focus || '')];
  const focus = chars.length > 160 ? `${chars.slice(0, 157).join('')}…` : iv.focus;
  const action = iv.status === 'complete' ? 'View debrief' : iv.status === 'grading' ? 'View' : 'Resume';
  return el('li', { 'data-testid': 'history-item', 'data-id': iv.id, 'data-status': iv.status }, [
    el('a', { class: 'history-card card', href: `#/interview/${encodeURIComponent(iv.id)}` }, [
      el('div', { class: 'history-main' }, [
        el('span', { class: 'history-title', text: `${roleLabel(iv.role)} · ${iv.level}` }),
        names && el('span', { class: 'history-principles', text: names }),
        focus && el('span', { class: 'history-focus', text: `“${focus}”` }),
      ]),
      el('div', { class: 'history-side' }, [
        el('time', { datetime: iv.created_at, text: fmtDate(iv.created_at) }),
        el('span', { class: 'history-badges' }, [
          el('span', { class: `status status-${iv.status}`, text: STATUS_LABELS[iv.status] || iv.status }),
          iv.recommendation && badge(iv.recommendation),
        ]),
        el('span', { class: 'history-action', text: `${action} →` }),
      ]),
    ]),
  ]);
}

/** initHistory wires the key form and the "Show older" button once. */
export function initHistory() {
  $('key-form').addEventListener('submit', useKey);
  $('history-more').addEventListener('click', showMore);
}
