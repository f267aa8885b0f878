package main

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// hostileMarkup is candidate text that would run script if the page ever
// parsed it as HTML.
const hostileMarkup = `<img src=x onerror="window.__pwned=1">`

// markupAnswer is a strong story with markup in the sentence the rules
// grader quotes as a result.
const markupAnswer = strongAnswer + " I also fixed our ticket form, which ran a pasted " + hostileMarkup +
	" as markup, and I cut broken tickets from 40 a week to 0 within a month."

// openDebrief completes an interview through the API as key with answer
// as its only answer, has the browser of ctx take the key on, and opens
// the interview's debrief. It returns the server's base URL and the id.
func openDebrief(t *testing.T, ctx context.Context, answer string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	m := startMain(t, dir)
	base := m.Server.URL()
	key := cliKey(t, []string{"-data-dir", dir}, "debrief")
	iv := newKeyClient(t, base, key).answered(`["ownership","dive-deep"]`, answer)

	takeKey(t, ctx, base, key)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/#/interview/"+iv.ID)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `document.querySelectorAll('[data-testid="principle-grade"]').length === 2
		&& !!document.querySelector('[data-testid="debrief-actions"]')`, 15*time.Second); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the debrief never showed: %v\n%.800s", err, page)
	}
	return base, iv.ID
}

// eval runs script in the page of ctx and returns its result, failing t
// on an error.
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80q: %v", script, err)
	}
	return v
}

// TestBrowserDebriefQuotes: the verdict comes first with its reason, and an
// evidence quote, clicked or pressed with Enter, marks exactly its words in
// the transcript as text (markup in them never becomes an element), one
// highlight at a time, or the whole turn when the words differ. Each
// answer says how long it took.
func TestBrowserDebriefQuotes(t *testing.T) {
	ctx := newBrowser(t)
	openDebrief(t, ctx, markupAnswer)

	// The recommendation, then the veto or the one-sentence reason.
	order := eval[string](t, ctx, `[...document.querySelectorAll('#debrief [data-testid]')].map((e) => e.dataset.testid)
		.filter((x) => ['recommendation', 'veto', 'verdict-reason', 'principle-grade'].includes(x)).join(',')`)
	if !regexp.MustCompile(`^recommendation,(veto|verdict-reason),principle-grade,principle-grade$`).MatchString(order) {
		t.Errorf("debrief order %q: want the recommendation, its reason, then the principles", order)
	}
	reason := eval[string](t, ctx, `(document.querySelector('[data-testid="veto"], [data-testid="verdict-reason"]') || {}).textContent || ''`)
	if strings.Count(reason, ". ") > 1 || !strings.HasSuffix(reason, ".") {
		t.Errorf("reason %q is not one sentence", reason)
	}

	quotes := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="evidence-quote"] .quote-text')].map((e) => e.textContent)`)
	if len(quotes) == 0 {
		t.Fatal("the debrief has no evidence quotes")
	}
	pick := 0
	for i, q := range quotes {
		if strings.Contains(q, "<img") {
			pick = i
		}
	}
	t.Logf("quotes: %q; clicking %d", quotes, pick)
	sel := `(document.querySelectorAll('[data-testid="evidence-quote"]')[` + strconv.Itoa(pick) + `])`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.JSPath(sel))); err != nil {
		t.Fatal(err)
	}
	type state struct {
		Marks, Imgs int
		Mark, Seq   string
		Focused     string
		Pwned       bool
	}
	const read = `({marks: document.querySelectorAll('#transcript mark').length,
		imgs: document.querySelectorAll('#transcript img, #debrief img').length,
		mark: (document.querySelector('#transcript mark') || {}).textContent || '',
		seq: (document.querySelector('#transcript mark')?.closest('.bubble') || {}).id || '',
		focused: document.activeElement.id,
		pwned: window.__pwned !== undefined})`
	got := eval[state](t, ctx, read)
	if got.Marks != 1 || got.Mark != quotes[pick] || got.Imgs != 0 || got.Pwned || got.Focused != got.Seq {
		t.Errorf("after clicking quote %q: %+v", quotes[pick], got)
	}
	screenshot(t, ctx, "debrief-quote.png")

	// Another quote, from the keyboard: still one highlight.
	last := 0
	if pick == 0 {
		last = len(quotes) - 1
	}
	if err := chromedp.Do(ctx,
		chromedp.Focus(chromedp.JSPath(`(document.querySelectorAll('[data-testid="evidence-quote"]')[`+strconv.Itoa(last)+`])`)),
		chromedp.KeyEvent(kb.Enter),
	); err != nil {
		t.Fatal(err)
	}
	if got := eval[state](t, ctx, read); got.Marks != 1 || got.Mark != quotes[last] {
		t.Errorf("after pressing Enter on quote %q: %+v", quotes[last], got)
	}

	// The highlight itself, on a crafted turn: markup in the text and the
	// quote stays text. A quote whose spacing differs marks the whole turn.
	unit := eval[map[string]any](t, ctx, `import('/static/js/highlight.js').then((h) => {
		const p = document.createElement('p');
		p.textContent = 'Before `+strings.ReplaceAll(hostileMarkup, `"`, `\"`)+` after.';
		const m = h.markQuote(p, '`+strings.ReplaceAll(hostileMarkup, `"`, `\"`)+`');
		const whole = document.querySelector('#transcript .bubble.answer');
		h.jumpToQuote(Number(whole.dataset.seq), 'a  quote  with   odd spacing');
		return {mark: m.textContent, nodes: p.childNodes.length, imgs: p.querySelectorAll('img').length,
			text: p.textContent, whole: whole.classList.contains('quoted-whole'),
			marks: document.querySelectorAll('#transcript mark').length, pwned: window.__pwned !== undefined};
	})`)
	want := map[string]any{"mark": hostileMarkup, "nodes": 3.0, "imgs": 0.0, "text": "Before " + hostileMarkup + " after.",
		"whole": true, "marks": 0.0, "pwned": false}
	for k, v := range want {
		if unit[k] != v {
			t.Errorf("highlight check %s = %v, want %v", k, unit[k], v)
		}
	}

	// How long each answer took.
	took := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="answer-time"]')].map((e) => e.textContent)`)
	if len(took) != 1 || !regexp.MustCompile(`^answered in (under 1 s|\d+ s)$`).MatchString(took[0]) {
		t.Errorf("answer times %q", took)
	}
	durations := eval[[]string](t, ctx, `import('/static/js/transcript.js').then((m) => [0, 999, 40000, 100000, 120000, 3900000].map(m.fmtDuration))`)
	if strings.Join(durations, "|") != "under 1 s|under 1 s|40 s|1 min 40 s|2 min|1 h 5 min" {
		t.Errorf("durations %q", durations)
	}
}

// TestBrowserDebriefDownloadAndPrint: "Download Markdown" links the
// Markdown debrief under a file name, and printing hides every control and
// starts each principle on a new page.
func TestBrowserDebriefDownloadAndPrint(t *testing.T) {
	ctx := newBrowser(t)
	_, id := openDebrief(t, ctx, markupAnswer)

	link := eval[map[string]string](t, ctx, `(() => { const a = document.querySelector('[data-testid="download-md"]');
		return {href: a.getAttribute('href'), download: a.getAttribute('download')}; })()`)
	if link["href"] != "/api/v1/interviews/"+id+"/debrief.md" || link["download"] != "barraiser-"+id+".md" {
		t.Errorf("download link %v", link)
	}
	md := eval[map[string]string](t, ctx, `fetch(document.querySelector('[data-testid="download-md"]').href)
		.then(async (r) => ({type: r.headers.get('Content-Type'), body: await r.text()}))`)
	if !strings.HasPrefix(md["type"], "text/markdown") || !strings.Contains(md["body"], "Ownership") ||
		!strings.Contains(md["body"], "Dive Deep") || !strings.HasPrefix(md["body"], "#") {
		t.Errorf("Markdown debrief %q: %.300s", md["type"], md["body"])
	}

	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	printed := eval[map[string]string](t, ctx, `(() => {
		const css = (sel, prop) => { const e = document.querySelector(sel); return e ? getComputedStyle(e)[prop] : 'missing'; };
		const grades = document.querySelectorAll('[data-testid="principle-grade"]');
		return {
			nav: css('.topbar nav', 'display'), conn: css('#connection-status', 'display'),
			download: css('[data-testid="download-md"]', 'display'), copy: css('[data-testid="copy-share"]', 'display'),
			revoke: css('[data-testid="revoke-share"]', 'display'), finish: css('[data-testid="finish"]', 'display'),
			quote: css('[data-testid="evidence-quote"]', 'display'),
			firstBreak: getComputedStyle(grades[0]).breakBefore, secondBreak: getComputedStyle(grades[1]).breakBefore,
			inside: getComputedStyle(grades[1]).breakInside,
		};
	})()`)
	want := map[string]string{"nav": "none", "conn": "none", "download": "none", "copy": "none", "revoke": "none",
		"finish": "none", "quote": "grid", "firstBreak": "auto", "secondBreak": "page", "inside": "avoid"}
	for k, v := range want {
		if printed[k] != v {
			t.Errorf("printed %s = %q, want %q", k, printed[k], v)
		}
	}
	screenshot(t, ctx, "debrief-print.png")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDebriefShare: "Copy share link" copies the link's absolute
// URL, or shows it in a box when the clipboard refuses; a browser with no
// key or cookie reads the shared debrief, and after "Revoke link" gets 404.
func TestBrowserDebriefShare(t *testing.T) {
	ctx := newBrowser(t)
	base, _ := openDebrief(t, ctx, markupAnswer)

	// The clipboard of a headless browser is not one a test can read
	// reliably, so the page's is replaced by a recorder.
	eval[bool](t, ctx, `navigator.clipboard.writeText = (text) => { window.__copied = text; return Promise.resolve(); }; true`)
	if err := chromedp.Do(ctx, chromedp.Click(tid("copy-share"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `!!window.__copied`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	copied := eval[string](t, ctx, `window.__copied`)
	status := eval[string](t, ctx, `document.querySelector('[data-testid="share-status"]').textContent`)
	if !strings.HasPrefix(copied, base+"/share/") || !strings.Contains(status, "copied") {
		t.Errorf("copied %q, status %q", copied, status)
	}
	if hidden := eval[bool](t, ctx, `document.querySelector('[data-testid="share-fallback"]').hidden`); !hidden {
		t.Error("the fallback box shows although the copy worked")
	}

	// A clipboard that refuses: the link is shown, selected, to copy by hand.
	eval[bool](t, ctx, `navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); true`)
	if err := chromedp.Do(ctx, chromedp.Click(tid("copy-share")), chromedp.WaitVisible(tid("share-url"))); err != nil {
		t.Fatal(err)
	}
	shown := eval[string](t, ctx, `document.querySelector('[data-testid="share-url"]').value`)
	readOnly := eval[bool](t, ctx, `document.querySelector('[data-testid="share-url"]').readOnly
		&& document.activeElement === document.querySelector('[data-testid="share-url"]')`)
	if !strings.HasPrefix(shown, base+"/share/") || shown == copied || !readOnly {
		t.Errorf("fallback shows %q (read-only and focused: %v)", shown, readOnly)
	}
	screenshot(t, ctx, "debrief-share.png")

	// Someone else, with neither key nor cookie, opens the link.
	other := newBrowser(t)
	if err := chromedp.Do(other, chromedp.Navigate(copied)); err != nil {
		t.Fatal(err)
	}
	shared := eval[map[string]any](t, other, `({title: document.title, text: document.body.innerText,
		controls: document.querySelectorAll('button, input, textarea, form, script').length,
		imgs: document.querySelectorAll('img').length})`)
	text, _ := shared["text"].(string)
	if !strings.HasPrefix(shared["title"].(string), "Shared debrief") || !strings.Contains(text, "Ownership") ||
		!strings.Contains(text, hostileMarkup) || shared["controls"] != 0.0 || shared["imgs"] != 0.0 {
		t.Errorf("shared page: %v", shared)
	}

	if err := chromedp.Do(ctx, chromedp.Click(tid("revoke-share"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `document.querySelector('[data-testid="share-status"]').textContent.includes('stops working')`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{copied, shown} {
		expectFailedLoad(other, strings.TrimPrefix(u, base), http.StatusNotFound)
		if err := chromedp.Do(other, chromedp.Navigate(u)); err != nil {
			t.Fatal(err)
		}
		if title := eval[string](t, other, `document.title`); !strings.HasPrefix(title, "Link not found") {
			t.Errorf("revoked link %s shows %q", u, title)
		}
	}
}

// TestBrowserDebriefVeto: a vague story is vetoed, and the veto names the
// principle that caused it in one sentence.
func TestBrowserDebriefVeto(t *testing.T) {
	ctx := newBrowser(t)
	openDebrief(t, ctx, vagueAnswer)
	veto := eval[string](t, ctx, `(document.querySelector('[data-testid="veto"]') || {}).textContent || ''`)
	if !strings.HasPrefix(veto, "Bar raiser veto. Ownership ") || !strings.HasSuffix(veto, "no better than No hire whatever the average.") {
		t.Errorf("veto %q does not say which principle and why", veto)
	}
	rec := eval[string](t, ctx, `document.querySelector('[data-testid="recommendation"]').dataset.value`)
	if rec == "hire" || rec == "strong_hire" {
		t.Errorf("vetoed recommendation %q", rec)
	}
	screenshot(t, ctx, "debrief-veto.png")
}
