package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/openai/openaitest"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// findChromium returns the browser to drive, or skips the test.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found, and CI must run the browser test")
	}
	t.Skip("no Chromium found (set CHROME_PATH); skipping the browser test")
	return ""
}

// newBrowser starts a headless Chromium with no network beyond the test
// server and returns a context for driving one tab. Whatever the page
// reports as going wrong while the test runs fails the test at cleanup;
// see pageWatch.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, w := watchedBrowser(t)
	// Cleanups run last first, so this check runs before the browser stops.
	t.Cleanup(func() { w.check(t) })
	return ctx
}

// watchedBrowser starts the browser of newBrowser and returns its watch
// without checking it, for tests of the watch itself.
func watchedBrowser(t *testing.T) (context.Context, *pageWatch) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findChromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	w := &pageWatch{done: t.Context()}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// A listener given here sees the tab's events from its very start.
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(w.event))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// chromedp turns the log domain on by itself; asking again keeps the
	// watch from depending on that.
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the browser log: %v", err)
	}
	return context.WithValue(ctx, pageWatchKey{}, w), w
}

// count returns how many elements match a data-testid in the page.
func count(ctx context.Context, testid string) (int, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="`+testid+`"]').length`))
}

// tid selects an element by its data-testid.
func tid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// TestBrowserInterview walks a whole interview in Chromium as a candidate
// would: set up, answer every question, read the debrief, find it again in
// the history after a reload.
func TestBrowserInterview(t *testing.T) {
	ctx := newBrowser(t)
	m := startMain(t, t.TempDir())
	url := m.Server.URL()
	hostile := `I typed <b id="injected">bold</b> on purpose. ` + strongAnswer

	if err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(tid("start")),
		chromedp.SetValue(tid("role"), "sde"),
		chromedp.SetValue(tid("level"), "L5"),
		chromedp.SetValue(tid("principle-count"), "1"),
		chromedp.Click(tid("start")),
		chromedp.WaitVisible(tid("question")),
	); err != nil {
		t.Fatalf("start interview: %v", err)
	}
	screenshot(t, ctx, "interview.png")

	for i := 0; ; i++ {
		if i > 6 {
			t.Fatal("the interview never reached a debrief")
		}
		questions, err := count(ctx, "question")
		if err != nil {
			t.Fatal(err)
		}
		text := "I handled that part myself and checked the numbers every week."
		if i == 0 {
			text = hostile
		}
		if err := chromedp.Do(ctx,
			chromedp.WaitEnabled(tid("answer-input")),
			chromedp.SetValue(tid("answer-input"), text),
			chromedp.Click(tid("send")),
		); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		// Wait for the next question or the debrief.
		if _, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
			if (document.querySelector('[data-testid="debrief"]') && document.querySelector('[data-testid="recommendation"]')) return "debrief";
			return document.querySelectorAll('[data-testid="question"]').length > `+strconv.Itoa(questions)+` ? "question" : false;
		})()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("waiting after answer %d: %v", i, err)
		}
		if n, _ := count(ctx, "recommendation"); n > 0 {
			break
		}

	}

	if err := chromedp.Do(ctx, chromedp.WaitVisible(tid("recommendation"))); err != nil {
		t.Fatal(err)
	}
	rec, err := chromedp.Run(ctx, chromedp.Text(tid("recommendation")))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	injected, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#injected').length`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(rec) == "" {
		t.Error("empty recommendation badge")
	}
	if injected != 0 {
		t.Error("candidate text was rendered as HTML")
	}
	if !strings.Contains(page, `<b id="injected">bold</b>`) {
		t.Error("candidate text with markup is not shown literally")
	}
	// The page says the rules graded it, that this is a heuristic reading,
	// and how to have a model grade instead.
	note, err := chromedp.Run(ctx, chromedp.Text(tid("grader-note")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(note, "built-in rules") || !strings.Contains(note, "heuristic") || !strings.Contains(note, "OPENAI_API_KEY") {
		t.Errorf("grader note %q does not say who graded and how to turn a model on", note)
	}
	screenshot(t, ctx, "debrief.png")

	// After a reload the interview is in the history.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(tid("history-link")),
		chromedp.Click(tid("history-link")),
		chromedp.WaitVisible(tid("history-item")),
	); err != nil {
		t.Fatalf("history: %v", err)
	}
	items, err := count(ctx, "history-item")
	if err != nil {
		t.Fatal(err)
	}
	if items != 1 {
		t.Errorf("history has %d items, want 1", items)
	}
	screenshot(t, ctx, "history.png")
}

// screenshot saves a full-page PNG when SCREENSHOT_DIR is set, for a person
// to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
	}
}

// TestBrowserStreamsQuestions: with a model that streams, the question
// grows in the page word by word before it is complete.
func TestBrowserStreamsQuestions(t *testing.T) {
	ctx := newBrowser(t)
	srv := openaitest.NewServer(slowStreams(40 * time.Millisecond))
	defer srv.Close()
	m := startLLM(t, srv)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(m.Server.URL()+"/"),
		chromedp.WaitVisible(tid("start")),
		chromedp.SetValue(tid("principle-count"), "1"),
	); err != nil {
		t.Fatal(err)
	}
	// Record the length of the first question's text every few milliseconds.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		window.__lens = [];
		setInterval(() => {
			const q = document.querySelector('[data-testid="question"]');
			if (q) window.__lens.push(q.textContent.length);
		}, 5);
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("start")), chromedp.WaitEnabled(tid("answer-input"))); err != nil {
		t.Fatal(err)
	}
	lens, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`window.__lens`))
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[int]bool{}
	for _, n := range lens {
		distinct[n] = true
	}
	if len(distinct) < 3 {
		t.Errorf("the question appeared in %d steps (%v); want it to grow as it streams", len(distinct), lens)
	}
}
