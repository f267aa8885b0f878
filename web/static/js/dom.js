// dom.js: the one place that builds elements and puts text on the page.
// It only ever sets textContent, attributes and listeners, never HTML, so
// text from the server or the candidate can never become markup.

import { codePoints } from './format.js';

/** $ returns the element with the given id. */
export const $ = (id) => document.getElementById(id);

/** reducedMotion is true when the person asked for less animation. */
export const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * el builds an element: el('p', {class: 'x', text: 'hi', onclick: fn}, [children]).
 * 'text' sets textContent, 'on…' adds a listener, any other key is an
 * attribute (skipped when null or false). String children become text nodes.
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) {
    if (child != null && child !== false) node.append(child);
  }
  return node;
}

/** announce reads message out to screen-reader users through the live region. */
export function announce(message) {
  const a = $('announcer');
  a.textContent = '';
  // A short delay makes screen readers announce repeated identical messages too.
  setTimeout(() => { a.textContent = message; }, 50);
}

/** setError shows message in the inline error paragraph id, or hides it for ''. */
export function setError(id, message) {
  $(id).textContent = message;
  $(id).hidden = !message;
}

/**
 * updateCounter shows "n / max" for text in counter, marks it near or over
 * the limit, and returns n.
 */
export function updateCounter(counter, text, max) {
  const n = codePoints(text);
  counter.textContent = `${n} / ${max}`;
  counter.classList.toggle('near', n > max * 0.9 && n <= max);
  counter.classList.toggle('over', n > max);
  return n;
}
