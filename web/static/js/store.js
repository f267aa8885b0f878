// store.js: localStorage helpers. Reading and writing never throw (private
// mode, a full quota or disabled storage just lose what would be kept), and
// the keys for an interview's unsent answers and draft live here.

/** local reads and writes JSON values in localStorage. */
export const local = {
  get(key, fallback) {
    try { const v = localStorage.getItem(key); return v == null ? fallback : JSON.parse(v); } catch { return fallback; }
  },
  set(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch { /* storage unavailable: drafts just won't survive a reload */ }
  },
};

/** pendingKey is where the answers of interview id that await an ack are kept. */
export const pendingKey = (id) => `barraiser:pending:${id}`;

/** draftKey is where the unsent text of interview id's answer box is kept. */
export const draftKey = (id) => `barraiser:draft:${id}`;

/**
 * savePending keeps session s's un-acked answers, so that a reload resends
 * each one under its original client_id.
 */
export const savePending = (s) => local.set(pendingKey(s.id), s.pending.length ? s.pending : null);
