package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserViewsAreClean opens every view of the page, the public share
// page and the icon in Chromium: each must show what it is for, and none may
// throw, write a console error or warning, or have the browser log a
// failed load or a refused request (newBrowser's watch fails the test on
// any of them).
func TestBrowserViewsAreClean(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	m := startMain(t, dir)
	base := m.Server.URL()
	key := cliKey(t, []string{"-data-dir", dir}, "views")
	api := newKeyClient(t, base, key)
	done := api.answered(`["ownership"]`, strongAnswer)
	live := api.create(`{"role":"em","level":"L6","principles":["dive-deep"]}`)
	link := api.share(done.ID)
	unknown := strings.Repeat("0", 32)

	// The browser takes the key on, as "Use an API key" does, so that its
	// history and interviews are the key's.
	takeKey(t, ctx, base, key)

	views := []struct {
		name string
		url  string
		// ready is a script that is true once the view shows what it is for.
		ready string
	}{
		{"setup", "/", `document.querySelectorAll('[data-testid="principle-option"]').length === 16
			&& !document.getElementById('view-setup').hidden`},
		{"history", "/#/history", `document.querySelectorAll('[data-testid="history-item"]').length === 2
			&& document.querySelector('[data-testid="history-owner"]').textContent.includes('“views”')`},
		{"interview", "/#/interview/" + live.ID, `document.querySelector('[data-testid="connection-status"]').dataset.state === 'open'
			&& document.querySelectorAll('[data-testid="question"]').length === 1
			&& !document.querySelector('[data-testid="answer-input"]').disabled`},
		{"debrief", "/#/interview/" + done.ID, `!!document.querySelector('[data-testid="recommendation"]')
			&& document.querySelectorAll('[data-testid="principle-grade"]').length === 1
			&& document.querySelector('[data-testid="connection-status"]').dataset.state === 'done'`},
		{"error", "/#/interview/" + unknown, `!document.getElementById('view-error').hidden
			&& document.getElementById('error-title').textContent === 'Interview not found'`},
		{"share", link.URL, `document.querySelector('h1').textContent.includes('mock interview')
			&& document.body.innerText.includes('Transcript') && document.body.innerText.includes('Ownership')`},
		// Browsers that ignore the page's icon link ask for /favicon.ico.
		{"icon", "/favicon.ico", `document.documentElement.localName === 'svg'
			&& document.documentElement.textContent.trim() === 'BR'`},
	}
	expectFailedLoad(ctx, "/api/v1/interviews/"+unknown, http.StatusNotFound)
	for _, v := range views {
		// A fresh load each time, so that every view is also the first
		// one a page shows.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+v.url)); err != nil {
			t.Fatalf("%s: open %s: %v", v.name, v.url, err)
		}
		if err := waitFor(ctx, v.ready, 15*time.Second); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: the view never got ready: %v\n%.800s", v.name, err, page)
		}
		screenshot(t, ctx, "view-"+v.name+".png")
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// waitFor polls script in the page until it is true. A poll that starts
// just as a new document replaces the old one can fail because its
// JavaScript context went away; waitFor then tries again in the new one.
func waitFor(ctx context.Context, script string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](script, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPageModules checks the page's ES modules as files: each opens with a
// comment naming it, stays small, writes no HTML, and imports only
// modules that exist; the page loads main.js as a module.
func TestPageModules(t *testing.T) {
	const dir = "../../web/static/js"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	importRe := regexp.MustCompile(`(?m)^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'`)
	sinks := []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"}
	var modules []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".js") {
			continue
		}
		modules = append(modules, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if !strings.HasPrefix(src, "// "+e.Name()+": ") {
			t.Errorf("%s does not open with a comment saying what it holds", e.Name())
		}
		if n := strings.Count(src, "\n"); n > 250 {
			t.Errorf("%s has %d lines; split it", e.Name(), n)
		}
		for _, s := range sinks {
			if strings.Contains(src, s) {
				t.Errorf("%s uses %s", e.Name(), s)
			}
		}
		for _, m := range importRe.FindAllStringSubmatch(src, -1) {
			if _, err := os.Stat(filepath.Join(dir, m[1])); !strings.HasPrefix(m[1], "./") || err != nil {
				t.Errorf("%s imports %q, which is not a module beside it", e.Name(), m[1])
			}
		}
	}
	if !slices.Contains(modules, "main.js") || !slices.Contains(modules, "dom.js") {
		t.Errorf("modules %v lack main.js or dom.js", modules)
	}
	index, err := os.ReadFile("../../web/static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), `<script type="module" src="/static/js/main.js"></script>`) {
		t.Error("index.html does not load /static/js/main.js as a module")
	}
	if _, err := os.Stat("../../web/static/app.js"); err == nil {
		t.Error("web/static/app.js is still there")
	}
}

// takeKey opens the page at base and has the browser take on key's
// interviews, as "Use an API key" does.
func takeKey(t *testing.T, ctx context.Context, base, key string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(tid("start"))); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('/api/v1/session', {method: 'POST',
		headers: {'Content-Type': 'application/json'}, body: JSON.stringify({key: `+jsString(key)+`})}).then((r) => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil || status != http.StatusOK {
		t.Fatalf("take the key on: %d %v", status, err)
	}
}
