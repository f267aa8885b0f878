// progress.js: the "Progress" section of the history view, one score
// chart per principle the owner has practised, from GET /api/v1/progress.

import { api } from './api.js';
import { scoreChart } from './chart.js';
import { $ } from './dom.js';
import { clearStoryBank, loadStoryBank } from './storybank.js';
import { state } from './view.js';

let loads = 0; // counts loads, so that a slow old answer never wins

/** loadProgress draws the charts again; the section hides when there are no scores. */
export async function loadProgress() {
  const mine = ++loads;
  const section = $('progress-charts');
  loadStoryBank();
  try {
    const data = await api('/api/v1/progress');
    if (mine !== loads || state.view !== 'history') return;
    const practised = (data.principles || []).filter((p) => (p.points || []).length > 0);
    $('chart-list').replaceChildren(...practised.map(scoreChart));
    section.hidden = practised.length === 0;
  } catch {
    if (mine !== loads) return;
    // The list below says when the server cannot be reached; the charts just stay away.
    $('chart-list').replaceChildren();
    section.hidden = true;
  }
}

/** clearProgress hides the charts until the next load. */
export function clearProgress() {
  loads++;
  clearStoryBank();
  $('chart-list').replaceChildren();
  $('progress-charts').hidden = true;
}
