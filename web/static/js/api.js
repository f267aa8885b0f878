// api.js: the one fetch helper for the JSON API. A response that is not
// 2xx becomes a thrown Error carrying the server's message, code and status.

/**
 * api fetches path and returns its JSON body (null when it has none).
 * A failed response throws an Error with status and code set.
 */
export async function api(path, options = {}) {
  const headers = options.body ? { 'Content-Type': 'application/json' } : {};
  const res = await fetch(path, { credentials: 'same-origin', headers, ...options });
  let data = null;
  try { data = await res.json(); } catch { /* empty or non-JSON body */ }
  if (!res.ok) {
    const err = new Error(data?.error?.message || `Request failed (HTTP ${res.status})`);
    Object.assign(err, { status: res.status, code: data?.error?.code });
    throw err;
  }
  return data;
}
