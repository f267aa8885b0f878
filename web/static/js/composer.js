// composer.js: the answer box of a live interview: its draft kept across
// reloads, sending an answer (kept until the server acknowledges it), the
// hint under the box, and the "Finish now" dialog. Each change of state
// also updates the plan line, the answer clock and voice mode.

import { isOpen, sendFrame, showBanner } from './conn.js';
import { $, setError, updateCounter } from './dom.js';
import { codePoints } from './format.js';
import { renderPlan } from './plan.js';
import { draftKey, local, savePending } from './store.js';
import { stopTimer, syncTimer } from './timer.js';
import { appendPendingBubble, pendingQuestion, scrollToBottom } from './transcript.js';
import { state } from './view.js';
import { initVoice, syncVoice } from './voice.js';

// The longest answer, in characters, assumed until the server has said
// its own limit (max_answer_chars, in the interview it sends).
const DEFAULT_MAX_ANSWER = 8000;
const MOD_KEY = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent) ? '⌘' : 'Ctrl';

// randomUUID needs a secure context; plain http on a LAN address gets random hex.
const newClientId = () => (crypto.randomUUID ? crypto.randomUUID()
  : [...crypto.getRandomValues(new Uint8Array(16))].map((x) => x.toString(16).padStart(2, '0')).join(''));

/**
 * maxAnswer returns the answer limit of session s: the max_answer_chars of
 * the last interview the server sent for it (kept on s, so that an
 * interview object without the field does not undo it), or the default
 * while none has come yet.
 */
function maxAnswer(s) {
  const n = s && s.interview && s.interview.max_answer_chars;
  if (s && Number.isInteger(n) && n > 0) s.maxAnswer = n;
  return (s && s.maxAnswer) || DEFAULT_MAX_ANSWER;
}

/** resetComposer clears the answer error and restores s's saved draft. */
export function resetComposer(s) {
  setError('answer-error', '');
  const input = $('answer-input');
  input.value = local.get(draftKey(s.id), '');
  updateCounter($('answer-count'), input.value, maxAnswer(s));
}

/**
 * putBack returns an answer the server refused to the box (unless the
 * candidate has typed something new) and shows why.
 */
export function putBack(s, text, message) {
  const input = $('answer-input');
  if (!input.value.trim()) input.value = text;
  updateCounter($('answer-count'), input.value, maxAnswer(s));
  updateComposer(s);
  setError('answer-error', message);
}

function sendAnswer(s) {
  const input = $('answer-input');
  const text = input.value.trim();
  if (!text) return setError('answer-error', 'Write your answer first.');
  const max = maxAnswer(s);
  if (codePoints(text) > max) return setError('answer-error', `Answers are limited to ${max} characters.`);
  setError('answer-error', '');
  const p = { client_id: newClientId(), text };
  s.pending.push(p);
  savePending(s);
  appendPendingBubble(p, isOpen(s) ? 'Sending…' : 'Not sent yet: will retry');
  input.value = '';
  local.set(draftKey(s.id), null);
  updateCounter($('answer-count'), '', max);
  sendFrame(s, { type: 'answer', text, client_id: p.client_id }); // if closed, resent on reconnect
  updateComposer(s);
  scrollToBottom();
  return undefined;
}

/** updateComposer shows the box only while live and enables it when an answer is due. */
export function updateComposer(s) {
  if (s !== state.iv) return;
  const iv = s.interview;
  const inProgress = !!iv && iv.status === 'in_progress';
  $('composer').hidden = !inProgress;
  if (!inProgress) {
    stopTimer();
    syncVoice(false);
    return;
  }
  const input = $('answer-input');
  const max = maxAnswer(s);
  updateCounter($('answer-count'), input.value, max);
  const canAnswer = !!pendingQuestion(s) && s.pending.length === 0 && !s.superseded && !s.ending;
  input.disabled = !canAnswer;
  $('send').disabled = !canAnswer || codePoints(input.value) > max;
  $('finish').disabled = !isOpen(s) || s.ending;
  let hint = `${MOD_KEY}+Enter to send`;
  if (s.superseded) hint = 'Paused: this interview is open in another tab.';
  else if (s.ending) hint = 'Finishing…';
  else if (s.pending.length) hint = isOpen(s) ? 'Saving your answer…' : 'Offline: your answer is sent once the connection is back.';
  else if (!pendingQuestion(s)) hint = s.turns.length ? 'Waiting for the next question…' : 'Waiting for the first question…';
  $('answer-hint').textContent = hint;
  renderPlan(s);
  syncTimer(s, pendingQuestion(s), canAnswer);
  syncVoice(canAnswer);
}

/** focusAnswerIfIdle moves focus to the answer box unless the candidate is busy elsewhere. */
export function focusAnswerIfIdle() {
  const active = document.activeElement;
  const idle = !active || active === document.body || active.tagName === 'H1' || active.id === 'send';
  const input = $('answer-input');
  if (idle && !input.disabled) input.focus({ preventScroll: true });
}

function confirmFinish(s) {
  const dialog = $('finish-dialog');
  const finish = () => {
    if (!sendFrame(s, { type: 'end' })) return showBanner('Not connected: the interview could not be finished. Try again in a moment.');
    s.ending = true;
    updateComposer(s);
    return undefined;
  };
  dialog.returnValue = '';
  dialog.onclose = () => { if (dialog.returnValue === 'confirm' && s === state.iv) finish(); };
  dialog.showModal();
}

/** initComposer wires the answer box, its keyboard shortcut and the finish button once. */
export function initComposer() {
  const input = $('answer-input');
  input.addEventListener('input', () => {
    updateCounter($('answer-count'), input.value, maxAnswer(state.iv));
    if (state.iv) {
      local.set(draftKey(state.iv.id), input.value || null);
      updateComposer(state.iv);
    }
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      if (state.iv && !$('send').disabled) sendAnswer(state.iv);
    }
  });
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (state.iv) sendAnswer(state.iv);
  });
  $('finish').addEventListener('click', () => { if (state.iv) confirmFinish(state.iv); });
  initVoice();
}
