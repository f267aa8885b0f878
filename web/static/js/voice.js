// voice.js: voice mode of the interview room. When it is on, each new
// question is read aloud and then the candidate's speech fills the answer
// box as they talk; they still send it themselves. The switch is kept in
// localStorage, and is absent where the browser cannot recognise speech.

import { $, announce } from './dom.js';
import { canListen, canSpeak, FATAL_ERRORS, hush, listen, speak } from './speech.js';
import { local } from './store.js';
import { pendingQuestion } from './transcript.js';
import { state } from './view.js';

const KEY = 'barraiser:voice';
// After this many silent stops one after another, the recogniser is not started again.
const MAX_QUIET_ENDS = 3;
const WHY = {
  network: 'the browser could not reach its speech recognition service',
  'not-allowed': 'the microphone is blocked for this page',
  'service-not-allowed': 'this browser does not allow speech recognition here',
};

const v = {
  on: false, want: false, speaking: false, utterance: 0,
  listener: null, base: '', heard: false, quietEnds: 0, told: new Set(),
};

function showState() {
  let text = '';
  if (v.speaking) text = 'Reading the question aloud…';
  else if (v.listener) text = 'Listening…';
  else if (v.on && v.want && v.quietEnds >= MAX_QUIET_ENDS) text = 'Stopped listening after a long silence: switch voice mode off and on to go on.';
  $('voice-state').textContent = text;
}

// tell shows message under the answer box and announces it, once per page.
function tell(message) {
  if (v.told.has(message)) return;
  v.told.add(message);
  const p = $('voice-status');
  p.textContent = message;
  p.hidden = false;
  announce(message);
}

function setOn(on) {
  v.on = on;
  local.set(KEY, on || null);
  $('voice-toggle').checked = on;
  if (!on) {
    stopListening();
    stopSpeaking();
  }
  showState();
}

// stopSpeaking stops reading a question aloud, if one is being read.
function stopSpeaking() {
  if (!v.speaking) return;
  v.speaking = false;
  v.utterance++;
  hush();
}

function stopListening() {
  const l = v.listener;
  v.listener = null;
  if (l) l.stop();
  showState();
}

function onError(code) {
  if (FATAL_ERRORS.has(code)) {
    setOn(false);
    $('voice').hidden = true;
    tell(`Voice mode is not available here: ${WHY[code]}. It is off; type your answers instead.`);
  } else if (code === 'audio-capture') {
    setOn(false);
    tell('No microphone was found, so voice mode is off.');
  }
  // 'no-speech' and 'aborted' end the recogniser; onEnd decides whether to listen again.
}

function startListening() {
  const input = $('answer-input');
  v.base = input.value;
  v.heard = false;
  const me = listen({
    onText(heard) {
      if (v.listener !== me) return;
      if (heard) v.heard = true;
      const base = v.base.replace(/\s+$/, '');
      input.value = base && heard ? `${base} ${heard}` : base + heard;
      // The composer saves the draft and counts characters on input.
      input.dispatchEvent(new Event('input'));
    },
    onError,
    onEnd() {
      if (v.listener !== me) return;
      v.listener = null;
      v.quietEnds = v.heard ? 0 : v.quietEnds + 1;
      showState();
      // Recognisers stop by themselves after a pause: listen again while an answer is due.
      if (v.on && v.want && v.quietEnds < MAX_QUIET_ENDS) setTimeout(() => syncVoice(v.want), 250);
    },
  });
  v.listener = me;
  showState();
}

/**
 * syncVoice listens while voice mode is on and an answer is due
 * (canAnswer), and stops listening otherwise, e.g. once it is sent.
 */
export function syncVoice(canAnswer) {
  if (!canListen) return;
  v.want = canAnswer;
  if (!v.on || !canAnswer) {
    stopListening();
    return;
  }
  if (!v.listener && !v.speaking && v.quietEnds < MAX_QUIET_ENDS) startListening();
}

/** readQuestion reads a new question aloud in voice mode, then listens for the answer. */
export function readQuestion(text) {
  if (!canListen || !v.on) return;
  v.quietEnds = 0;
  if (!canSpeak || !text) return;
  stopListening();
  v.speaking = true;
  const token = ++v.utterance;
  showState();
  speak(text, () => {
    if (token !== v.utterance || !v.speaking) return;
    v.speaking = false;
    showState();
    syncVoice(v.want);
  });
}

/** stopVoice stops listening and reading aloud, when the candidate leaves the interview. */
export function stopVoice() {
  if (!canListen) return;
  v.want = false;
  stopListening();
  stopSpeaking();
  showState();
}

/** initVoice shows the voice switch where speech recognition exists and wires it once. */
export function initVoice() {
  if (!canListen) {
    $('voice').remove();
    return;
  }
  $('voice').hidden = false;
  const box = $('voice-toggle');
  v.on = !!local.get(KEY, false);
  box.checked = v.on;
  box.addEventListener('change', () => {
    setOn(box.checked);
    if (!box.checked) return;
    v.quietEnds = 0;
    const q = state.iv && state.iv.interview && pendingQuestion(state.iv);
    if (q && v.want) readQuestion(q.text);
    else syncVoice(v.want);
  });
  // Typing while listening: keep what is in the box and add only new speech after it.
  $('answer-input').addEventListener('input', (ev) => {
    if (!ev.isTrusted || !v.listener) return;
    v.base = ev.target.value;
    v.listener.skip();
  });
}
