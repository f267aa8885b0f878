// history.js: the list of the owner's interviews, a page at a time and
// narrowed by the filters, with whose interviews they are, the charts
// above it and the "Use an API key" form.

import { api } from './api.js';
import { badge } from './debrief.js';
import { askDelete, initDeletion } from './deletion.js';
import { $, el } from './dom.js';
import { fmtDate, roleLabel, STATUS_LABELS } from './format.js';
import { clearProgress, loadProgress } from './progress.js';
import { showView, state } from './view.js';

let lists = 0;          // counts list loads, so that a slow old answer never wins
let catalog = null;     // the principles offered in the principle filter

/** showHistory shows the history view and loads its first page and the charts. */
export function showHistory() {
  showView('history', 'History');
  showOwner();
  fillPrinciples();
  clearProgress();
  loadProgress();
  return loadList();
}

// filterQuery turns the filter form into the list's query parameters. A
// "to" day is included: the bound sent is the start of the next day.
function filterQuery() {
  const q = new URLSearchParams();
  for (const name of ['status', 'principle', 'role']) {
    const v = $(`filter-${name}`).value;
    if (v) q.set(name, v);
  }
  const day = (id, plus) => {
    const v = $(id).value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return '';
    const [y, m, d] = v.split('-').map(Number);
    return new Date(y, m - 1, d + plus).toISOString().replace('.000Z', 'Z');
  };
  if (day('filter-from', 0)) q.set('from', day('filter-from', 0));
  if (day('filter-to', 1)) q.set('to', day('filter-to', 1));
  return q;
}

// filtered is true when any filter narrows the list.
const filtered = () => [...filterQuery().keys()].length > 0;

// loadList loads the first page of the list under the current filters.
async function loadList() {
  const mine = ++lists;
  const list = $('history-list');
  const status = $('history-status');
  status.textContent = 'Loading…';
  list.replaceChildren();
  setMore(null);
  const q = filterQuery();
  try {
    const qs = q.toString();
    const data = await api(`/api/v1/interviews${qs ? `?${qs}` : ''}`);
    if (mine !== lists || state.view !== 'history') return;
    const interviews = data.interviews || [];
    list.replaceChildren(...interviews.map(historyItem));
    setStatus();
    setMore(data.next_cursor);
  } catch (e) {
    if (mine === lists) status.textContent = `Could not load your interviews: ${e.message}`;
  }
}

// setStatus says what the list shows, or that it is empty.
export function setStatus() {
  const status = $('history-status');
  const n = $('history-list').children.length;
  if (n) status.textContent = filtered() ? 'Interviews that match the filters, newest first' : 'Newest first';
  else if (filtered()) status.textContent = 'No interviews match these filters.';
  else status.replaceChildren('No interviews yet. ', el('a', { href: '#/', text: 'Start your first one' }), '.');
}

// setMore offers the next page of the history, if there is one.
function setMore(cursor) {
  const more = $('history-more');
  more.hidden = !cursor;
  more.dataset.cursor = cursor || '';
}

async function showMore() {
  const more = $('history-more');
  const mine = lists;
  more.disabled = true;
  const q = filterQuery();
  q.set('cursor', more.dataset.cursor);
  try {
    const data = await api(`/api/v1/interviews?${q}`);
    if (mine !== lists) return;
    $('history-list').append(...(data.interviews || []).map(historyItem));
    setMore(data.next_cursor);
  } catch (e) {
    $('history-status').textContent = `Could not load older interviews: ${e.message}`;
  } finally {
    more.disabled = false;
  }
}

// fillPrinciples offers every principle of the catalog in the principle
// filter, and the setup form's roles in the role filter.
async function fillPrinciples() {
  if (catalog) return;
  if ($('filter-role').options.length === 1) {
    $('filter-role').append(...[...$('role').options].map((o) => el('option', { value: o.value, text: o.textContent })));
  }
  try {
    const data = await api('/api/v1/principles');
    catalog = data.principles || [];
    $('filter-principle').append(...catalog.map((p) => el('option', { value: p.id, text: p.name })));
  } catch {
    // Without the catalog the filter offers "Any principle" alone.
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
  const title = `${roleLabel(iv.role)} · ${iv.level}`;
  const when = fmtDate(iv.created_at);
  const li = el('li', { class: 'history-item', 'data-testid': 'history-item', 'data-id': iv.id, 'data-status': iv.status }, [
    el('a', { class: 'history-card card', href: `#/interview/${encodeURIComponent(iv.id)}` }, [
      el('div', { class: 'history-main' }, [
        el('span', { class: 'history-title', text: title }),
        names && el('span', { class: 'history-principles', text: names }),
        focus && el('span', { class: 'history-focus', text: `“${focus}”` }),
      ]),
      el('div', { class: 'history-side' }, [
        el('time', { datetime: iv.created_at, text: when }),
        el('span', { class: 'history-badges' }, [
          el('span', { class: `status status-${iv.status}`, text: STATUS_LABELS[iv.status] || iv.status }),
          iv.recommendation && badge(iv.recommendation),
        ]),
        el('span', { class: 'history-action', text: `${action} →` }),
      ]),
    ]),
  ]);
  li.append(el('button', {
    type: 'button',
    class: 'btn ghost small history-delete',
    'data-testid': 'history-delete',
    'aria-label': `Delete the interview ${title}${when ? ` of ${when}` : ''}`,
    text: 'Delete',
    onclick: () => askDelete(li, `${title}${when ? `, started ${when}` : ''}`),
  }));
  return li;
}

/** initHistory wires the key form, the filters, deleting and "Show older" once. */
export function initHistory() {
  $('key-form').addEventListener('submit', useKey);
  $('history-more').addEventListener('click', showMore);
  const filters = $('history-filters');
  filters.addEventListener('change', loadList);
  filters.addEventListener('submit', (e) => { e.preventDefault(); loadList(); });
  // The form's fields take their default values only after the reset event.
  filters.addEventListener('reset', () => setTimeout(loadList));
  initDeletion({ afterDelete: () => { setStatus(); loadProgress(); }, afterErase: showHistory });
}
