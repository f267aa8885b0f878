// chart.js: a small SVG line chart of one principle's scores (1 to 4)
// across interviews, built node by node. Each point has a visible marker
// and its score written beside it, so the chart reads without colour.

import { el } from './dom.js';
import { ratingLabel } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const MIN = 1;
const MAX = 4;
const LEFT = 34;   // room for the axis labels 1–4
const RIGHT = 26;
const TOP = 24;    // room for the label over the topmost score
const STEP_Y = 30; // pixels between two scores
const STEP_X = 60; // pixels between two interviews
const BOTTOM = TOP + STEP_Y * (MAX - MIN);
const HEIGHT = BOTTOM + 30; // room for the dates under the axis
const DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

// svg builds an SVG element with attributes, text and children.
function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null) continue;
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

const yOf = (score) => BOTTOM - (Math.min(MAX, Math.max(MIN, score)) - MIN) * STEP_Y;

/** chartLabel is the accessible name of a chart: "Ownership: 2, 3, 4". */
export const chartLabel = (name, points) => `${name}: ${points.map((p) => p.score).join(', ')}`;

/**
 * scoreChart draws the scores of principle p ({name, points}) oldest first,
 * inside a figure whose caption names the principle and its latest rating.
 */
export function scoreChart(p) {
  const points = p.points || [];
  const width = LEFT + 20 + Math.max(points.length - 1, 1) * STEP_X + RIGHT;
  // A lone point sits in the middle of the plot rather than near the axis.
  const xOf = (i) => (points.length === 1 ? (LEFT + width) / 2 : LEFT + 20 + i * STEP_X);
  const label = chartLabel(p.name, points);
  const descId = `chart-desc-${p.id}`;
  const last = points[points.length - 1];

  const axis = [];
  for (let s = MIN; s <= MAX; s++) {
    axis.push(svg('line', { class: 'chart-grid', x1: LEFT, x2: width - 6, y1: yOf(s), y2: yOf(s) }));
    axis.push(svg('text', { class: 'chart-axis', x: LEFT - 10, y: yOf(s), 'text-anchor': 'end', 'dominant-baseline': 'middle', text: String(s) }));
  }
  const line = points.length > 1 && svg('polyline', {
    class: 'chart-line',
    points: points.map((pt, i) => `${xOf(i)},${yOf(pt.score)}`).join(' '),
  });
  const marks = points.map((pt, i) => svg('g', { class: 'chart-mark' }, [
    svg('circle', { class: 'chart-point', 'data-testid': 'chart-point', cx: xOf(i), cy: yOf(pt.score), r: 5 }),
    svg('text', {
      class: 'chart-label', 'data-testid': 'chart-label', x: xOf(i), y: yOf(pt.score) - 11, 'text-anchor': 'middle', text: String(pt.score),
    }),
    svg('text', {
      class: 'chart-date', x: xOf(i), y: BOTTOM + 22, 'text-anchor': 'middle', text: pt.at ? DAY.format(new Date(pt.at)) : '',
    }),
  ]));

  const chart = svg('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT,
    role: 'img', 'aria-label': label, 'aria-describedby': descId, 'data-testid': 'progress-chart', 'data-principle': p.id,
  }, [
    svg('title', { text: label }),
    svg('line', { class: 'chart-axis-line', x1: LEFT, x2: LEFT, y1: TOP - 8, y2: BOTTOM }),
    ...axis,
    line,
    ...marks,
  ]);
  const count = points.length === 1 ? '1 interview' : `${points.length} interviews`;
  return el('figure', { class: 'chart-card card' }, [
    el('figcaption', { class: 'chart-caption' }, [
      el('span', { class: 'chart-name', text: p.name }),
      el('span', {
        id: descId,
        class: 'chart-summary',
        text: `${count}, oldest first. Latest score ${last.score} of 4 (${ratingLabel(last.rating)}).`,
      }),
    ]),
    chart,
  ]);
}
