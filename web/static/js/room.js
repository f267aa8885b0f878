// room.js: the live interview over WebSocket: opening an interview,
// connecting, handing each frame to frames.js, reconnecting with backoff
// (the session frame resumes where the interview stands) and leaving.

import { api } from './api.js';
import { updateComposer } from './composer.js';
import { hideBanner, isOpen, setConn, showBanner } from './conn.js';
import {
  applyInterview, onAck, onDebrief, onGrading, onQuestion, onQuestionDelta, onServerError, onSession, resetInterviewView,
} from './frames.js';
import { local, pendingKey } from './store.js';
import { stopTimer } from './timer.js';
import { markPendingStatus } from './transcript.js';
import { showError, showView, state } from './view.js';
import { stopVoice } from './voice.js';

// The longest wait between two attempts to reconnect, in milliseconds.
const MAX_DELAY = 15000;

// A session holds everything about the interview on screen. Handlers check
// `s === state.iv` so late events from a session we left are ignored.

/** openInterview shows interview id and connects to it unless it is complete. */
export async function openInterview(id) {
  const s = {
    id, interview: null, turns: [], ws: null, retry: 0, timers: {},
    stopped: false, superseded: false, pending: local.get(pendingKey(id), []),
  };
  state.iv = s;
  showView('interview', 'Interview');
  resetInterviewView(s);
  let interview;
  try {
    interview = await api(`/api/v1/interviews/${encodeURIComponent(id)}`);
  } catch (e) {
    if (s !== state.iv) return;
    if (e.status === 404) showError('Interview not found', 'This interview does not exist, or it was started in another browser.');
    else showError('Could not load the interview', e.message);
    return;
  }
  if (s !== state.iv) return;
  applyInterview(s, interview);
  if (interview.status !== 'complete') connect(s);
}

/** leaveInterview stops the open session, if any, and closes its socket. */
export function leaveInterview() {
  const s = state.iv;
  if (!s) return;
  s.stopped = true;
  clearTimeout(s.timers.retry);
  stopTimer();
  stopVoice();
  if (s.ws) {
    const ws = s.ws;
    s.ws = null;
    ws.close(1000, 'left the page');
  }
  state.iv = null;
}

function connect(s) {
  if (s.stopped || s !== state.iv) return;
  clearTimeout(s.timers.retry);
  const path = state.wsUrls[s.id] || `/api/v1/interviews/${encodeURIComponent(s.id)}/ws`;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${location.host}${path}`);
  s.ws = ws;
  setConn('connecting', s.retry ? 'Reconnecting…' : 'Connecting…');
  ws.onmessage = (ev) => { if (s.ws === ws) onFrame(s, ev.data); };
  ws.onclose = (ev) => { if (s.ws === ws) onSocketClose(s, ev); };
}

function onFrame(s, raw) {
  let f;
  try { f = JSON.parse(raw); } catch { return undefined; }
  switch (f.type) {
    case 'session': return onSession(s, f.interview);
    case 'question_delta': return onQuestionDelta(s, f);
    case 'question': return onQuestion(s, f.turn);
    case 'ack': return onAck(s, f);
    case 'grading': return onGrading(s);
    case 'debrief': return onDebrief(s, f.debrief);
    case 'error':
      if (f.code === 'superseded') return onSuperseded(s);
      if (f.code === 'server_restarting') return setConn('connecting', 'Server restarting: reconnecting…');
      return onServerError(s, f);
    default: return undefined; // newer server, unknown frame: ignore
  }
}

// Another tab or window took the interview over: stop, and offer to take it back.
function onSuperseded(s) {
  if (s.superseded) return;
  s.superseded = true;
  s.stopped = true;
  clearTimeout(s.timers.retry);
  setConn('superseded', 'Open in another tab');
  showBanner('This interview was opened in another tab or window, so this one has stopped.', 'Continue here', () => {
    s.superseded = false;
    s.stopped = false;
    hideBanner();
    connect(s);
  });
  updateComposer(s);
}

function onSocketClose(s, ev) {
  s.ws = null;
  if (ev.code === 4001) onSuperseded(s);
  if (s !== state.iv || s.stopped || (s.interview && s.interview.status === 'complete')) {
    updateComposer(s);
    return;
  }
  markPendingStatus('Not sent yet: will retry');
  if (ev.code === 1012) s.retry = 0; // a restart, not a fault: come back soon
  if (navigator.onLine === false) {
    // The browser knows it has no network: the online event reconnects, and a
    // slow retry covers a browser that never sends it.
    s.retry++;
    waitForNetwork();
    s.timers.retry = setTimeout(() => connect(s), MAX_DELAY);
  } else {
    // Reconnect with exponential backoff and jitter (~0.5s, 1s, 2s … 15s). This also
    // covers a drop while grading: on connect the server finishes and sends the debrief.
    const delay = Math.min(MAX_DELAY, 500 * 2 ** s.retry) * (0.75 + Math.random() * 0.5);
    s.retry++;
    setConn('retry', `Offline, retrying in ${Math.max(1, Math.round(delay / 1000))}s`);
    s.timers.retry = setTimeout(() => connect(s), delay);
  }
  updateComposer(s);
}

// waitForNetwork says the browser has no network, so reconnecting waits for it.
const waitForNetwork = () => setConn('retry', 'Offline: waiting for the network');

/** initRoom follows the browser's network state: offline is shown at once, online reconnects now. */
export function initRoom() {
  window.addEventListener('offline', () => {
    const s = state.iv;
    if (s && !s.stopped && !isOpen(s)) waitForNetwork();
  });
  // Back online: retry now, not when the backoff timer fires.
  window.addEventListener('online', () => {
    const s = state.iv;
    if (s && !s.ws && !s.stopped) connect(s);
  });
}
