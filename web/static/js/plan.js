// plan.js: the plan line above the answer box: which principle of how many
// the interviewer is on, and which follow-up of the most it may ask.

import { $ } from './dom.js';
import { lastQuestion, principleName } from './transcript.js';

// The interviewer asks at most this many follow-ups per principle (agent.MaxFollowUps).
const MAX_FOLLOW_UPS = 4;

/** planLabels names where question q stands in interview iv's plan. */
export function planLabels(iv, q) {
  const planned = iv.principles || [];
  const index = planned.findIndex((p) => p.id === q.principle);
  const principle = index >= 0 ? `Principle ${index + 1} of ${planned.length}` : 'Principle';
  let step = 'Opening question';
  if (q.probe === 'real_example') step = 'Asking for a real example';
  else if (q.follow_up) step = `Follow-up ${q.follow_up} of at most ${MAX_FOLLOW_UPS}`;
  return { principle, step };
}

/** renderPlan shows the plan line for s's latest question; with no question yet it is hidden. */
export function renderPlan(s) {
  const q = s.interview && lastQuestion(s);
  $('answer-bar').hidden = !q;
  if (!q) return;
  const { principle, step } = planLabels(s.interview, q);
  const name = principleName(s, q.principle);
  $('plan-principle').textContent = name ? `${principle} · ${name}` : principle;
  $('plan-followup').textContent = step;
}
