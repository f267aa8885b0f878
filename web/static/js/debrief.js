// debrief.js: the graded debrief shown above the transcript once an
// interview is complete, and the rating badge the history reuses.

import { $, el } from './dom.js';
import { capitalize, fmtDate, ratingLabel } from './format.js';
import { jumpToQuote } from './highlight.js';
import { debriefActions } from './share.js';
import { principleName } from './transcript.js';

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
      d.bar_raiser_veto && el('p', { class: 'veto', 'data-testid': 'veto' }, [el('strong', { text: 'Bar raiser veto. ' }), vetoReason(s, d)]),
      !d.bar_raiser_veto && el('p', { class: 'verdict-reason', 'data-testid': 'verdict-reason', text: meanReason(d) }),
      el('p', { class: 'summary', text: d.summary }),
      d.grader_note && el('p', { class: 'grader-note', 'data-testid': 'grader-note', text: d.grader_note }),
      graded && el('p', { class: 'hint', text: graded }),
      debriefActions(s.id),
    ]),
    el('div', { class: 'grades' }, (d.principles || []).map((g) => gradeCard(s, g))),
  );
  return undefined;
}

const scored = (d) => (d.principles || []).filter((g) => g.score != null);
const flagsOf = (g) => (g.red_flags && g.red_flags.length ? g.red_flags : [g.red_flag].filter(Boolean));
const flagWords = (f) => f.replace(/_/g, ' ');

// meanReason says in one sentence how the average score led to the recommendation.
function meanReason(d) {
  const gs = scored(d);
  if (!gs.length) return 'No principle was assessed, so there is no evidence to recommend a hire.';
  const mean = gs.reduce((sum, g) => sum + g.score, 0) / gs.length;
  const n = gs.length === 1 ? '1 assessed principle' : `${gs.length} assessed principles`;
  return `The average score is ${mean.toFixed(2)} out of 4 over ${n}, which maps to ${ratingLabel(d.recommendation)}.`;
}

// vetoReason names, in one sentence, the principles that set off the veto and why.
function vetoReason(s, d) {
  const why = scored(d).filter((g) => g.score === 1 || flagsOf(g).length).map((g) => {
    const name = g.name || principleName(s, g.principle);
    const flags = flagsOf(g);
    return flags.length ? `${name} raised a red flag (${flags.map(flagWords).join(', ')})` : `${name} scored 1 out of 4`;
  });
  const cause = why.length ? why.join('; ') : 'a principle scored 1 or raised a red flag';
  return `${capitalize(cause)}, so the recommendation can be no better than No hire whatever the average.`;
}

function gradeCard(s, g) {
  const assessed = g.rating !== 'not_assessed';
  const flags = flagsOf(g);
  return el('article', { class: `card grade rating-${g.rating}`, 'data-testid': 'principle-grade', 'data-principle': g.principle }, [
    el('header', { class: 'grade-head' }, [
      el('h3', { text: g.name || principleName(s, g.principle) }),
      el('span', { class: 'grade-badges' }, [
        g.score != null && el('span', { class: 'score', 'aria-label': `Score ${g.score} out of 4`, 'data-testid': 'score', text: `${g.score}/4` }),
        badge(g.rating),
      ]),
    ]),
    !assessed && el('p', { class: 'hint', text: 'This principle was not reached before the interview ended.' }),
    flags.length > 0 && el('p', { class: 'red-flag', 'data-testid': 'red-flag' }, [
      el('strong', { text: flags.length > 1 ? 'Red flags: ' : 'Red flag: ' }), capitalize(flags.map(flagWords).join(', ')),
    ]),
    assessed && g.star && starChecklist(g.star),
    listSection('Evidence from your answers', (g.evidence || []).map(evidenceItem), 'evidence-list'),
    listSection('Strengths', (g.strengths || []).map((x) => el('li', { text: x })), 'strengths'),
    listSection('Concerns', (g.concerns || []).map((x) => el('li', { text: x })), 'concerns'),
    g.advice && el('div', { class: 'advice' }, [el('h4', { text: 'Advice' }), el('p', { text: g.advice })]),
    g.graded_by && el('p', { class: 'hint graded-by', text: `Graded by ${g.graded_by}` }),
  ]);
}

function starChecklist(star) {
  return el('ul', { class: 'star', 'aria-label': 'STAR coverage' }, STAR_PARTS.map((part) => el('li', { class: star[part] ? 'yes' : 'no' }, [
    el('span', { class: 'mark', 'aria-hidden': 'true', text: star[part] ? '✓' : '✗' }),
    capitalize(part),
    el('span', { class: 'visually-hidden', text: star[part] ? ': covered' : ': missing' }),
  ])));
}

// evidenceItem is a quote as a button: activating it shows the quoted
// words inside their turn of the transcript.
function evidenceItem(e) {
  return el('li', { class: 'evidence' }, [
    el('button', {
      type: 'button', class: 'quote', 'data-testid': 'evidence-quote', 'data-seq': e.seq,
      onclick: () => jumpToQuote(e.seq, e.quote),
    }, [
      el('span', { class: 'quote-text', text: e.quote }),
      el('span', { class: 'quote-turn', text: `Show in turn ${e.seq}` }),
    ]),
  ]);
}

function listSection(title, items, cls) {
  if (!items.length) return null;
  return el('div', { class: `grade-section ${cls}` }, [el('h4', { text: title }), el('ul', {}, items)]);
}
