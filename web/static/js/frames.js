// frames.js: putting the interview on the page: a whole Interview object
// (from GET or a session frame) and each frame the server sends after it.

import { focusAnswerIfIdle, putBack, resetComposer, updateComposer } from './composer.js';
import { hideBanner, sendFrame, setConn, showBanner } from './conn.js';
import { renderDebrief } from './debrief.js';
import { readQuestion } from './voice.js';
import { $, announce, reducedMotion } from './dom.js';
import { ratingLabel, roleLabel } from './format.js';
import { draftKey, local, pendingKey, savePending } from './store.js';
import {
  appendTurnBubble, lastQuestion, markSaved, pendingBubble, renderProgress, renderTranscript, scrollToBottom,
} from './transcript.js';

// Answer errors the server sends back for the answer we just sent.
const ANSWER_ERRORS = new Set(['answer_too_long', 'empty_answer', 'no_pending_question']);
// Refusals after which the same answer is simply sent again a moment later.
const RETRY_ERRORS = new Set(['busy', 'rate_limited', 'store_unavailable']);
const RETRY_DELAY = 1000;

/** resetInterviewView empties the interview view before session s loads. */
export function resetInterviewView(s) {
  $('interview-title').textContent = 'Interview';
  $('progress').replaceChildren();
  $('progress-detail').textContent = '';
  $('transcript').replaceChildren();
  $('debrief').replaceChildren();
  $('debrief').hidden = true;
  $('grading').hidden = true;
  $('composer').hidden = true;
  hideBanner();
  resetComposer(s);
  setConn('idle', 'Loading…');
}

/** applyInterview replaces everything s knows with a full Interview object and redraws. */
export function applyInterview(s, interview) {
  s.interview = interview;
  s.turns = (interview.turns || []).slice().sort((a, b) => a.seq - b.seq);
  if (interview.status === 'complete') {
    s.stopped = true;
    s.pending = [];
    local.set(pendingKey(s.id), null);
    local.set(draftKey(s.id), null);
  }
  renderAll(s);
}

function renderAll(s) {
  const iv = s.interview;
  $('view-interview').dataset.status = iv.status; // the CSS makes the header sticky only while live
  const title = `${roleLabel(iv.role)} · ${iv.level}`;
  $('interview-title').textContent = title;
  document.title = `${title} · Bar Raiser`;
  renderProgress(s);
  renderTranscript(s);
  renderDebrief(s);
  $('grading').hidden = iv.status !== 'grading';
  updateComposer(s);
  if (iv.status === 'complete') setConn('done', 'Complete');
}

/** onSession takes the interview the server sends on connect and resends unacknowledged answers. */
export function onSession(s, interview) {
  s.retry = 0;
  setConn('open', 'Connected');
  hideBanner();
  s.ending = false;
  applyInterview(s, interview);
  // Resend answers the server never acknowledged; it dedupes by client_id.
  if (interview.status === 'in_progress') {
    resendPending(s);
    focusAnswerIfIdle();
  }
}

/** onQuestionDelta appends a streamed chunk to that seq's bubble, creating it if needed. */
export function onQuestionDelta(s, { seq, text }) {
  let bubble = document.getElementById(`turn-${seq}`);
  if (!bubble) {
    bubble = appendTurnBubble(s, { seq, speaker: 'interviewer', text: '' }, false);
    bubble.classList.add('streaming');
    bubble.querySelector('.turn-meta').textContent = 'typing…';
    scrollToBottom();
  }
  bubble.querySelector('.text').textContent += text || '';
}

/** onQuestion shows a whole question, replacing its streamed bubble if there was one. */
export function onQuestion(s, turn) {
  const known = s.turns.find((t) => t.seq === turn.seq);
  const changed = !known || known.text !== turn.text;
  if (known) Object.assign(known, turn);
  else s.turns.push(turn);
  const bubble = document.getElementById(`turn-${turn.seq}`);
  if (bubble && !bubble.classList.contains('streaming')) {
    bubble.querySelector('.text').textContent = turn.text;
  } else {
    // A streamed bubble is always last: rebuild it so its section label is right.
    if (bubble) bubble.remove();
    appendTurnBubble(s, turn, true);
  }
  renderProgress(s);
  // Start reading a new question aloud before the composer starts listening for the answer.
  if (changed) readQuestion(turn.text);
  updateComposer(s);
  if (changed) {
    announce(`Interviewer: ${turn.text}`);
    scrollToBottom();
    focusAnswerIfIdle();
  }
}

/** onAck marks an answer as saved under the seq the server gave it. */
export function onAck(s, { seq, client_id: clientId }) {
  const idx = s.pending.findIndex((p) => p.client_id === clientId);
  if (idx < 0) return; // ack for an answer we no longer track (e.g. sent from another tab)
  const [p] = s.pending.splice(idx, 1);
  savePending(s);
  const bubble = pendingBubble(clientId);
  if (s.turns.some((t) => t.seq === seq)) {
    // Already in the transcript from the session frame: drop the duplicate.
    if (bubble) bubble.remove();
  } else {
    const q = lastQuestion(s);
    const turn = {
      seq, speaker: 'candidate', kind: 'answer', principle: q && q.principle,
      follow_up: q ? q.follow_up : 0, text: p.text, at: new Date().toISOString(),
    };
    s.turns.push(turn);
    if (bubble) markSaved(bubble, seq);
    else appendTurnBubble(s, turn, false);
  }
  updateComposer(s);
}

/** onGrading says the interview is over and being graded. */
export function onGrading(s) {
  s.interview.status = 'grading';
  $('grading').hidden = false;
  renderProgress(s);
  updateComposer(s);
  announce('The interview is over. Grading your answers.');
}

/** onDebrief shows the finished debrief and moves the candidate to it. */
export function onDebrief(s, debrief) {
  // Keep the turns received live; the session frame only had the early ones.
  Object.assign(s.interview, { debrief, status: 'complete', turns: s.turns });
  applyInterview(s, s.interview);
  announce(`Your debrief is ready. Recommendation: ${ratingLabel(debrief.recommendation)}.`);
  const heading = $('debrief-title');
  if (heading) {
    heading.focus({ preventScroll: true });
    $('debrief').scrollIntoView({ behavior: reducedMotion ? 'auto' : 'smooth', block: 'start' });
  }
}

/**
 * onServerError handles an error frame other than superseded: a refused
 * answer goes back to the box, anything else is shown in the banner.
 */
export function onServerError(s, { code, message }) {
  if (ANSWER_ERRORS.has(code) && s.pending.length) {
    // Only one answer is ever in flight, so the error is about the last one:
    // take it back into the answer box so nothing the candidate wrote is lost.
    const p = s.pending.pop();
    savePending(s);
    const bubble = pendingBubble(p.client_id);
    if (bubble) bubble.remove();
    putBack(s, p.text, message || code);
    return;
  }
  if (RETRY_ERRORS.has(code) && s.pending.length) {
    // The answer stays pending and goes out once more under its client id,
    // which the server dedupes on.
    clearTimeout(s.timers.resend);
    s.timers.resend = setTimeout(() => resendPending(s), RETRY_DELAY);
    return;
  }
  showBanner(message || `Server error: ${code}`);
}

// resendPending sends every answer not yet acknowledged again, with its
// client id, so that the server stores each once at most.
function resendPending(s) {
  for (const p of s.pending) sendFrame(s, { type: 'answer', text: p.text, client_id: p.client_id });
}
