// setup.js: the "new interview" view. It loads the principle catalog for
// the picker, shows which principles the candidate has practised least,
// enforces the form's limits and starts an interview, in one click with the
// quick start or from the whole form.

import { api } from './api.js';
import { $, el, setError, updateCounter } from './dom.js';
import { codePoints, roleLabel } from './format.js';
import { showView, state } from './view.js';

const MAX_FOCUS = 10000;
const MAX_PICK = 4;
const QUICK_COUNT = 2;
const SHOW_LEAST = 3;
const COUNT_NOTE = 'chosen for your role, level and what you have practised least';

let catalog = null; // the one request for the principle catalog

/** showSetup shows the setup view. */
export function showSetup() {
  showView('setup', 'New interview');
  loadPrinciples();
  showLeastPractised();
}

function loadPrinciples() {
  catalog = catalog || api('/api/v1/principles').then((data) => {
    state.principles = data.principles || [];
    renderPicker();
    return state.principles;
  }).catch((e) => {
    catalog = null; // try again next time the view opens
    $('principle-list').replaceChildren(el('p', { class: 'hint', text: `Could not load the principles: ${e.message}` }));
    return null;
  });
  return catalog;
}

function renderPicker() {
  const items = state.principles.map((p) => el('label', { class: 'pick' }, [
    el('input', { type: 'checkbox', value: p.id, 'data-testid': 'principle-option' }),
    el('span', { class: 'pick-text' }, [
      el('span', { class: 'pick-name', text: p.name }),
      el('span', { class: 'pick-desc', text: p.description }),
    ]),
  ]));
  $('principle-list').replaceChildren(...items);
}

const timesLabel = (n) => (n === 0 ? 'not practised yet' : n === 1 ? 'practised once' : `practised ${n} times`);

// showLeastPractised lists the principles with the fewest scores in the
// candidate's complete interviews, in catalog order among equals.
async function showLeastPractised() {
  const box = $('practice-hint');
  let progress;
  const principles = await loadPrinciples();
  try {
    progress = await api('/api/v1/progress');
  } catch {
    box.hidden = true; // only a hint: the form works without it
    return;
  }
  if (!principles || state.view !== 'setup') return;
  const points = new Map((progress.principles || []).map((p) => [p.id, (p.points || []).length]));
  const least = principles.map((p, i) => ({ p, i, n: points.get(p.id) || 0 }))
    .sort((a, b) => a.n - b.n || a.i - b.i)
    .slice(0, SHOW_LEAST);
  $('practice-list').replaceChildren(...least.map(({ p, n }) => el('li', { 'data-testid': 'practice-item' }, [
    el('span', { class: 'practice-name', text: p.name }),
    el('span', { class: 'practice-count', text: timesLabel(n) }),
  ])));
  box.hidden = false;
}

const pickedIds = () => [...$('principle-list').querySelectorAll('input:checked')].map((i) => i.value);

// Enforce the maximum of four picks and explain that picks override the count.
function onPick() {
  const picked = pickedIds();
  for (const box of $('principle-list').querySelectorAll('input')) {
    box.disabled = !box.checked && picked.length >= MAX_PICK;
  }
  $('principle-count').disabled = picked.length > 0;
  $('count-note').textContent = picked.length ? `using the ${picked.length} you picked below` : COUNT_NOTE;
  const pill = $('picked-count');
  pill.hidden = picked.length === 0;
  pill.textContent = `${picked.length} of ${MAX_PICK}`;
}

/**
 * startInterview starts an interview from body and opens it; button shows
 * the wait, and report receives the message of a refusal.
 */
export async function startInterview(body, button, report = (message) => setError('form-error', message)) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Starting…';
  report('');
  try {
    const created = await api('/api/v1/interviews', { method: 'POST', body: JSON.stringify(body) });
    state.wsUrls[created.id] = created.ws_url;
    location.hash = `#/interview/${encodeURIComponent(created.id)}`;
  } catch (e) {
    report(e.message);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

function onStart(event) {
  event.preventDefault();
  const focus = $('focus').value.trim();
  if (codePoints(focus) > MAX_FOCUS) {
    setError('form-error', `The focus is too long: ${MAX_FOCUS} characters at most.`);
    return;
  }
  const body = { role: $('role').value, level: $('level').value };
  if (focus) body.focus = focus;
  const picked = pickedIds();
  if (picked.length) body.principles = picked;
  else body.principle_count = Number($('principle-count').value);
  startInterview(body, $('start'));
}

// The quick start takes the role and level as they stand (software
// engineer, L5 unless changed) and lets the server choose two principles.
function onQuickStart() {
  startInterview({ role: $('role').value || 'sde', level: $('level').value || 'L5', principle_count: QUICK_COUNT }, $('quick-start'));
}

function describeQuick() {
  $('quick-note').textContent = `${roleLabel($('role').value)}, ${$('level').value}: `
    + `${QUICK_COUNT} principles chosen for you, favouring those you have practised least. Change the role and level below.`;
}

/** initSetup wires the setup form once, when the page loads. */
export function initSetup() {
  const focus = $('focus');
  const countFocus = () => updateCounter($('focus-count'), focus.value, MAX_FOCUS);
  focus.addEventListener('input', countFocus);
  countFocus(); // the browser may have restored a value
  $('principle-list').addEventListener('change', onPick);
  $('setup-form').addEventListener('submit', onStart);
  $('quick-start').addEventListener('click', onQuickStart);
  $('role').addEventListener('change', describeQuick);
  $('level').addEventListener('change', describeQuick);
  describeQuick();
}
