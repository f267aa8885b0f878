package main

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserUseAPIKey plays an interview in the terminal with a key, as a
// person would, then reviews it in Chromium after "Use an API key": the
// history lists it and its debrief opens.
func TestBrowserUseAPIKey(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	m := startMain(t, dir)
	key := cliKey(t, []string{"-data-dir", dir}, "terminal")
	stdin := strings.NewReader(strongAnswer + "\n.\n/end\n")
	var out bytes.Buffer
	args := []string{"--server", m.Server.URL(), "--role", "sde", "--level", "L5", "--principles", "ownership"}
	if err := runPractice(practiceCtx(t), args, envOf("BARRAISER_KEY", key), stdin, &out, io.Discard); err != nil {
		t.Fatalf("practice: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Debrief") {
		t.Fatalf("the terminal printed no debrief:\n%s", out.String())
	}

	// A fresh browser has its own, empty history until it uses the key.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(m.Server.URL()+"/#/history"),
		chromedp.WaitVisible(tid("key-login")),
	); err != nil {
		t.Fatalf("open the history: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('history-status').textContent.startsWith('No interviews')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the empty history: %v", err)
	}
	if n, _ := count(ctx, "history-item"); n != 0 {
		t.Fatalf("a fresh browser lists %d interviews", n)
	}
	// The wrong key below is refused, which the browser logs as a failed load.
	expectFailedLoad(ctx, "/api/v1/session", http.StatusUnauthorized)
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="key-login"] summary`),
		chromedp.WaitVisible(tid("key-input")),
		chromedp.SendKeys(tid("key-input"), "br_wrong"),
		chromedp.Click(tid("key-submit")),
	); err != nil {
		t.Fatalf("a wrong key: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('[data-testid="key-status"]').textContent.includes('API key')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("a wrong key's message: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(tid("key-input"), key),
		chromedp.Click(tid("key-submit")),
		chromedp.WaitVisible(tid("history-item")),
	); err != nil {
		t.Fatalf("use the key: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('[data-testid="history-owner"]').textContent.includes('“terminal”')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		owner, _ := chromedp.Run(ctx, chromedp.Text(tid("history-owner")))
		t.Errorf("the history says %q, want the key's name: %v", owner, err)
	}
	screenshot(t, ctx, "history-key.png")
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid="history-item"] a`),
		chromedp.WaitVisible(tid("recommendation")),
	); err != nil {
		t.Fatalf("open the interview: %v", err)
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "Ownership") || !strings.Contains(page, "circuit breaker") {
		t.Errorf("the debrief page lacks the principle or the answer's words:\n%.600s", page)
	}
}

// TestBrowserHistoryPages checks that the history shows older interviews
// on request, a page at a time, until there are none left.
func TestBrowserHistoryPages(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	m := startArgs(t, []string{"-data-dir", dir, "-max-open-interviews", "0"})
	key := cliKey(t, []string{"-data-dir", dir}, "many")
	api := newKeyClient(t, m.Server.URL(), key)
	const n = 23 // more than one page of 20
	for range n {
		api.create(`{"role":"pm","level":"L6","principles":["dive-deep"]}`)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(m.Server.URL()+"/#/history"),
		chromedp.Click(`[data-testid="key-login"] summary`),
		chromedp.SetValue(tid("key-input"), key),
		chromedp.Click(tid("key-submit")),
		chromedp.WaitVisible(tid("history-more")),
	); err != nil {
		t.Fatalf("use the key: %v", err)
	}
	if got, _ := count(ctx, "history-item"); got != 20 {
		t.Errorf("the first page lists %d interviews, want 20", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("history-more"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('[data-testid="history-item"]').length === `+strconv.Itoa(n)+
		` && document.querySelector('[data-testid="history-more"]').hidden`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		got, _ := count(ctx, "history-item")
		t.Fatalf("after Show older: %d interviews listed, want %d with no more to show: %v", got, n, err)
	}
}
