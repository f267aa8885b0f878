// view.js: the state the modules share (the principle catalog, the view
// on screen, the open interview) and switching between the page's views.

import { $ } from './dom.js';

/** state is shared by every module of the page. */
export const state = {
  principles: null, // catalog from GET /api/v1/principles
  wsUrls: {},       // interview id -> ws_url returned when it was created
  view: null,
  iv: null,         // the open interview session, see openInterview in room.js
};

/** showView shows the view called name, hides the others and titles the tab. */
export function showView(name, title) {
  state.view = name;
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${name}`;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${title} · Bar Raiser`;
  // Move focus to the new view's heading so keyboard and screen-reader users land there.
  const heading = document.querySelector(`#view-${name} h1`);
  if (heading) heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

/** showError shows the error view with a title and an explanation. */
export function showError(title, text) {
  showView('error', title);
  $('error-title').textContent = title;
  $('error-text').textContent = text;
}
