// transcript.js: the interview's progress steps and its transcript of
// question and answer bubbles, including answers still being sent.

import { isOpen } from './conn.js';
import { $, el, reducedMotion } from './dom.js';
import { fmtDate, STEP_LABELS } from './format.js';
import { state } from './view.js';

/** lastQuestion returns the latest interviewer turn of s, or null. */
export function lastQuestion(s) {
  for (let i = s.turns.length - 1; i >= 0; i--) if (s.turns[i].speaker === 'interviewer') return s.turns[i];
  return null;
}

/** pendingQuestion is the question waiting for an answer: the last turn, if the interviewer spoke it. */
export function pendingQuestion(s) {
  const last = s.turns[s.turns.length - 1];
  return last && last.speaker === 'interviewer' ? last : null;
}

/** principleName names principle id, from the interview's plan or the catalog. */
export function principleName(s, id) {
  const p = (s.interview.principles || []).find((x) => x.id === id)
    || (state.principles || []).find((x) => x.id === id);
  return p ? p.name : id || '';
}

/** renderProgress shows the planned principles as steps, and a line for a state with no question to answer. */
export function renderProgress(s) {
  const iv = s.interview;
  const planned = iv.principles || [];
  const q = lastQuestion(s);
  const current = q ? planned.findIndex((p) => p.id === q.principle) : -1;
  const over = iv.status !== 'in_progress';
  const grades = (iv.debrief && iv.debrief.principles) || [];
  const steps = planned.map((p, i) => {
    let st = i < current ? 'done' : i === current ? 'current' : 'upcoming';
    if (over) {
      const g = grades.find((x) => x.principle === p.id);
      st = (g && g.rating === 'not_assessed') || (!g && i > current) ? 'skipped' : 'done';
    }
    return el('li', { class: `step ${st}`, 'aria-current': st === 'current' ? 'step' : null }, [
      el('span', { class: 'step-num', 'aria-hidden': 'true', text: st === 'done' ? '✓' : String(i + 1) }),
      el('span', { class: 'step-name', text: p.name }),
      el('span', { class: 'visually-hidden', text: ` (${STEP_LABELS[st]})` }),
    ]);
  });
  $('progress').replaceChildren(...steps);

  // Where a live interview stands in its plan is said once, by the plan line
  // beside the answer box (plan.js); this line only names the other states.
  let detail = '';
  if (iv.status === 'grading') detail = 'Interview finished: grading';
  else if (iv.status === 'complete') detail = `Completed ${fmtDate(iv.updated_at)}`.trim();
  else if (!q) detail = 'Preparing your first question…';
  const line = $('progress-detail');
  line.textContent = detail;
  line.hidden = !detail;
}

/** renderTranscript rebuilds the transcript from s's turns and unsent answers. */
export function renderTranscript(s) {
  const t = $('transcript');
  t.replaceChildren();
  s.lastSection = undefined;
  for (const turn of s.turns) appendTurnBubble(s, turn, false);
  if (s.interview.status === 'in_progress') {
    for (const p of s.pending) appendPendingBubble(p, isOpen(s) ? 'Sending…' : 'Not sent yet: will retry');
  }
  if (!t.children.length) {
    t.append(el('p', { class: 'placeholder hint', text: 'Your interviewer is preparing the first question…' }));
  }
}

/**
 * fmtDuration says how long ms milliseconds are, to the second: "40 s",
 * "1 min 40 s", "1 h 5 min"; under a second is "under 1 s".
 */
export function fmtDuration(ms) {
  const total = Math.floor(ms / 1000);
  if (!(total >= 1)) return 'under 1 s';
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h) return min ? `${h} h ${min} min` : `${h} h`;
  if (min) return sec ? `${min} min ${sec} s` : `${min} min`;
  return `${sec} s`;
}

// answerTime is how long the candidate took over answer turn: from the
// question before it to the answer, or '' when either time is unknown.
function answerTime(s, turn) {
  let q = null;
  for (const t of s.turns) if (t.speaker === 'interviewer' && t.seq < turn.seq && (!q || t.seq > q.seq)) q = t;
  const ms = q && Date.parse(turn.at) - Date.parse(q.at);
  return Number.isFinite(ms) && ms >= 0 ? fmtDuration(ms) : '';
}

function bubble(kind, speaker, meta, text, took = '') {
  return el('article', { class: `bubble ${kind}`, 'data-testid': kind, tabindex: '-1' }, [
    el('div', { class: 'meta' }, [
      el('span', { class: 'speaker', text: speaker }),
      el('span', { class: 'turn-meta', text: meta }),
      took && el('span', { class: 'answer-time', 'data-testid': 'answer-time', title: 'Time from the question to this answer', text: `answered in ${took}` }),
    ]),
    el('p', { class: 'text', text }),
  ]);
}

/**
 * appendTurnBubble appends one stored turn, with a section label whenever
 * the principle changes; fresh marks a turn that just arrived.
 */
export function appendTurnBubble(s, turn, fresh) {
  const t = $('transcript');
  const placeholder = t.querySelector('.placeholder');
  if (placeholder) placeholder.remove();
  if (turn.principle && turn.principle !== s.lastSection) {
    s.lastSection = turn.principle;
    const index = (s.interview.principles || []).findIndex((p) => p.id === turn.principle);
    const label = index >= 0 ? `Principle ${index + 1} · ` : '';
    t.append(el('h3', { class: 'section-label', text: label + principleName(s, turn.principle) }));
  }
  const isQuestion = turn.speaker === 'interviewer';
  const meta = isQuestion
    ? (turn.kind === 'opening' || !turn.follow_up ? 'Opening question' : `Follow-up ${turn.follow_up}`)
    : `Turn ${turn.seq}`;
  const took = isQuestion ? '' : answerTime(s, turn);
  const b = bubble(isQuestion ? 'question' : 'answer', isQuestion ? 'Interviewer' : 'You', meta, turn.text, took);
  b.id = `turn-${turn.seq}`;
  b.dataset.seq = turn.seq;
  if (fresh) b.classList.add('fresh');
  t.append(b);
  return b;
}

/** appendPendingBubble appends an answer the server has not acknowledged yet. */
export function appendPendingBubble(p, status) {
  const b = bubble('answer', 'You', status, p.text);
  b.classList.add('pending');
  b.dataset.clientId = p.client_id;
  $('transcript').append(b);
}

/** pendingBubble finds the bubble of the unsent answer with clientId. */
export const pendingBubble = (clientId) => $('transcript').querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);

/** markSaved turns a pending bubble into the saved turn seq. */
export function markSaved(b, seq) {
  b.classList.remove('pending');
  b.removeAttribute('data-client-id');
  b.id = `turn-${seq}`;
  b.dataset.seq = seq;
  b.querySelector('.turn-meta').textContent = `Turn ${seq} · saved`;
}

/** markPendingStatus sets the status line of every unsent answer. */
export function markPendingStatus(text) {
  for (const b of $('transcript').querySelectorAll('.bubble.pending .turn-meta')) b.textContent = text;
}

/** scrollToBottom scrolls to the end of the page. */
export function scrollToBottom() {
  window.scrollTo({ top: document.documentElement.scrollHeight, behavior: reducedMotion ? 'auto' : 'smooth' });
}
