package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// roomValue evaluates script in the page and fails the test on an error.
func roomValue[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", script, err)
	}
	return v
}

// roomWait waits for script to be true in the page, and fails the test
// with what the page shows when it never is.
func roomWait(t *testing.T, ctx context.Context, what, script string) {
	t.Helper()
	if err := waitFor(ctx, script, 20*time.Second); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s: %v\n%.1500s", what, err, page)
	}
}

// onNewDocument runs script in every document the tab opens from now on,
// before the page's own scripts.
func onNewDocument(t *testing.T, ctx context.Context, script string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
		t.Fatalf("add a script to new documents: %v", err)
	}
}

// recordAnnouncements keeps every text the live region takes, in window.__announced.
const recordAnnouncements = `window.addEventListener('DOMContentLoaded', () => {
	window.__announced = [];
	const a = document.getElementById('announcer');
	new MutationObserver(() => { if (a.textContent) window.__announced.push(a.textContent); })
		.observe(a, {childList: true, characterData: true, subtree: true});
});`

const timerSeconds = `Number(document.querySelector('[data-testid="answer-timer"]').dataset.seconds || -1)`

// TestBrowserQuickStartRoom starts an interview in one click and works the
// room as a candidate would: the plan line says where the interview stands,
// the answer clock keeps counting across a reload, a draft survives the
// reload and is gone once its answer is acknowledged, Ctrl+Enter sends,
// and finishing early asks first.
func TestBrowserQuickStartRoom(t *testing.T) {
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	base := m.Server.URL()

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(tid("quick-start"))); err != nil {
		t.Fatal(err)
	}
	// A new candidate has practised nothing: the hint says so, in catalog order.
	roomWait(t, ctx, "practice hint", `document.querySelectorAll('[data-testid="practice-item"]').length === 3
		&& !document.querySelector('[data-testid="practice-hint"]').hidden`)
	hint := roomValue[string](t, ctx, `document.querySelector('[data-testid="practice-hint"]').textContent`)
	if strings.Count(hint, "not practised yet") != 3 {
		t.Errorf("practice hint %q, want three principles not practised yet", hint)
	}
	screenshot(t, ctx, "room-setup.png")

	if err := chromedp.Do(ctx, chromedp.Click(tid("quick-start")), chromedp.WaitVisible(tid("question"))); err != nil {
		t.Fatalf("quick start: %v", err)
	}
	asked := time.Now() // the question was stored before this
	iv := roomValue[struct {
		Steps int    `json:"steps"`
		Title string `json:"title"`
		Plan  string `json:"plan"`
		Step  string `json:"step"`
		Hash  string `json:"hash"`
		Paced string `json:"paced"`
		Plans int    `json:"plans"`
	}](t, ctx, `({steps: document.querySelectorAll('#progress .step').length,
		title: document.getElementById('interview-title').textContent,
		plan: document.querySelector('[data-testid="plan-principle"]').textContent,
		step: document.querySelector('[data-testid="plan-followup"]').textContent,
		hash: location.hash,
		paced: document.querySelector('[data-testid="answer-pace"]').textContent,
		plans: document.body.innerText.split(/principle 1 of 2/i).length - 1})`)
	// The plan is said once, by the line beside the answer box.
	if iv.Steps != 2 || iv.Title != "Software engineer · L5" || !strings.HasPrefix(iv.Plan, "Principle 1 of 2") ||
		iv.Step != "Opening question" || !strings.Contains(iv.Paced, "2 minutes") || iv.Plans != 1 {
		t.Errorf("after the quick start: %+v", iv)
	}
	id := strings.TrimPrefix(iv.Hash, "#/interview/")

	// A draft typed with the keyboard; the clock runs meanwhile.
	draft := "We had some problems with a service"
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(tid("answer-input")), chromedp.SendKeys(tid("answer-input"), draft)); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the clock counts", timerSeconds+` >= 2`)
	screenshot(t, ctx, "room-opening.png")
	elapsed := int(time.Since(asked) / time.Second)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the room after a reload", `!document.querySelector('[data-testid="answer-input"]').disabled
		&& !document.querySelector('[data-testid="answer-clock"]').hidden`)
	if got := roomValue[int](t, ctx, timerSeconds); got < elapsed || got < 2 {
		t.Errorf("after the reload the clock shows %d s; the question was asked at least %d s ago", got, elapsed)
	}
	before := roomValue[int](t, ctx, timerSeconds)
	roomWait(t, ctx, "the clock keeps counting", timerSeconds+` > `+strconv.Itoa(before))
	if got := roomValue[string](t, ctx, `document.querySelector('[data-testid="answer-input"]').value`); got != draft {
		t.Errorf("after the reload the answer box holds %q, want the draft %q", got, draft)
	}

	// Finish the thin answer and send it with Ctrl+Enter: a follow-up comes.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(tid("answer-input"), " and the team worked on it for a while. It got better eventually."),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "a follow-up after a thin answer", `document.querySelectorAll('[data-testid="question"]').length === 2`)
	after := roomValue[struct {
		Plan  string  `json:"plan"`
		Step  string  `json:"step"`
		Box   string  `json:"box"`
		Draft *string `json:"draft"`
		Pace  string  `json:"pace"`
		Steps int     `json:"steps"`
	}](t, ctx, `({plan: document.querySelector('[data-testid="plan-principle"]').textContent,
		step: document.querySelector('[data-testid="plan-followup"]').textContent,
		box: document.querySelector('[data-testid="answer-input"]').value,
		draft: localStorage.getItem('barraiser:draft:`+id+`'),
		pace: document.querySelector('[data-testid="answer-pace"]').textContent,
		steps: document.body.innerText.split(/follow-up 1 of/i).length - 1})`)
	if !strings.HasPrefix(after.Plan, "Principle 1 of 2") || after.Step != "Follow-up 1 of at most 4" ||
		after.Box != "" || after.Draft != nil || !strings.Contains(after.Pace, "60 seconds") || after.Steps != 1 {
		t.Errorf("after the acknowledged answer: %+v", after)
	}
	screenshot(t, ctx, "room-follow-up.png")

	// The Send button sends too.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(tid("answer-input"), "I am not sure."),
		chromedp.Click(tid("send")),
	); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the next question after Send", `document.querySelectorAll('[data-testid="question"]').length === 3`)
	if step := roomValue[string](t, ctx, `document.querySelector('[data-testid="plan-followup"]').textContent`); !strings.HasPrefix(step, "Follow-up 2 of at most 4") {
		t.Errorf("after the second answer the plan says %q", step)
	}

	// Finishing early asks first; keeping going changes nothing.
	if err := chromedp.Do(ctx, chromedp.Click(tid("finish")), chromedp.WaitVisible(tid("finish-cancel")), chromedp.Click(tid("finish-cancel"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n, _ := count(ctx, "recommendation"); n != 0 || roomValue[bool](t, ctx, `document.getElementById('composer').hidden`) {
		t.Fatal("keeping going ended the interview")
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("finish")), chromedp.WaitVisible(tid("finish-confirm")), chromedp.Click(tid("finish-confirm"))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the debrief after finishing early", `!!document.querySelector('[data-testid="recommendation"]')
		&& document.getElementById('composer').hidden`)
}

// TestBrowserPacingWarning puts the page's clock three minutes ahead, so the
// opening question has waited past its two minutes: the clock warns in
// words and by its class, says so to screen readers once, and the answer
// box stays open.
func TestBrowserPacingWarning(t *testing.T) {
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	onNewDocument(t, ctx, `(() => { const now = Date.now; Date.now = () => now.call(Date) + 180000; })();`+recordAnnouncements)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(m.Server.URL()+"/"),
		chromedp.WaitVisible(tid("quick-start")),
		chromedp.Click(tid("quick-start")),
		chromedp.WaitVisible(tid("question")),
	); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "the pacing warning", `document.querySelector('[data-testid="answer-clock"]').classList.contains('over')
		&& `+timerSeconds+` >= 180`)
	time.Sleep(2500 * time.Millisecond) // a few more ticks must not announce it again
	got := roomValue[struct {
		Pace      string   `json:"pace"`
		Announced []string `json:"announced"`
	}](t, ctx, `({pace: document.querySelector('[data-testid="answer-pace"]').textContent, announced: window.__announced})`)
	warned := 0
	for _, a := range got.Announced {
		if strings.Contains(a, "Past 2 minutes") {
			warned++
		}
	}
	if !strings.Contains(got.Pace, "Past 2 minutes") || warned != 1 {
		t.Errorf("pace %q, announcements %q: want the warning shown and announced once", got.Pace, got.Announced)
	}
	if disabled := roomValue[bool](t, ctx, `document.querySelector('[data-testid="answer-input"]').disabled`); disabled {
		t.Error("the answer box closed when the answer ran long")
	}
	screenshot(t, ctx, "room-pacing.png")
}

// TestBrowserLongFocus: a 10,000-character focus, a pasted job description,
// is within the page's counter and the API's limit; one more is refused by
// both.
func TestBrowserLongFocus(t *testing.T) {
	if agent.MaxFocusRunes != 10000 {
		t.Fatalf("MaxFocusRunes = %d, want 10000", agent.MaxFocusRunes)
	}
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	base := m.Server.URL()

	api := newClient(t, base)
	api.create(`{"role":"pm","level":"L6","focus":"` + strings.Repeat("é", 10000) + `"}`)
	var refused struct {
		Error struct{ Code string } `json:"error"`
	}
	if code := api.do("POST", "/api/v1/interviews", `{"role":"pm","level":"L6","focus":"`+strings.Repeat("é", 10001)+`"}`, &refused); code != http.StatusBadRequest || refused.Error.Code != "focus_too_long" {
		t.Errorf("10,001 characters = %d %+v, want 400 focus_too_long", code, refused)
	}

	setFocus := func(n int) string {
		return `(() => { const f = document.querySelector('[data-testid="focus"]');
			f.value = 'Job description. ' + 'x'.repeat(` + strconv.Itoa(n) + ` - 17);
			f.dispatchEvent(new Event('input'));
			const c = document.querySelector('[data-testid="focus-count"]');
			return c.textContent + (c.classList.contains('over') ? ' over' : ''); })()`
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(tid("start"))); err != nil {
		t.Fatal(err)
	}
	if got := roomValue[string](t, ctx, `document.querySelector('[data-testid="focus-count"]').textContent`); got != "0 / 10000" {
		t.Errorf("empty focus counter %q", got)
	}
	if got := roomValue[string](t, ctx, setFocus(10001)); got != "10001 / 10000 over" {
		t.Errorf("counter at 10,001 characters: %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("start")), chromedp.WaitVisible(tid("form-error"))); err != nil {
		t.Fatal(err)
	}
	if got := roomValue[string](t, ctx, setFocus(10000)); got != "10000 / 10000" {
		t.Errorf("counter at 10,000 characters: %q", got)
	}
	screenshot(t, ctx, "room-long-focus.png")
	if err := chromedp.Do(ctx, chromedp.Click(tid("start")), chromedp.WaitVisible(tid("question"))); err != nil {
		t.Fatalf("start with a 10,000-character focus: %v", err)
	}
}

// TestBrowserPracticeHint: once the first principle of the catalog has a
// score, the setup view lists the next ones, never practised, before it.
func TestBrowserPracticeHint(t *testing.T) {
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	if err := chromedp.Do(ctx, chromedp.Navigate(m.Server.URL()+"/"), chromedp.WaitVisible(tid("start"))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "practice hint", `document.querySelectorAll('[data-testid="practice-item"]').length === 3`)
	// Practise the catalog's first principle with this browser's owner.
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const call = async (path, body) => {
			const r = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
			if (!r.ok) throw new Error(path + ' ' + r.status);
			return r.json();
		};
		const first = (await (await fetch('/api/v1/principles')).json()).principles[0];
		const iv = await call('/api/v1/interviews', {role: 'sde', level: 'L5', principles: [first.id]});
		await call('/api/v1/interviews/' + iv.id + '/next', {});
		await call('/api/v1/interviews/' + iv.id + '/next', {answer: `+jsString(strongAnswer)+`, client_id: 'a-1'});
		await call('/api/v1/interviews/' + iv.id + '/end', {});
		return first.name;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if before := roomValue[string](t, ctx, `document.querySelector('[data-testid="practice-item"]').textContent`); !strings.HasPrefix(before, first) {
		t.Fatalf("before practising, the hint starts with %q, want %q", before, first)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(tid("start"))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "practice hint after practising", `document.querySelectorAll('[data-testid="practice-item"]').length === 3`)
	hint := roomValue[string](t, ctx, `document.querySelector('[data-testid="practice-hint"]').textContent`)
	if strings.Contains(hint, first) || strings.Count(hint, "not practised yet") != 3 {
		t.Errorf("after practising %s the hint is %q", first, hint)
	}
}
