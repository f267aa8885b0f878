package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// dropProxy is a TCP proxy between the browser and the server that can
// lose the network on demand: cut closes every connection it carries, as
// a dropped Wi-Fi would, and holds each new one unanswered until restore,
// so the page sees its socket die and its reconnect hang, not a refused
// connection (which the browser would log as an error).
type dropProxy struct {
	target string
	ln     net.Listener

	mu     sync.Mutex
	down   bool
	closed bool
	live   map[net.Conn]bool // both ends of every forwarded connection
	held   []net.Conn        // connections accepted while down
}

// newDropProxy starts a proxy to target (host:port), closed when the test ends.
func newDropProxy(t *testing.T, target string) *dropProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{target: target, ln: ln, live: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// URL is the proxy's base URL, for the browser to open.
func (p *dropProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *dropProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.forward(c)
	}
}

// forward connects c to the server, or holds it while the network is down.
func (p *dropProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed || err != nil:
		c.Close()
		if up != nil {
			up.Close()
		}
		return
	case p.down:
		up.Close()
		p.held = append(p.held, c)
		return
	}
	p.live[c], p.live[up] = true, true
	go p.pipe(up, c)
	go p.pipe(c, up)
}

// pipe copies src to dst until either closes, then closes both.
func (p *dropProxy) pipe(dst, src net.Conn) {
	io.Copy(dst, src) //nolint:errcheck // a cut connection ends the copy
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.live, dst)
	delete(p.live, src)
	p.mu.Unlock()
}

// cut drops every connection and holds new ones until restore.
func (p *dropProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.live {
		c.Close()
	}
}

// restore brings the network back and forwards the connections held meanwhile.
func (p *dropProxy) restore() {
	p.mu.Lock()
	p.down = false
	held := p.held
	p.held = nil
	p.mu.Unlock()
	for _, c := range held {
		p.forward(c)
	}
}

func (p *dropProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for c := range p.live {
		c.Close()
	}
	for _, c := range p.held {
		c.Close()
	}
}

// recordSocket keeps every frame the page sends in window.__sent and every
// frame it receives in window.__got, and each change of the connection
// status line ("state text") in window.__states.
const recordSocket = `(() => {
	const Native = window.WebSocket;
	window.__sent = [];
	window.__got = [];
	window.WebSocket = class extends Native {
		constructor(...args) {
			super(...args);
			this.addEventListener('message', (ev) => window.__got.push(JSON.parse(ev.data)));
		}
		send(data) { window.__sent.push(JSON.parse(data)); super.send(data); }
	};
	window.addEventListener('DOMContentLoaded', () => {
		window.__states = [];
		const c = document.getElementById('connection-status');
		new MutationObserver(() => window.__states.push(c.dataset.state + ' ' + c.textContent.trim()))
			.observe(c, {attributes: true, childList: true, characterData: true, subtree: true});
	});
})();`

// connState is a script for the connection status line as "state text".
const connState = `(() => { const c = document.querySelector('[data-testid="connection-status"]');
	return c.dataset.state + ' ' + c.textContent.trim(); })()`

// transcriptText is a script listing the transcript's bubbles as "kind: text".
const transcriptText = `[...document.querySelectorAll('#transcript .bubble')].map((b) =>
	b.dataset.testid + (b.classList.contains('pending') ? ' (pending)' : '') + ': ' + b.querySelector('.text').textContent)`

// socketCounts is how often the page sent an answer with text, and how
// many acks came back for the client_ids it sent that text under.
type socketCounts struct {
	Sent int `json:"sent"`
	Acks int `json:"acks"`
}

func countSocket(t *testing.T, ctx context.Context, text string) socketCounts {
	t.Helper()
	return roomValue[socketCounts](t, ctx, `(() => {
		const ids = window.__sent.filter((f) => f.type === 'answer' && f.text === `+jsString(text)+`).map((f) => f.client_id);
		return {sent: ids.length, acks: window.__got.filter((f) => f.type === 'ack' && ids.includes(f.client_id)).length};
	})()`)
}

// fetchInterview reads interview id over the API as the page's owner.
func fetchInterview(t *testing.T, ctx context.Context, id string) agent.Interview {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch('/api/v1/interviews/`+id+`').then((r) => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("GET the interview: %v", err)
	}
	var iv agent.Interview
	if err := json.Unmarshal([]byte(raw), &iv); err != nil {
		t.Fatalf("GET the interview: %v: %.300s", err, raw)
	}
	return iv
}

// setOnline tells the page whether the browser has a network: it sets
// navigator.onLine and fires the online or offline event.
func setOnline(t *testing.T, ctx context.Context, online bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: !online, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatalf("set the network state: %v", err)
	}
}

// TestBrowserResume loses the network under a live interview twice. The
// first time a draft is in the answer box: the page says it is
// reconnecting, then resumes the same interview with its transcript, its
// answer clock still counting from when the question was asked, and the
// draft, which is then sent and acknowledged once. The second time the
// browser also knows it is offline, and an answer is sent meanwhile: the
// page keeps it, sends it once the network is back, and it is stored once.
func TestBrowserResume(t *testing.T) {
	forEachStore(t, func(t *testing.T, args []string) {
		// The server first: a fresh PostgreSQL store takes a while to fill,
		// and the browser's time limit starts with the browser.
		m := startArgs(t, args)
		proxy := newDropProxy(t, m.Server.Addr())
		ctx := newBrowser(t)
		onNewDocument(t, ctx, recordSocket+recordAnnouncements)

		if err := chromedp.Do(ctx,
			chromedp.Navigate(proxy.URL()+"/"),
			chromedp.WaitVisible(tid("quick-start")),
			chromedp.Click(tid("quick-start")),
			chromedp.WaitVisible(tid("question")),
			chromedp.WaitEnabled(tid("answer-input")),
		); err != nil {
			t.Fatalf("quick start: %v", err)
		}
		hash := roomValue[string](t, ctx, `location.hash`)
		id := strings.TrimPrefix(hash, "#/interview/")

		// The opening question, answered thinly so that a follow-up comes.
		first := vagueAnswer
		if err := chromedp.Do(ctx, chromedp.SetValue(tid("answer-input"), first), sendWithKeys); err != nil {
			t.Fatal(err)
		}
		resumeWait(t, ctx, "the follow-up", `document.querySelectorAll('[data-testid="question"]').length === 2
			&& !document.querySelector('[data-testid="answer-input"]').disabled`)

		// A draft, typed and not sent, when the network goes.
		draft := "I rolled the release back myself within the hour."
		if err := chromedp.Do(ctx, chromedp.SendKeys(tid("answer-input"), draft)); err != nil {
			t.Fatal(err)
		}
		resumeWait(t, ctx, "the draft is kept", `localStorage.getItem('barraiser:draft:`+id+`') === `+jsString(jsString(draft)))
		before := roomValue[[]string](t, ctx, transcriptText)
		proxy.cut()
		resumeWait(t, ctx, "the page reconnecting", connState+` === 'connecting Reconnecting…'`)
		if states := roomValue[[]string](t, ctx, `window.__states`); !slices.ContainsFunc(states, func(s string) bool { return strings.HasPrefix(s, "retry Offline, retrying in") }) {
			t.Errorf("connection states %q: the drop was never shown", states)
		}
		// Stay away long enough that a clock restarted on resume would be far behind.
		resumeWait(t, ctx, "the clock runs while disconnected", timerSeconds+` >= 4`)
		screenshot(t, ctx, "resume-reconnecting.png")
		proxy.restore()
		resumeWait(t, ctx, "the page reconnected", connState+` === 'open Connected'`)

		after := roomValue[struct {
			Hash  string `json:"hash"`
			Box   string `json:"box"`
			Input bool   `json:"input"`
		}](t, ctx, `({hash: location.hash, box: document.querySelector('[data-testid="answer-input"]').value,
			input: !document.querySelector('[data-testid="answer-input"]').disabled})`)
		if after.Hash != hash || after.Box != draft || !after.Input {
			t.Errorf("after reconnecting: %+v; want %s with the draft %q in an open box", after, hash, draft)
		}
		if got := roomValue[[]string](t, ctx, transcriptText); strings.Join(got, "\n") != strings.Join(before, "\n") {
			t.Errorf("transcript after reconnecting:\n%q\nwant\n%q", got, before)
		}
		// The clock shows the time since the question was stored, not since the resume.
		iv := fetchInterview(t, ctx, id)
		asked := iv.Turns[len(iv.Turns)-1]
		if asked.Speaker != agent.SpeakerInterviewer {
			t.Fatalf("the last turn is %+v, want the pending question", asked)
		}
		resumeWait(t, ctx, "the clock counts from the question", `(() => {
			const want = Math.floor((Date.now() - Date.parse(`+jsString(asked.At.Format(time.RFC3339Nano))+`)) / 1000);
			const shown = `+timerSeconds+`;
			return want >= 4 && shown >= want - 1 && shown <= want;
		})()`)

		if err := chromedp.Do(ctx, sendWithKeys); err != nil {
			t.Fatal(err)
		}
		resumeWait(t, ctx, "the question after the resumed draft", `document.querySelectorAll('[data-testid="question"]').length === 3
			&& !document.querySelector('#transcript .bubble.pending')
			&& !document.querySelector('[data-testid="answer-input"]').disabled`)
		if got := countSocket(t, ctx, draft); got != (socketCounts{Sent: 1, Acks: 1}) {
			t.Errorf("the resumed draft: %+v, want sent and acknowledged once", got)
		}
		if got := roomValue[*string](t, ctx, `localStorage.getItem('barraiser:draft:`+id+`')`); got != nil {
			t.Errorf("the draft %q is still kept after its ack", *got)
		}
		// The live region reads the new question out.
		resumeWait(t, ctx, "the new question announced", `window.__announced.includes('Interviewer: ' + `+jsString(lastText(t, ctx, "question"))+`)`)

		// Offline: the browser says so, and an answer sent meanwhile waits.
		offline := "The rollback took twelve minutes and I wrote the timeline that evening."
		setOnline(t, ctx, false)
		proxy.cut()
		resumeWait(t, ctx, "the page waiting for the network", connState+` === 'retry Offline: waiting for the network'`)
		if err := chromedp.Do(ctx, chromedp.SetValue(tid("answer-input"), offline), sendWithKeys); err != nil {
			t.Fatal(err)
		}
		resumeWait(t, ctx, "the answer kept while offline", `(() => {
			const b = document.querySelector('#transcript .bubble.pending');
			return !!b && b.querySelector('.text').textContent === `+jsString(offline)+`
				&& b.querySelector('.turn-meta').textContent === 'Not sent yet: will retry';
		})()`)
		waiting := roomValue[struct {
			Hint  string `json:"hint"`
			Input bool   `json:"input"`
			Send  bool   `json:"send"`
		}](t, ctx, `({hint: document.getElementById('answer-hint').textContent,
			input: document.querySelector('[data-testid="answer-input"]').disabled,
			send: document.querySelector('[data-testid="send"]').disabled})`)
		if !strings.HasPrefix(waiting.Hint, "Offline") || !waiting.Input || !waiting.Send {
			t.Errorf("while an answer waits offline: %+v; want an offline hint and the box closed", waiting)
		}
		if got := countSocket(t, ctx, offline); got.Sent != 0 {
			t.Errorf("the page sent an answer while offline: %+v", got)
		}
		screenshot(t, ctx, "resume-offline.png")
		proxy.restore()
		setOnline(t, ctx, true)
		resumeWait(t, ctx, "the answer sent once back online", connState+` === 'open Connected'
			&& document.querySelectorAll('[data-testid="question"]').length === 4
			&& !document.querySelector('#transcript .bubble.pending')`)
		if got := countSocket(t, ctx, offline); got != (socketCounts{Sent: 1, Acks: 1}) {
			t.Errorf("the answer sent offline: %+v, want sent and acknowledged once", got)
		}
		if got := countSocket(t, ctx, first); got != (socketCounts{Sent: 1, Acks: 1}) {
			t.Errorf("the first answer: %+v, want sent and acknowledged once", got)
		}

		// The stored transcript holds every answer exactly once.
		iv = fetchInterview(t, ctx, id)
		var answers []string
		ids := map[string]bool{}
		for _, turn := range iv.Turns {
			if turn.Speaker == agent.SpeakerCandidate {
				answers = append(answers, turn.Text)
				ids[turn.ClientID] = true
			}
		}
		if want := []string{first, draft, offline}; strings.Join(answers, "\n") != strings.Join(want, "\n") || len(ids) != 3 {
			t.Errorf("stored answers %q under %d client ids, want %q once each", answers, len(ids), want)
		}
		if iv.ID != id || iv.Status != agent.StatusInProgress {
			t.Errorf("stored interview %s is %s, want %s in progress", iv.ID, iv.Status, id)
		}
	})
}

// roomState is a script describing the room as JSON: the connection, the
// answer box and its buttons, unsent answers and the frames so far.
const roomState = `JSON.stringify({
	conn: ` + connState + `,
	hint: document.getElementById('answer-hint').textContent,
	input: document.querySelector('[data-testid="answer-input"]').disabled ? 'closed' : 'open',
	send: document.querySelector('[data-testid="send"]').disabled ? 'disabled' : 'enabled',
	box: document.querySelector('[data-testid="answer-input"]').value,
	active: document.activeElement && document.activeElement.id,
	pending: [...document.querySelectorAll('#transcript .bubble.pending')].length,
	states: window.__states,
	sent: window.__sent.map((f) => f.type + ' ' + (f.client_id || '')),
	got: window.__got.map((f) => f.type + ' ' + (f.client_id || f.seq || (f.turn && f.turn.seq) || '')),
})`

// resumeWait is roomWait that, when script never holds, also tells where
// the room stood (roomState).
func resumeWait(t *testing.T, ctx context.Context, what, script string) {
	t.Helper()
	if err := waitFor(ctx, script, 20*time.Second); err != nil {
		room, _ := chromedp.Run(ctx, chromedp.Evaluate[string](roomState))
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s: %v\nroom: %s\n%.1500s", what, err, room, page)
	}
}

// sendWithKeys sends the answer box with Ctrl+Enter. A key press goes to
// the focused box wherever it is, while a click lands on the spot the
// button had a moment before, which a smooth scroll may have moved.
var sendWithKeys = chromedp.Steps(
	chromedp.Focus(tid("answer-input")),
	chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
)

// lastText is the text of the last element with testid.
func lastText(t *testing.T, ctx context.Context, testid string) string {
	t.Helper()
	return roomValue[string](t, ctx, `[...document.querySelectorAll('[data-testid="`+testid+`"] .text')].pop().textContent`)
}

// emulateMedia makes the page see the given media features, such as
// prefers-color-scheme: dark, from the next style recalculation on.
func emulateMedia(t *testing.T, ctx context.Context, features map[string]string) {
	t.Helper()
	var list []*emulation.MediaFeature
	for name, value := range features {
		list = append(list, &emulation.MediaFeature{Name: name, Value: value})
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: list}); err != nil {
		t.Fatalf("emulate %v: %v", features, err)
	}
}

// openRoomAndDebrief starts a quick interview in the page, answers its
// opening question, finishes it and waits for the debrief, calling check
// in the room once the follow-up is there and again on the debrief.
func openRoomAndDebrief(t *testing.T, ctx context.Context, base string, check func(where string)) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(tid("quick-start")),
		chromedp.Click(tid("quick-start")),
		chromedp.WaitEnabled(tid("answer-input")),
		chromedp.SetValue(tid("answer-input"), vagueAnswer),
		sendWithKeys,
	); err != nil {
		t.Fatalf("the room: %v", err)
	}
	roomWait(t, ctx, "the follow-up", `document.querySelectorAll('[data-testid="question"]').length === 2
		&& !document.querySelector('[data-testid="answer-input"]').disabled`)
	check("room")
	// Keys again: a click could miss while the new question scrolls into view.
	if err := chromedp.Do(ctx, chromedp.Focus(tid("finish")), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the finish dialog", `document.getElementById('finish-dialog').open`)
	if err := chromedp.Do(ctx, chromedp.Click(tid("finish-confirm"))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the debrief", `!!document.querySelector('[data-testid="recommendation"]')`)
	check("debrief")
}

// colours is what the page looks like: the relative luminance (0 black, 1
// white) of the body's background and text, and every visible text whose
// colour is too close to the background behind it (below 4.5:1), as
// "element: ratio".
type colours struct {
	Background float64  `json:"bg"`
	Text       float64  `json:"fg"`
	Faint      []string `json:"faint"`
}

const readColours = `(() => {
	const lum = (c) => {
		const m = c.match(/[\d.]+/g);
		if (!m || (m.length > 3 && Number(m[3]) === 0)) return null;
		const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
		return 0.2126 * f(Number(m[0])) + 0.7152 * f(Number(m[1])) + 0.0722 * f(Number(m[2]));
	};
	const behind = (e) => {
		for (; e; e = e.parentElement) { const l = lum(getComputedStyle(e).backgroundColor); if (l != null) return l; }
		return lum(getComputedStyle(document.documentElement).backgroundColor) ?? 1;
	};
	const name = (e) => e.localName + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
	const faint = [];
	for (const e of document.querySelectorAll('body *')) {
		const own = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
		if (!own || !e.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
		const r = e.getBoundingClientRect();
		if (r.width < 2 || r.height < 2) continue;
		const fg = lum(getComputedStyle(e).color), bg = behind(e);
		const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
		if (ratio < 4.5) faint.push(name(e) + ': ' + ratio.toFixed(2));
	}
	const body = getComputedStyle(document.body);
	return {bg: lum(body.backgroundColor), fg: lum(body.color), faint};
})()`

// TestBrowserDarkMode opens the room and the debrief in a browser that
// prefers a dark colour scheme: the page is dark with light text, and
// every text on it stays readable.
func TestBrowserDarkMode(t *testing.T) {
	m := startMain(t, t.TempDir())
	ctx := newBrowser(t)
	emulateMedia(t, ctx, map[string]string{"prefers-color-scheme": "dark"})
	openRoomAndDebrief(t, ctx, m.Server.URL(), func(where string) {
		got := roomValue[colours](t, ctx, readColours)
		if got.Background > 0.05 || got.Text < 0.6 {
			t.Errorf("%s in dark mode: background luminance %.3f, text %.3f; want a dark page with light text", where, got.Background, got.Text)
		}
		if len(got.Faint) > 0 {
			t.Errorf("%s in dark mode: text too faint on its background: %q", where, got.Faint)
		}
		screenshot(t, ctx, "dark-"+where+".png")
	})
}

// motion lists every element (or ::before, ::after) whose CSS animation or
// transition lasts longer than 0.01 s, and every animation the page runs
// that does.
type motion struct {
	Long    []string `json:"long"`
	Running []string `json:"running"`
}

const readMotion = `(() => {
	const secs = (v) => Math.max(...v.split(',').map((x) => parseFloat(x) * (x.trim().endsWith('ms') ? 0.001 : 1)));
	const long = [];
	for (const e of document.querySelectorAll('*')) {
		for (const pseudo of [null, '::before', '::after']) {
			const cs = getComputedStyle(e, pseudo);
			const what = e.localName + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '') + (pseudo || '');
			if (cs.animationName !== 'none' && secs(cs.animationDuration) > 0.01) long.push(what + ' animation ' + cs.animationDuration);
			if (cs.transitionProperty !== 'none' && secs(cs.transitionDuration) > 0.01) long.push(what + ' transition ' + cs.transitionDuration);
		}
	}
	const running = document.getAnimations()
		.filter((a) => a.playState === 'running' && a.effect.getComputedTiming().activeDuration > 10)
		.map((a) => (a.animationName || a.transitionProperty || 'animation') + ' ' + a.effect.getComputedTiming().activeDuration + 'ms');
	return {long, running};
})()`

// TestBrowserReducedMotion opens the room and the debrief with reduced
// motion asked for: after each change of state nothing on the page
// animates or transitions for longer than 0.01 s. Without the preference
// the same pages do animate, which shows the check can see it.
func TestBrowserReducedMotion(t *testing.T) {
	for _, pref := range []string{"reduce", "no-preference"} {
		t.Run(pref, func(t *testing.T) {
			m := startMain(t, t.TempDir())
			ctx := newBrowser(t)
			emulateMedia(t, ctx, map[string]string{"prefers-reduced-motion": pref})
			openRoomAndDebrief(t, ctx, m.Server.URL(), func(where string) {
				got := roomValue[motion](t, ctx, readMotion)
				moves := len(got.Long) + len(got.Running)
				if pref == "reduce" && moves > 0 {
					t.Errorf("%s with reduced motion still moves: %+v", where, got)
				}
				if pref == "no-preference" && where == "room" && len(got.Long) == 0 {
					t.Errorf("%s without the preference shows no animation at all; the check sees nothing", where)
				}
				if pref == "reduce" {
					screenshot(t, ctx, "reduced-motion-"+where+".png")
				}
			})
		})
	}
}
