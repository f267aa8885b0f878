// Bar Raiser browser UI: setup, live interview over WebSocket, debrief, history.
// Plain JS, no dependencies. All server and candidate text is rendered with
// textContent / text nodes only, never as HTML.
'use strict';

(() => {
  const MAX_FOCUS = 2000;
  const MAX_ANSWER = 8000;
  const MAX_PICK = 4;
  const MAX_FOLLOW_UPS = 4;

  const ROLE_LABELS = {
    sde: 'Software engineer', em: 'Engineering manager', pm: 'Product manager',
    tpm: 'Technical program manager', general: 'General',
  };
  const RATING_LABELS = {
    strong_hire: 'Strong hire', hire: 'Hire', no_hire: 'No hire',
    strong_no_hire: 'Strong no hire', not_assessed: 'Not assessed',
  };
  const STATUS_LABELS = { in_progress: 'In progress', grading: 'Grading', complete: 'Complete' };
  const STEP_LABELS = { done: 'done', current: 'current', upcoming: 'upcoming', skipped: 'not assessed' };
  const STAR_PARTS = ['situation', 'task', 'action', 'result'];
  // Answer errors the server sends back for the answer we just sent.
  const ANSWER_ERRORS = new Set(['answer_too_long', 'empty_answer', 'no_pending_question']);
  const COUNT_NOTE = 'chosen for your role, level and what you have practised least';
  const MOD_KEY = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent) ? '⌘' : 'Ctrl';
  const REDUCED_MOTION = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  const state = {
    principles: null, // catalog from GET /api/v1/principles
    wsUrls: {},       // interview id -> ws_url returned when it was created
    view: null,
    iv: null,         // the open interview session, see openInterview
  };

  // ---------- small helpers ----------

  const $ = (id) => document.getElementById(id);

  // el('p', {class: 'x', text: 'hi', onclick: fn}, [children]) builds a DOM node.
  // Strings among the children become text nodes, so data is never parsed as HTML.
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of [].concat(children)) {
      if (child != null && child !== false) node.append(child);
    }
    return node;
  }

  // Length in Unicode code points, as the server counts it.
  const codePoints = (text) => Array.from(text).length;

  // randomUUID needs a secure context; plain http on a LAN address gets random hex.
  const newClientId = () => (crypto.randomUUID ? crypto.randomUUID()
    : [...crypto.getRandomValues(new Uint8Array(16))].map((x) => x.toString(16).padStart(2, '0')).join(''));

  const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const fmtDate = (iso) => (iso && !Number.isNaN(Date.parse(iso)) ? DATE_FORMAT.format(new Date(iso)) : '');

  const roleLabel = (role) => ROLE_LABELS[role] || role;
  const ratingLabel = (rating) => RATING_LABELS[rating] || rating;
  const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  function badge(rating, extra = {}) {
    const cls = `badge rating-${rating}${extra.big ? ' big' : ''}`;
    return el('span', { class: cls, 'data-value': rating, 'data-testid': extra.testid, text: ratingLabel(rating) });
  }

  // localStorage wrapper that never throws (private mode, quota, disabled storage).
  const local = {
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
  const pendingKey = (id) => `barraiser:pending:${id}`;
  const draftKey = (id) => `barraiser:draft:${id}`;
  // Un-acked answers survive a reload and are resent with the same client_id.
  const savePending = (s) => local.set(pendingKey(s.id), s.pending.length ? s.pending : null);

  function announce(message) {
    const a = $('announcer');
    a.textContent = '';
    // A short delay makes screen readers announce repeated identical messages too.
    setTimeout(() => { a.textContent = message; }, 50);
  }

  // fetch JSON; non-2xx responses throw an Error carrying the server's message and code.
  async function api(path, options = {}) {
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

  // ---------- routing ----------

  function route() {
    leaveInterview();
    const hash = location.hash || '#/';
    const match = hash.match(/^#\/interview\/([^/]+)$/);
    if (match) openInterview(decodeURIComponent(match[1]));
    else if (hash === '#/history') showHistory();
    else showSetup();
  }

  function showView(name, title) {
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

  function showError(title, text) {
    showView('error', title);
    $('error-title').textContent = title;
    $('error-text').textContent = text;
  }

  // ---------- setup view ----------

  function showSetup() {
    showView('setup', 'New interview');
    loadPrinciples();
  }

  async function loadPrinciples() {
    if (state.principles) return;
    try {
      const data = await api('/api/v1/principles');
      state.principles = data.principles || [];
      renderPicker();
    } catch (e) {
      $('principle-list').replaceChildren(el('p', { class: 'hint', text: `Could not load the principles: ${e.message}` }));
    }
  }

  function renderPicker() {
    const items = state.principles.map((p) => el('label', { class: 'pick' }, [
      el('input', { type: 'checkbox', value: p.id, 'data-testid': 'principle-option' }),
      el('span', { class: 'pick-text' }, [
        el('span', { class: 'pick-name', text: p.name }),
        el('span', { class: 'pick-desc', text: p.description }),
      ]),
    ]));
    $('principle-list').replaceChildren(...items);
  }

  const pickedIds = () => [...$('principle-list').querySelectorAll('input:checked')].map((i) => i.value);

  // Enforce the maximum of four picks and explain that picks override the count.
  function onPick() {
    const picked = pickedIds();
    for (const box of $('principle-list').querySelectorAll('input')) {
      box.disabled = !box.checked && picked.length >= MAX_PICK;
    }
    $('principle-count').disabled = picked.length > 0;
    $('count-note').textContent = picked.length ? `using the ${picked.length} you picked below` : COUNT_NOTE;
    const pill = $('picked-count');
    pill.hidden = picked.length === 0;
    pill.textContent = `${picked.length} of ${MAX_PICK}`;
  }

  function updateCounter(counter, text, max) {
    const n = codePoints(text);
    counter.textContent = `${n} / ${max}`;
    counter.classList.toggle('near', n > max * 0.9 && n <= max);
    counter.classList.toggle('over', n > max);
    return n;
  }

  // Shows (or with '' hides) an inline error paragraph.
  function setError(id, message) {
    $(id).textContent = message;
    $(id).hidden = !message;
  }

  async function onStart(event) {
    event.preventDefault();
    const focus = $('focus').value.trim();
    if (codePoints(focus) > MAX_FOCUS) {
      setError('form-error', `The focus is too long: ${MAX_FOCUS} characters at most.`);
      return;
    }
    const body = { role: $('role').value, level: $('level').value };
    if (focus) body.focus = focus;
    const picked = pickedIds();
    if (picked.length) body.principles = picked;
    else body.principle_count = Number($('principle-count').value);

    const button = $('start');
    button.disabled = true;
    button.textContent = 'Starting…';
    setError('form-error', '');
    try {
      const created = await api('/api/v1/interviews', { method: 'POST', body: JSON.stringify(body) });
      state.wsUrls[created.id] = created.ws_url;
      location.hash = `#/interview/${encodeURIComponent(created.id)}`;
    } catch (e) {
      setError('form-error', e.message);
    } finally {
      button.disabled = false;
      button.textContent = 'Start interview';
    }
  }

  // ---------- interview view: lifecycle ----------

  // A session holds everything about the interview on screen. Handlers check
  // `s === state.iv` so late events from a session we left are ignored.
  async function openInterview(id) {
    const s = {
      id, interview: null, turns: [], ws: null, retry: 0, timers: {},
      stopped: false, superseded: false, pending: local.get(pendingKey(id), []),
    };
    state.iv = s;
    showView('interview', 'Interview');
    resetInterviewView(s);
    let interview;
    try {
      interview = await api(`/api/v1/interviews/${encodeURIComponent(id)}`);
    } catch (e) {
      if (s !== state.iv) return;
      if (e.status === 404) showError('Interview not found', 'This interview does not exist, or it was started in another browser.');
      else showError('Could not load the interview', e.message);
      return;
    }
    if (s !== state.iv) return;
    applyInterview(s, interview);
    if (interview.status !== 'complete') connect(s);
  }

  function leaveInterview() {
    const s = state.iv;
    if (!s) return;
    s.stopped = true;
    clearTimeout(s.timers.retry);
    if (s.ws) {
      const ws = s.ws;
      s.ws = null;
      ws.close(1000, 'left the page');
    }
    state.iv = null;
  }

  function resetInterviewView(s) {
    $('interview-title').textContent = 'Interview';
    $('progress').replaceChildren();
    $('progress-detail').textContent = '';
    $('transcript').replaceChildren();
    $('debrief').replaceChildren();
    $('debrief').hidden = true;
    $('grading').hidden = true;
    $('composer').hidden = true;
    hideBanner();
    setError('answer-error', '');
    const input = $('answer-input');
    input.value = local.get(draftKey(s.id), '');
    updateCounter($('answer-count'), input.value, MAX_ANSWER);
    setConn('idle', 'Loading…');
  }

  // Replace everything we know with a full Interview object (GET or session frame).
  function applyInterview(s, interview) {
    s.interview = interview;
    s.turns = (interview.turns || []).slice().sort((a, b) => a.seq - b.seq);
    if (interview.status === 'complete') {
      s.stopped = true;
      s.pending = [];
      local.set(pendingKey(s.id), null);
      local.set(draftKey(s.id), null);
    }
    renderAll(s);
  }

  function renderAll(s) {
    const iv = s.interview;
    $('view-interview').dataset.status = iv.status; // the CSS makes the header sticky only while live
    const title = `${roleLabel(iv.role)} · ${iv.level}`;
    $('interview-title').textContent = title;
    document.title = `${title} · Bar Raiser`;
    renderProgress(s);
    renderTranscript(s);
    renderDebrief(s);
    $('grading').hidden = iv.status !== 'grading';
    updateComposer(s);
    if (iv.status === 'complete') setConn('done', 'Complete');
  }

  // ---------- interview view: WebSocket ----------

  function connect(s) {
    if (s.stopped || s !== state.iv) return;
    clearTimeout(s.timers.retry);
    const path = state.wsUrls[s.id] || `/api/v1/interviews/${encodeURIComponent(s.id)}/ws`;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}${path}`);
    s.ws = ws;
    setConn('connecting', s.retry ? 'Reconnecting…' : 'Connecting…');
    ws.onmessage = (ev) => { if (s.ws === ws) onFrame(s, ev.data); };
    ws.onclose = (ev) => { if (s.ws === ws) onSocketClose(s, ev); };
  }

  const isOpen = (s) => !!s.ws && s.ws.readyState === WebSocket.OPEN;

  function sendFrame(s, frame) {
    if (!isOpen(s)) return false;
    s.ws.send(JSON.stringify(frame));
    return true;
  }

  function onFrame(s, raw) {
    let f;
    try { f = JSON.parse(raw); } catch { return; }
    switch (f.type) {
      case 'session': return onSession(s, f.interview);
      case 'question_delta': return onQuestionDelta(s, f);
      case 'question': return onQuestion(s, f.turn);
      case 'ack': return onAck(s, f);
      case 'grading': return onGrading(s);
      case 'debrief': return onDebrief(s, f.debrief);
      case 'error': return onServerError(s, f);
      default: return undefined; // newer server, unknown frame: ignore
    }
  }

  function onSession(s, interview) {
    s.retry = 0;
    setConn('open', 'Connected');
    hideBanner();
    s.ending = false;
    applyInterview(s, interview);
    // Resend answers the server never acknowledged; it dedupes by client_id.
    if (interview.status === 'in_progress') {
      for (const p of s.pending) sendFrame(s, { type: 'answer', text: p.text, client_id: p.client_id });
      focusAnswerIfIdle();
    }
  }

  // Streaming chunk of a question: append to that seq's bubble, creating it if needed.
  function onQuestionDelta(s, { seq, text }) {
    let bubble = document.getElementById(`turn-${seq}`);
    if (!bubble) {
      bubble = appendTurnBubble(s, { seq, speaker: 'interviewer', text: '' }, false);
      bubble.classList.add('streaming');
      bubble.querySelector('.turn-meta').textContent = 'typing…';
      scrollToBottom();
    }
    bubble.querySelector('.text').textContent += text || '';
  }

  function onQuestion(s, turn) {
    const known = s.turns.find((t) => t.seq === turn.seq);
    const changed = !known || known.text !== turn.text;
    if (known) Object.assign(known, turn);
    else s.turns.push(turn);
    const bubble = document.getElementById(`turn-${turn.seq}`);
    if (bubble && !bubble.classList.contains('streaming')) {
      bubble.querySelector('.text').textContent = turn.text;
    } else {
      // A streamed bubble is always last: rebuild it so its section label is right.
      if (bubble) bubble.remove();
      appendTurnBubble(s, turn, true);
    }
    renderProgress(s);
    updateComposer(s);
    if (changed) {
      announce(`Interviewer: ${turn.text}`);
      scrollToBottom();
      focusAnswerIfIdle();
    }
  }

  function onAck(s, { seq, client_id: clientId }) {
    const idx = s.pending.findIndex((p) => p.client_id === clientId);
    if (idx < 0) return; // ack for an answer we no longer track (e.g. sent from another tab)
    const [p] = s.pending.splice(idx, 1);
    savePending(s);
    const bubble = $('transcript').querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
    if (s.turns.some((t) => t.seq === seq)) {
      // Already in the transcript from the session frame: drop the duplicate.
      if (bubble) bubble.remove();
    } else {
      const q = lastQuestion(s);
      const turn = {
        seq, speaker: 'candidate', kind: 'answer', principle: q && q.principle,
        follow_up: q ? q.follow_up : 0, text: p.text, at: new Date().toISOString(),
      };
      s.turns.push(turn);
      if (bubble) markSaved(bubble, seq);
      else appendTurnBubble(s, turn, false);
    }
    updateComposer(s);
  }

  function onGrading(s) {
    s.interview.status = 'grading';
    $('grading').hidden = false;
    renderProgress(s);
    updateComposer(s);
    announce('The interview is over. Grading your answers.');
  }

  function onDebrief(s, debrief) {
    // Keep the turns received live; the session frame only had the early ones.
    Object.assign(s.interview, { debrief, status: 'complete', turns: s.turns });
    applyInterview(s, s.interview);
    announce(`Your debrief is ready. Recommendation: ${ratingLabel(debrief.recommendation)}.`);
    const heading = $('debrief-title');
    if (heading) {
      heading.focus({ preventScroll: true });
      $('debrief').scrollIntoView({ behavior: REDUCED_MOTION ? 'auto' : 'smooth', block: 'start' });
    }
  }

  function onServerError(s, { code, message }) {
    if (code === 'superseded') return onSuperseded(s);
    if (ANSWER_ERRORS.has(code) && s.pending.length) {
      // Only one answer is ever in flight, so the error is about the last one:
      // take it back into the answer box so nothing the candidate wrote is lost.
      const p = s.pending.pop();
      savePending(s);
      const bubble = $('transcript').querySelector(`[data-client-id="${CSS.escape(p.client_id)}"]`);
      if (bubble) bubble.remove();
      const input = $('answer-input');
      if (!input.value.trim()) input.value = p.text;
      updateCounter($('answer-count'), input.value, MAX_ANSWER);
      updateComposer(s);
      setError('answer-error', message || code);
      return undefined;
    }
    showBanner(message || `Server error: ${code}`);
    return undefined;
  }

  function onSuperseded(s) {
    if (s.superseded) return;
    s.superseded = true;
    s.stopped = true;
    clearTimeout(s.timers.retry);
    setConn('superseded', 'Open in another tab');
    showBanner('This interview was opened in another tab or window, so this one has stopped.', 'Continue here', () => {
      s.superseded = false;
      s.stopped = false;
      hideBanner();
      connect(s);
    });
    updateComposer(s);
  }

  function onSocketClose(s, ev) {
    s.ws = null;
    if (ev.code === 4001) onSuperseded(s);
    if (s !== state.iv || s.stopped || (s.interview && s.interview.status === 'complete')) {
      updateComposer(s);
      return;
    }
    // Reconnect with exponential backoff and jitter (~0.5s, 1s, 2s … 15s). This also
    // covers a drop while grading: on connect the server finishes and sends the debrief.
    const delay = Math.min(15000, 500 * 2 ** s.retry) * (0.75 + Math.random() * 0.5);
    s.retry++;
    setConn('retry', `Offline, retrying in ${Math.max(1, Math.round(delay / 1000))}s`);
    markPendingStatus('Not sent yet: will retry');
    s.timers.retry = setTimeout(() => connect(s), delay);
    updateComposer(s);
  }

  // ---------- interview view: answering ----------

  function lastQuestion(s) {
    for (let i = s.turns.length - 1; i >= 0; i--) if (s.turns[i].speaker === 'interviewer') return s.turns[i];
    return null;
  }

  // The question waiting for an answer: the last turn, if the interviewer spoke it.
  function pendingQuestion(s) {
    const last = s.turns[s.turns.length - 1];
    return last && last.speaker === 'interviewer' ? last : null;
  }

  function sendAnswer(s) {
    const input = $('answer-input');
    const text = input.value.trim();
    if (!text) return setError('answer-error', 'Write your answer first.');
    if (codePoints(text) > MAX_ANSWER) return setError('answer-error', `Answers are limited to ${MAX_ANSWER} characters.`);
    setError('answer-error', '');
    const p = { client_id: newClientId(), text };
    s.pending.push(p);
    savePending(s);
    appendPendingBubble(p, isOpen(s) ? 'Sending…' : 'Not sent yet: will retry');
    input.value = '';
    local.set(draftKey(s.id), null);
    updateCounter($('answer-count'), '', MAX_ANSWER);
    sendFrame(s, { type: 'answer', text, client_id: p.client_id }); // if closed, resent on reconnect
    updateComposer(s);
    scrollToBottom();
    return undefined;
  }

  function updateComposer(s) {
    if (s !== state.iv) return;
    const iv = s.interview;
    const inProgress = !!iv && iv.status === 'in_progress';
    $('composer').hidden = !inProgress;
    if (!inProgress) return;
    const input = $('answer-input');
    const canAnswer = !!pendingQuestion(s) && s.pending.length === 0 && !s.superseded && !s.ending;
    input.disabled = !canAnswer;
    $('send').disabled = !canAnswer || codePoints(input.value) > MAX_ANSWER;
    $('finish').disabled = !isOpen(s) || s.ending;
    let hint = `${MOD_KEY}+Enter to send`;
    if (s.superseded) hint = 'Paused: this interview is open in another tab.';
    else if (s.ending) hint = 'Finishing…';
    else if (s.pending.length) hint = isOpen(s) ? 'Saving your answer…' : 'Offline: your answer is sent once the connection is back.';
    else if (!pendingQuestion(s)) hint = s.turns.length ? 'Waiting for the next question…' : 'Waiting for the first question…';
    $('answer-hint').textContent = hint;
  }

  function focusAnswerIfIdle() {
    const active = document.activeElement;
    const idle = !active || active === document.body || active.tagName === 'H1' || active.id === 'send';
    const input = $('answer-input');
    if (idle && !input.disabled) input.focus({ preventScroll: true });
  }

  function confirmFinish(s) {
    const dialog = $('finish-dialog');
    const finish = () => {
      if (!sendFrame(s, { type: 'end' })) return showBanner('Not connected: the interview could not be finished. Try again in a moment.');
      s.ending = true;
      updateComposer(s);
      return undefined;
    };
    dialog.returnValue = '';
    dialog.onclose = () => { if (dialog.returnValue === 'confirm' && s === state.iv) finish(); };
    dialog.showModal();
  }

  // ---------- interview view: rendering ----------

  function setConn(kind, text) {
    const c = $('connection-status');
    c.dataset.state = kind;
    c.querySelector('.conn-text').textContent = text;
  }

  function showBanner(text, actionLabel, action) {
    $('banner-text').textContent = text;
    const button = $('banner-action');
    button.hidden = !actionLabel;
    button.textContent = actionLabel || '';
    button.onclick = action || null;
    $('banner').hidden = false;
  }

  function hideBanner() { $('banner').hidden = true; }

  function principleName(s, id) {
    const p = (s.interview.principles || []).find((x) => x.id === id)
      || (state.principles || []).find((x) => x.id === id);
    return p ? p.name : id || '';
  }

  // Progress: planned principles as steps, plus where we are within the current one.
  function renderProgress(s) {
    const iv = s.interview;
    const planned = iv.principles || [];
    const q = lastQuestion(s);
    const current = q ? planned.findIndex((p) => p.id === q.principle) : -1;
    const over = iv.status !== 'in_progress';
    const grades = (iv.debrief && iv.debrief.principles) || [];
    const steps = planned.map((p, i) => {
      let st = i < current ? 'done' : i === current ? 'current' : 'upcoming';
      if (over) {
        const g = grades.find((x) => x.principle === p.id);
        st = (g && g.rating === 'not_assessed') || (!g && i > current) ? 'skipped' : 'done';
      }
      return el('li', { class: `step ${st}`, 'aria-current': st === 'current' ? 'step' : null }, [
        el('span', { class: 'step-num', 'aria-hidden': 'true', text: st === 'done' ? '✓' : String(i + 1) }),
        el('span', { class: 'step-name', text: p.name }),
        el('span', { class: 'visually-hidden', text: ` (${STEP_LABELS[st]})` }),
      ]);
    });
    $('progress').replaceChildren(...steps);

    let detail = 'Preparing your first question…';
    if (iv.status === 'grading') detail = 'Interview finished: grading';
    else if (iv.status === 'complete') detail = `Completed ${fmtDate(iv.updated_at)}`.trim();
    else if (q) {
      const where = q.probe === 'real_example' ? 'a real example, please'
        : q.follow_up ? `follow-up ${q.follow_up} of up to ${MAX_FOLLOW_UPS}` : 'opening question';
      detail = `Principle ${current + 1} of ${planned.length}: ${principleName(s, q.principle)} · ${where}`;
    }
    $('progress-detail').textContent = detail;
  }

  function renderTranscript(s) {
    const t = $('transcript');
    t.replaceChildren();
    s.lastSection = undefined;
    for (const turn of s.turns) appendTurnBubble(s, turn, false);
    if (s.interview.status === 'in_progress') {
      for (const p of s.pending) appendPendingBubble(p, isOpen(s) ? 'Sending…' : 'Not sent yet: will retry');
    }
    if (!t.children.length) {
      t.append(el('p', { class: 'placeholder hint', text: 'Your interviewer is preparing the first question…' }));
    }
  }

  function bubble(kind, speaker, meta, text) {
    return el('article', { class: `bubble ${kind}`, 'data-testid': kind, tabindex: '-1' }, [
      el('div', { class: 'meta' }, [
        el('span', { class: 'speaker', text: speaker }),
        el('span', { class: 'turn-meta', text: meta }),
      ]),
      el('p', { class: 'text', text }),
    ]);
  }

  // Append one stored turn, with a section label whenever the principle changes.
  function appendTurnBubble(s, turn, fresh) {
    const t = $('transcript');
    const placeholder = t.querySelector('.placeholder');
    if (placeholder) placeholder.remove();
    if (turn.principle && turn.principle !== s.lastSection) {
      s.lastSection = turn.principle;
      const index = (s.interview.principles || []).findIndex((p) => p.id === turn.principle);
      const label = index >= 0 ? `Principle ${index + 1} · ` : '';
      t.append(el('h3', { class: 'section-label', text: label + principleName(s, turn.principle) }));
    }
    const isQuestion = turn.speaker === 'interviewer';
    const meta = isQuestion
      ? (turn.kind === 'opening' || !turn.follow_up ? 'Opening question' : `Follow-up ${turn.follow_up}`)
      : `Turn ${turn.seq}`;
    const b = bubble(isQuestion ? 'question' : 'answer', isQuestion ? 'Interviewer' : 'You', meta, turn.text);
    b.id = `turn-${turn.seq}`;
    b.dataset.seq = turn.seq;
    if (fresh) b.classList.add('fresh');
    t.append(b);
    return b;
  }

  function appendPendingBubble(p, status) {
    const b = bubble('answer', 'You', status, p.text);
    b.classList.add('pending');
    b.dataset.clientId = p.client_id;
    $('transcript').append(b);
  }

  function markSaved(b, seq) {
    b.classList.remove('pending');
    b.removeAttribute('data-client-id');
    b.id = `turn-${seq}`;
    b.dataset.seq = seq;
    b.querySelector('.turn-meta').textContent = `Turn ${seq} · saved`;
  }

  function markPendingStatus(text) {
    for (const b of $('transcript').querySelectorAll('.bubble.pending .turn-meta')) b.textContent = text;
  }

  function scrollToBottom() {
    window.scrollTo({ top: document.documentElement.scrollHeight, behavior: REDUCED_MOTION ? 'auto' : 'smooth' });
  }

  // Scroll to an answer in the transcript and highlight it briefly.
  function jumpToTurn(seq) {
    const b = document.getElementById(`turn-${seq}`);
    if (!b) return;
    b.scrollIntoView({ behavior: REDUCED_MOTION ? 'auto' : 'smooth', block: 'center' });
    b.focus({ preventScroll: true });
    b.classList.remove('highlight');
    void b.offsetWidth; // restart the highlight animation
    b.classList.add('highlight');
  }

  // ---------- debrief ----------

  function renderDebrief(s) {
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

  // ---------- history view ----------

  async function showHistory() {
    showView('history', 'History');
    const list = $('history-list');
    const status = $('history-status');
    status.textContent = 'Loading…';
    list.replaceChildren();
    $('history-more').hidden = true;
    showOwner();
    try {
      const data = await api('/api/v1/interviews');
      if (state.view !== 'history') return;
      const interviews = data.interviews || [];
      if (interviews.length) status.textContent = 'Newest first';
      else status.replaceChildren('No interviews yet. ', el('a', { href: '#/', text: 'Start your first one' }), '.');
      list.replaceChildren(...interviews.map(historyItem));
      setMore(data.next_cursor);
    } catch (e) {
      status.textContent = `Could not load your interviews: ${e.message}`;
    }
  }

  // setMore offers the next page of the history, if there is one.
  function setMore(cursor) {
    const more = $('history-more');
    more.hidden = !cursor;
    more.dataset.cursor = cursor || '';
  }

  async function showMore() {
    const more = $('history-more');
    more.disabled = true;
    try {
      const data = await api(`/api/v1/interviews?cursor=${encodeURIComponent(more.dataset.cursor)}`);
      $('history-list').append(...(data.interviews || []).map(historyItem));
      setMore(data.next_cursor);
    } catch (e) {
      $('history-status').textContent = `Could not load older interviews: ${e.message}`;
    } finally {
      more.disabled = false;
    }
  }

  // showOwner says whose interviews these are: this browser's, or an API key's.
  async function showOwner() {
    const line = $('history-owner');
    try {
      const me = await api('/api/v1/me');
      line.textContent = me.key_name
        ? `Showing the interviews of the API key “${me.key_name}”.`
        : 'Showing the interviews started in this browser.';
    } catch {
      line.textContent = '';
    }
  }

  // useKey makes this browser the owner of an API key's interviews.
  async function useKey(event) {
    event.preventDefault();
    const input = $('key-input');
    const status = $('key-status');
    status.textContent = 'Checking…';
    try {
      const me = await api('/api/v1/session', { method: 'POST', body: JSON.stringify({ key: input.value.trim() }) });
      input.value = '';
      status.textContent = `Now using the key “${me.key_name}”.`;
      $('key-login').open = false;
      showHistory();
    } catch (e) {
      status.textContent = e.message;
    }
  }

  function historyItem(iv) {
    const names = (iv.principles || []).map((p) => p.name).join(' · ');
    const chars = [...(iv.focus || '')];
    const focus = chars.length > 160 ? `${chars.slice(0, 157).join('')}…` : iv.focus;
    const action = iv.status === 'complete' ? 'View debrief' : iv.status === 'grading' ? 'View' : 'Resume';
    return el('li', { 'data-testid': 'history-item', 'data-id': iv.id, 'data-status': iv.status }, [
      el('a', { class: 'history-card card', href: `#/interview/${encodeURIComponent(iv.id)}` }, [
        el('div', { class: 'history-main' }, [
          el('span', { class: 'history-title', text: `${roleLabel(iv.role)} · ${iv.level}` }),
          names && el('span', { class: 'history-principles', text: names }),
          focus && el('span', { class: 'history-focus', text: `“${focus}”` }),
        ]),
        el('div', { class: 'history-side' }, [
          el('time', { datetime: iv.created_at, text: fmtDate(iv.created_at) }),
          el('span', { class: 'history-badges' }, [
            el('span', { class: `status status-${iv.status}`, text: STATUS_LABELS[iv.status] || iv.status }),
            iv.recommendation && badge(iv.recommendation),
          ]),
          el('span', { class: 'history-action', text: `${action} →` }),
        ]),
      ]),
    ]);
  }

  // ---------- wiring ----------

  function init() {
    const focus = $('focus');
    const countFocus = () => updateCounter($('focus-count'), focus.value, MAX_FOCUS);
    focus.addEventListener('input', countFocus);
    countFocus(); // the browser may have restored a value
    $('principle-list').addEventListener('change', onPick);
    $('setup-form').addEventListener('submit', onStart);

    const input = $('answer-input');
    input.addEventListener('input', () => {
      updateCounter($('answer-count'), input.value, MAX_ANSWER);
      if (state.iv) {
        local.set(draftKey(state.iv.id), input.value || null);
        updateComposer(state.iv);
      }
    });
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        if (state.iv && !$('send').disabled) sendAnswer(state.iv);
      }
    });
    $('composer').addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (state.iv) sendAnswer(state.iv);
    });
    $('finish').addEventListener('click', () => { if (state.iv) confirmFinish(state.iv); });
    $('key-form').addEventListener('submit', useKey);
    $('history-more').addEventListener('click', showMore);

    // Back online: retry now, not when the backoff timer fires.
    window.addEventListener('online', () => {
      const s = state.iv;
      if (s && !s.ws && !s.stopped) connect(s);
    });
    window.addEventListener('hashchange', route);
    route();
  }

  init();
})();
