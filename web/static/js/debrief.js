// debrief.js: the graded debrief shown above the transcript once an
// interview is complete, and the rating badge the history reuses.

import { $, el } from './dom.js';
import { capitalize, fmtDate, ratingLabel } from './format.js';
import { jumpToTurn, principleName } from './transcript.js';

const STAR_PARTS = ['situation', 'task', 'action', 'result'];

/** badge is a coloured label for a rating; extra.big enlarges it, extra.testid tags it. */
export function badge(rating, extra = {}) {
  const cls = `badge rating-${rating}${extra.big ? ' big' : ''}`;
  return el('span', { class: cls, 'data-value': rating, 'data-testid': extra.testid, text: ratingLabel(rating) });
}

/** renderDebrief shows s's debrief, or hides the section while there is none. */
export function renderDebrief(s) {
  const d = s.interview.debrief;
  const box = $('debrief');
  box.hidden = !d;
  if (!d) return box.replaceChildren();
  const graded = [d.graded_by && `Graded by ${d.graded_by}`, fmtDate(d.created_at)].filter(Boolean).join(' · ');
  box.replaceChildren(
    el('div', { class: 'card verdict' }, [
      el('div', { class: 'verdict-row' }, [
        el('h2', { id: 'debrief-title', tabindex: '-1', text: 'Debrief' }),
        badge(d.recommendation, { big: true, testid: 'recommendation' }),
      ]),
      d.bar_raiser_veto && el('p', { class: 'veto', 'data-testid': 'veto' }, [
        el('strong', { text: 'Bar raiser veto. ' }),
        'At least one principle scored 1 or raised a red flag, so the recommendation is capped at No hire whatever the average.',
      ]),
      el('p', { class: 'summary', text: d.summary }),
      d.grader_note && el('p', { class: 'grader-note', 'data-testid': 'grader-note', text: d.grader_note }),
      graded && el('p', { class: 'hint', text: graded }),
    ]),
    el('div', { class: 'grades' }, (d.principles || []).map((g) => gradeCard(s, g))),
  );
  return undefined;
}

function gradeCard(s, g) {
  const assessed = g.rating !== 'not_assessed';
  return el('article', { class: `card grade rating-${g.rating}`, 'data-testid': 'principle-grade', 'data-principle': g.principle }, [
    el('header', { class: 'grade-head' }, [
      el('h3', { text: g.name || principleName(s, g.principle) }),
      el('span', { class: 'grade-badges' }, [
        g.score != null && el('span', { class: 'score', 'aria-label': `Score ${g.score} out of 4`, text: `${g.score}/4` }),
        badge(g.rating),
      ]),
    ]),
    !assessed && el('p', { class: 'hint', text: 'This principle was not reached before the interview ended.' }),
    g.red_flag && el('p', { class: 'red-flag' }, [el('strong', { text: 'Red flag: ' }), capitalize(g.red_flag.replace(/_/g, ' '))]),
    assessed && g.star && starChecklist(g.star),
    listSection('Evidence from your answers', (g.evidence || []).map(evidenceItem), 'evidence-list'),
    listSection('Strengths', (g.strengths || []).map((x) => el('li', { text: x })), 'strengths'),
    listSection('Concerns', (g.concerns || []).map((x) => el('li', { text: x })), 'concerns'),
    g.advice && el('div', { class: 'advice' }, [el('h4', { text: 'Advice' }), el('p', { text: g.advice })]),
  ]);
}

function starChecklist(star) {
  return el('ul', { class: 'star', 'aria-label': 'STAR coverage' }, STAR_PARTS.map((part) => el('li', { class: star[part] ? 'yes' : 'no' }, [
    el('span', { class: 'mark', 'aria-hidden': 'true', text: star[part] ? '✓' : '✗' }),
    capitalize(part),
    el('span', { class: 'visually-hidden', text: star[part] ? ': covered' : ': missing' }),
  ])));
}

function evidenceItem(e) {
  return el('li', { class: 'evidence' }, [
    el('blockquote', { text: e.quote }),
    el('button', { type: 'button', class: 'link', onclick: () => jumpToTurn(e.seq), text: `See turn ${e.seq} in the transcript` }),
  ]);
}

function listSection(title, items, cls) {
  if (!items.length) return null;
  return el('div', { class: `grade-section ${cls}` }, [el('h4', { text: title }), el('ul', {}, items)]);
}
