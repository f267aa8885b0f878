// format.js: pure helpers that turn values into words for the page, with
// no DOM access: labels for roles, ratings and statuses, dates, and
// lengths counted as the server counts them.

const ROLE_LABELS = {
  sde: 'Software engineer', em: 'Engineering manager', pm: 'Product manager',
  tpm: 'Technical program manager', general: 'General',
};
const RATING_LABELS = {
  strong_hire: 'Strong hire', hire: 'Hire', no_hire: 'No hire',
  strong_no_hire: 'Strong no hire', not_assessed: 'Not assessed',
};

/** Words for an interview's status in the history. */
export const STATUS_LABELS = { in_progress: 'In progress', grading: 'Grading', complete: 'Complete' };

/** Words screen readers hear for each progress step. */
export const STEP_LABELS = { done: 'done', current: 'current', upcoming: 'upcoming', skipped: 'not assessed' };

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** fmtDate formats an ISO timestamp for people, or returns '' for a bad one. */
export const fmtDate = (iso) => (iso && !Number.isNaN(Date.parse(iso)) ? DATE_FORMAT.format(new Date(iso)) : '');

/** roleLabel names a role id, falling back to the id itself. */
export const roleLabel = (role) => ROLE_LABELS[role] || role;

/** ratingLabel names a rating id, falling back to the id itself. */
export const ratingLabel = (rating) => RATING_LABELS[rating] || rating;

/** capitalize upper-cases the first letter of s. */
export const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** codePoints is the length of text in Unicode code points, the server's unit. */
export const codePoints = (text) => Array.from(text).length;
