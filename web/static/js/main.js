// main.js: the page's entry point. It wires each view's controls once and
// routes the URL's hash to the setup, interview or history view.
// Plain ES modules with no dependencies. Text from the server or the
// candidate only ever lands as textContent or text nodes (elements are
// built by el in dom.js), never as HTML.

import { initComposer } from './composer.js';
import { initHistory, showHistory } from './history.js';
import { initRoom, leaveInterview, openInterview } from './room.js';
import { initSetup, showSetup } from './setup.js';

function route() {
  leaveInterview();
  const hash = location.hash || '#/';
  const match = hash.match(/^#\/interview\/([^/]+)$/);
  if (match) openInterview(decodeURIComponent(match[1]));
  else if (hash === '#/history') showHistory();
  else showSetup();
}

initSetup();
initComposer();
initHistory();
initRoom();
window.addEventListener('hashchange', route);
route();
