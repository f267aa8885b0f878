// timer.js: how long the candidate has spent on the question waiting for
// an answer, counted from the time the server stored it (so a reload does
// not restart it), with the pace an interviewer would expect. Going over
// only changes the wording and colour, and is announced once; nothing is
// ever cut off.

import { $, announce } from './dom.js';
import { state } from './view.js';

// An opening question wants a whole story; a follow-up wants a detail.
const PACE = {
  opening: {
    aim: 120, hint: 'aim for about 2 minutes',
    over: 'Past 2 minutes: take your time, and bring it to the result when you are ready.',
  },
  followUp: {
    aim: 60, hint: 'aim for 30 to 60 seconds',
    over: 'Past a minute: a follow-up answer can be short.',
  },
};

let ticking = null; // { s, seq, handle } while a clock runs

/** fmtClock shows seconds as m:ss, or h:mm:ss from an hour on. */
export function fmtClock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const ss = String(seconds % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** elapsedSeconds is the whole seconds since the ISO time at, never below 0. */
export function elapsedSeconds(at, now = Date.now()) {
  const start = Date.parse(at);
  return Number.isNaN(start) ? 0 : Math.max(0, Math.floor((now - start) / 1000));
}

/** stopTimer stops the running clock, if any. */
export function stopTimer() {
  if (ticking) clearInterval(ticking.handle);
  ticking = null;
}

/**
 * syncTimer shows the clock of question q (hidden without one); it ticks
 * while running is true and stands still otherwise, e.g. once the answer
 * is sent.
 */
export function syncTimer(s, q, running) {
  $('answer-clock').hidden = !q;
  if (!q) return stopTimer();
  if (!running) {
    stopTimer();
    return draw(s, q, false);
  }
  if (ticking && ticking.s === s && ticking.seq === q.seq) return undefined;
  stopTimer();
  ticking = { s, seq: q.seq, handle: setInterval(() => draw(s, q, true), 1000) };
  return draw(s, q, true);
}

// draw shows q's clock; a live one announces going over its pace once.
function draw(s, q, live) {
  if (s !== state.iv) return stopTimer();
  const seconds = elapsedSeconds(q.at);
  const pace = q.follow_up ? PACE.followUp : PACE.opening;
  const over = seconds >= pace.aim;
  const timer = $('answer-timer');
  timer.textContent = fmtClock(seconds);
  timer.dataset.seconds = String(seconds);
  $('answer-clock').classList.toggle('over', over);
  $('answer-pace').textContent = over ? pace.over : pace.hint;
  if (over && live) {
    s.paceWarned = s.paceWarned || new Set();
    if (!s.paceWarned.has(q.seq)) {
      s.paceWarned.add(q.seq);
      announce(pace.over);
    }
  }
  return undefined;
}
