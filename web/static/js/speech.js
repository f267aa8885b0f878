// speech.js: the browser's own speech services, where it has them: a
// recogniser that reports what the candidate says as they say it, and
// reading text aloud. Nothing here touches the page; voice.js does.

const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
const synth = window.speechSynthesis;

/** canListen is true when the browser can recognise speech. */
export const canListen = typeof Recognition === 'function';

/** canSpeak is true when the browser can read text aloud. */
export const canSpeak = !!synth && typeof synth.speak === 'function' && typeof window.SpeechSynthesisUtterance === 'function';

/** Recogniser errors that mean it cannot work in this browser or on this page at all. */
export const FATAL_ERRORS = new Set(['network', 'not-allowed', 'service-not-allowed']);

// The interview is in English; keep the person's own variety of it when they have one.
const lang = () => (/^en\b/i.test(navigator.language || '') ? navigator.language : 'en-US');

// tidy joins recognised pieces into one line of text.
const tidy = (parts) => parts.join(' ').replace(/\s+/g, ' ').trim();

/**
 * listen starts recognising speech. onText gets everything heard since the
 * start (or the last skip), final words and the interim guess after them,
 * each time it changes; onError gets the recogniser's error code; onEnd
 * runs once when it stops for any reason. The result's stop() ends it and
 * drops anything still to come; skip() leaves what was heard so far out
 * of later texts (the candidate has typed around it).
 */
export function listen({ onText, onError, onEnd }) {
  const rec = new Recognition();
  rec.continuous = true;
  rec.interimResults = true;
  rec.lang = lang();
  let stopped = false;
  let from = 0; // results before this index were skipped
  let seen = 0; // results seen so far
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  rec.onresult = (ev) => {
    if (stopped) return;
    const parts = [];
    for (let i = from; i < ev.results.length; i++) parts.push(ev.results[i][0].transcript);
    seen = ev.results.length;
    onText(tidy(parts));
  };
  rec.onerror = (ev) => { if (!stopped) onError(ev.error); };
  rec.onend = end;
  try {
    rec.start();
  } catch {
    // start throws when the browser refuses outright; treat it as unusable.
    queueMicrotask(() => { onError('not-allowed'); end(); });
  }
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      try { rec.abort(); } catch { /* already stopped */ }
      end();
    },
    skip() { from = seen; },
  };
}

/** speak reads text aloud and calls done once when it finishes, fails or is cancelled. */
export function speak(text, done) {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(guard);
    done();
  };
  // Some browsers never report the end of an utterance: give up waiting
  // after roughly the time it takes to read it.
  const guard = setTimeout(finish, 3000 + text.length * 80);
  const u = new window.SpeechSynthesisUtterance(text);
  u.lang = lang();
  u.onend = finish;
  u.onerror = finish;
  synth.cancel();
  synth.speak(u);
}

/** hush stops reading aloud. */
export function hush() {
  if (canSpeak) synth.cancel();
}
