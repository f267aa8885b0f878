// highlight.js: showing where an evidence quote comes from. It scrolls to
// the quoted turn in the transcript and marks exactly the quoted words
// with a <mark> built from text nodes, or the whole turn when the words
// are not found as written. Only one highlight is on the page at a time.

import { $, announce, el, reducedMotion } from './dom.js';

/**
 * markQuote puts a <mark> around the first place quote occurs, verbatim,
 * in the text of textEl, and returns it; it returns null and changes
 * nothing when the quote is empty or not there. The text is split into
 * three text nodes, never parsed, so markup in it stays text.
 */
export function markQuote(textEl, quote) {
  const full = textEl.textContent;
  const at = quote ? full.indexOf(quote) : -1;
  if (at < 0) return null;
  const mark = el('mark', { class: 'quote-mark', 'data-testid': 'quote-mark', text: quote });
  textEl.replaceChildren(full.slice(0, at), mark, full.slice(at + quote.length));
  return mark;
}

/** clearHighlight takes every quote highlight off the transcript. */
export function clearHighlight() {
  const t = $('transcript');
  if (!t) return;
  for (const mark of t.querySelectorAll('mark.quote-mark')) {
    const textEl = mark.parentNode;
    // Putting the plain text back joins the three nodes into one again.
    textEl.textContent = textEl.textContent;
  }
  for (const b of t.querySelectorAll('.bubble.quoted')) b.classList.remove('quoted', 'quoted-whole');
}

/**
 * jumpToQuote scrolls to turn seq, focuses it and highlights quote inside
 * it (or the whole turn), replacing any earlier highlight.
 */
export function jumpToQuote(seq, quote) {
  clearHighlight();
  const b = document.getElementById(`turn-${seq}`);
  if (!b) {
    announce(`Turn ${seq} is not in the transcript.`);
    return;
  }
  const textEl = b.querySelector('.text');
  const mark = textEl && markQuote(textEl, quote);
  b.classList.add('quoted');
  b.classList.toggle('quoted-whole', !mark);
  b.scrollIntoView({ behavior: reducedMotion ? 'auto' : 'smooth', block: 'center' });
  b.focus({ preventScroll: true });
  announce(mark ? `Quote highlighted in turn ${seq}.` : `Turn ${seq} highlighted; the quote differs slightly from the transcript.`);
}
