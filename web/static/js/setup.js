// setup.js: the "new interview" view. It loads the principle catalog for
// the picker, enforces the form's limits and starts an interview.

import { api } from './api.js';
import { $, el, setError, updateCounter } from './dom.js';
import { codePoints } from './format.js';
import { showView, state } from './view.js';

const MAX_FOCUS = 2000;
const MAX_PICK = 4;
const COUNT_NOTE = 'chosen for your role, level and what you have practised least';

/** showSetup shows the setup view. */
export function showSetup() {
  showView('setup', 'New interview');
  loadPrinciples();
}

async function loadPrinciples() {
  if (state.principles) return;
  try {
    const data = await api('/api/v1/principles');
    state.principles = data.principles || [];
    renderPicker();
  } catch (e) {
    $('principle-list').replaceChildren(el('p', { class: 'hint', text: `Could not load the principles: ${e.message}` }));
  }
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

async function onStart(event) {
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

  const button = $('start');
  button.disabled = true;
  button.textContent = 'Starting…';
  setError('form-error', '');
  try {
    const created = await api('/api/v1/interviews', { method: 'POST', body: JSON.stringify(body) });
    state.wsUrls[created.id] = created.ws_url;
    location.hash = `#/interview/${encodeURIComponent(created.id)}`;
  } catch (e) {
    setError('form-error', e.message);
  } finally {
    button.disabled = false;
    button.textContent = 'Start interview';
  }
}

/** initSetup wires the setup form once, when the page loads. */
export function initSetup() {
  const focus = $('focus');
  const countFocus = () => updateCounter($('focus-count'), focus.value, MAX_FOCUS);
  focus.addEventListener('input', countFocus);
  countFocus(); // the browser may have restored a value
  $('principle-list').addEventListener('change', onPick);
  $('setup-form').addEventListener('submit', onStart);
}
