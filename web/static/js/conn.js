// conn.js: the interview's connection as the rest of the page sees it:
// whether its WebSocket is open, sending a frame, and the status line and
// banner that tell the candidate how the connection is doing.

import { $ } from './dom.js';

/** isOpen reports whether session s has an open WebSocket. */
export const isOpen = (s) => !!s.ws && s.ws.readyState === WebSocket.OPEN;

/** sendFrame sends frame on s's socket; false means it was not open. */
export function sendFrame(s, frame) {
  if (!isOpen(s)) return false;
  s.ws.send(JSON.stringify(frame));
  return true;
}

/** setConn sets the connection status line: kind styles it, text says it. */
export function setConn(kind, text) {
  const c = $('connection-status');
  c.dataset.state = kind;
  c.querySelector('.conn-text').textContent = text;
}

/** showBanner shows text above the transcript, with an optional action button. */
export function showBanner(text, actionLabel, action) {
  $('banner-text').textContent = text;
  const button = $('banner-action');
  button.hidden = !actionLabel;
  button.textContent = actionLabel || '';
  button.onclick = action || null;
  $('banner').hidden = false;
}

/** hideBanner hides the banner. */
export function hideBanner() { $('banner').hidden = true; }
