// storybank.js: the story bank under the progress charts, from GET
// /api/v1/stories. A table sets principles (rows) against stories
// (columns, one per title, so stories renamed alike share a column) with
// the best score in each cell; titles are renamed in place with the
// keyboard; a list names the principles with no story at 3 or better and
// a button starts an interview on those to practise next.

import { api } from './api.js';
import { $, announce, el } from './dom.js';
import { ratingLabel } from './format.js';
import { startInterview } from './setup.js';
import { state } from './view.js';

const BAR = 3;          // a story at this score or better covers its principle
const MAX_TITLE = 120;  // the server's limit on a title, in characters

let loads = 0;          // counts loads, so that a slow old answer never wins
let bank = null;        // the last answer of GET /api/v1/stories

// section returns the bank's section, made once and placed after the charts.
function section() {
  let box = $('story-bank');
  if (box) return box;
  box = el('section', { id: 'story-bank', class: 'story-bank', hidden: true, 'aria-labelledby': 'bank-title', 'data-testid': 'bank-section' }, [
    el('h2', { id: 'bank-title', text: 'Story bank' }),
    el('p', { class: 'hint', text: 'Each column is a story you told; each cell, its best score for that principle (1 is the lowest, 4 the highest). ✓ marks 3 or better, ✗ below 3.' }),
    el('div', { id: 'bank-body' }),
  ]);
  $('progress-charts').after(box);
  return box;
}

const keyOf = (title) => title.trim().toLowerCase();
const cellText = (score, rating) => `${score >= BAR ? '✓' : '✗'} ${score} · ${ratingLabel(rating).toLowerCase()}`;

// columns groups the stories by title, in the order each title first appears.
function columns(stories) {
  const byKey = new Map();
  for (const s of stories) {
    const k = keyOf(s.title);
    if (!byKey.has(k)) byKey.set(k, { key: k, title: s.title, stories: [] });
    byKey.get(k).stories.push(s);
  }
  return [...byKey.values()];
}

// best returns the top-scored story of col for principle, or null.
function best(col, principle) {
  let top = null;
  for (const s of col.stories) {
    if (s.principle === principle && s.score != null && (!top || s.score > top.score)) top = s;
  }
  return top;
}

function scoreCell(story, attrs) {
  if (!story) return el('td', { class: 'bank-empty', ...attrs }, [el('span', { class: 'visually-hidden', text: 'no story' })]);
  const good = story.score >= BAR;
  return el('td', { class: `bank-score ${good ? 'good' : 'weak'}`, 'data-score': story.score, ...attrs },
    [el('span', { text: cellText(story.score, story.rating) })]);
}

function titleHeader(col) {
  const told = col.stories.length === 1 ? 'told once' : `told ${col.stories.length} times`;
  const label = el('span', { class: 'story-title', 'data-testid': 'story-title', text: col.title });
  const rename = el('button', { type: 'button', class: 'btn ghost small', 'data-testid': 'story-rename',
    'aria-label': `Rename story “${col.title}”`, text: 'Rename' });
  const th = el('th', { scope: 'col', class: 'bank-story', 'data-key': col.key, 'data-testid': 'bank-story' }, [
    el('span', { class: 'story-head' }, [label, el('span', { class: 'story-told', text: told })]), rename,
  ]);
  rename.addEventListener('click', () => startRename(th, col));
  return th;
}

// startRename swaps the column's title for an input: Enter saves, Escape cancels.
function startRename(th, col) {
  const head = th.querySelector('.story-head');
  const button = th.querySelector('button');
  const input = el('input', { type: 'text', class: 'story-input', value: col.title, maxlength: MAX_TITLE,
    'aria-label': 'New title, Enter saves, Escape cancels', 'data-testid': 'story-title-input' });
  const cancel = () => { input.replaceWith(head); button.hidden = false; button.focus(); };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); cancel(); }
    if (e.key === 'Enter') { e.preventDefault(); saveTitle(col, input, cancel); }
  });
  head.replaceWith(input);
  button.hidden = true;
  input.focus();
  input.select();
}

async function saveTitle(col, input, cancel) {
  const title = input.value.trim();
  if (title === col.title) { cancel(); return; }
  if (!title || Array.from(title).length > MAX_TITLE) {
    showError(`A title has 1 to ${MAX_TITLE} characters.`);
    return;
  }
  input.disabled = true;
  try {
    // Every story of the column takes the title, so the column stays whole.
    for (const s of col.stories) {
      await api(`/api/v1/stories/${encodeURIComponent(s.interview_id)}/${encodeURIComponent(s.principle)}`,
        { method: 'PATCH', body: JSON.stringify({ title }) });
    }
    showError('');
    announce(`Story renamed to ${title}.`);
    await loadStoryBank();
    const th = [...document.querySelectorAll('[data-testid="bank-story"]')].find((h) => h.dataset.key === keyOf(title));
    th?.querySelector('button')?.focus();
  } catch (e) {
    input.disabled = false;
    input.focus();
    showError(`Could not rename the story: ${e.message}`);
  }
}

function showError(message) {
  const p = $('bank-error');
  if (!p) return;
  p.textContent = message;
  p.hidden = !message;
}

function matrix(data) {
  const cols = columns(data.stories);
  const rows = data.principles.filter((p) => p.practised > 0);
  const head = el('tr', {}, [
    el('th', { scope: 'col', class: 'bank-corner', text: 'Principle' }),
    el('th', { scope: 'col', text: 'Best' }),
    ...cols.map(titleHeader),
  ]);
  const body = rows.map((p) => el('tr', { 'data-testid': 'bank-row', 'data-principle': p.id }, [
    el('th', { scope: 'row', class: 'bank-principle', text: p.name }),
    p.best == null ? scoreCell(null, {}) : scoreCell({ score: p.best, rating: p.best_rating }, { 'data-testid': 'bank-best' }),
    ...cols.map((c) => scoreCell(best(c, p.id), { 'data-testid': 'bank-cell', 'data-key': c.key })),
  ]));
  return el('div', { class: 'bank-scroll', tabindex: '0', role: 'region', 'aria-label': 'Story bank table, scrolls sideways',
    'data-testid': 'bank-scroll' }, [
    el('table', { class: 'bank-table', 'data-testid': 'bank-table' }, [
      el('caption', { class: 'visually-hidden', text: 'Best score of each story for each principle' }),
      el('thead', {}, [head]), el('tbody', {}, body),
    ]),
  ]);
}

function practiseBox(data) {
  const names = new Map(data.principles.map((p) => [p.id, p.name]));
  const still = data.still_to_practise.map((id) => names.get(id) || id);
  const next = data.practise_next.map((id) => names.get(id) || id);
  const box = el('div', { class: 'bank-practise' }, [
    el('p', { class: 'bank-still', 'data-testid': 'bank-still' }, [
      el('strong', { text: 'Still to practise: ' }),
      still.length ? still.join(', ') : 'none: every principle has a story at 3 or better.',
    ]),
  ]);
  if (next.length) {
    const button = el('button', { type: 'button', class: 'btn primary', 'data-testid': 'practise-next',
      'aria-describedby': 'practise-next-note', text: 'Practise these next' });
    button.addEventListener('click', () => practiseNext(data, button));
    box.append(el('div', { class: 'bank-next' }, [button,
      el('span', { id: 'practise-next-note', class: 'hint', 'data-testid': 'practise-next-note', text: `An interview on ${next.join(', ')}.` })]));
  }
  return box;
}

// practiseNext starts an interview on the suggested principles, with the
// role and level of the latest story, and opens it.
function practiseNext(data, button) {
  const last = data.stories[data.stories.length - 1] || {};
  const body = { role: last.role || 'sde', level: last.level || 'L5', principles: data.practise_next };
  startInterview(body, button, (message) => showError(message && `Could not start the interview: ${message}`));
}

/** loadStoryBank draws the bank again; it hides while the owner has no story. */
export async function loadStoryBank() {
  const mine = ++loads;
  const box = section();
  try {
    const data = await api('/api/v1/stories');
    if (mine !== loads || state.view !== 'history') return;
    bank = data;
    const error = $('bank-error') || el('p', { id: 'bank-error', class: 'error', role: 'alert', 'data-testid': 'bank-error', hidden: true });
    $('bank-body').replaceChildren(matrix(bank), practiseBox(bank), error);
    box.hidden = bank.stories.length === 0;
  } catch {
    if (mine !== loads) return;
    $('bank-body').replaceChildren();
    box.hidden = true;
  }
}

/** clearStoryBank hides the bank until the next load. */
export function clearStoryBank() {
  loads++;
  bank = null;
  const box = section();
  $('bank-body').replaceChildren();
  box.hidden = true;
}
