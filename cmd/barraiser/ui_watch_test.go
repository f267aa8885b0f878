package main

import (
	"context"
	"fmt"
	"net/http"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// pageWatch collects what a page reports as going wrong while a test runs:
// uncaught exceptions, console errors and warnings, and the browser's own
// log entries, such as a resource that failed to load or a request the
// Content-Security-Policy refused. Any of them fails the test at cleanup.
type pageWatch struct {
	// done ends when the test function returns; what the page reports
	// after that (the server is being shut down) is not the page's fault.
	done context.Context

	mu       sync.Mutex
	problems []string
	expected []*expectedLoad
}

// expectedLoad is a response with an error status that a test causes on
// purpose, such as a 404 for an unknown interview.
type expectedLoad struct {
	path   string
	status int
	seen   bool
}

type pageWatchKey struct{}

// expectFailedLoad tells the watch of ctx's browser that the page will
// get the error status for path (an exact URL path) and that the browser
// logging it is not a fault. The test fails if it never happens.
func expectFailedLoad(ctx context.Context, path string, status int) {
	w := ctx.Value(pageWatchKey{}).(*pageWatch)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expected = append(w.expected, &expectedLoad{path: path, status: status})
}

// event is the chromedp listener. It runs on the goroutine that reads the
// browser's messages, so it only formats and appends.
func (w *pageWatch) event(ev any) {
	if w.done.Err() != nil {
		return
	}
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		problem = fmt.Sprintf("exception at %s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, text)
	case *runtime.EventConsoleAPICalled:
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeWarning, runtime.ConsoleAPICalledTypeAssert:
		default:
			return
		}
		var args []string
		for _, a := range ev.Args {
			if a.Value != nil {
				args = append(args, string(a.Value))
			} else {
				args = append(args, a.Description)
			}
		}
		problem = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level != log.EntryLevelError && e.Level != log.EntryLevelWarning {
			return
		}
		if w.expectedEntry(e) {
			return
		}
		problem = fmt.Sprintf("browser log %s (%s) %s: %s", e.Level, e.Source, e.URL, e.Text)
	default:
		return
	}
	w.mu.Lock()
	w.problems = append(w.problems, problem)
	w.mu.Unlock()
}

// expectedEntry reports whether e is a failed load a test announced, and
// marks it seen.
func (w *pageWatch) expectedEntry(e *log.Entry) bool {
	if e.Source != log.EntrySourceNetwork {
		return false
	}
	u, err := neturl.Parse(e.URL)
	if err != nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, x := range w.expected {
		if u.Path == x.path && strings.Contains(e.Text, "status of "+strconv.Itoa(x.status)+" ") {
			x.seen = true
			return true
		}
	}
	return false
}

// check fails t with every problem the page reported, and with every
// expected failed load that did not happen.
func (w *pageWatch) check(t *testing.T) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Errorf("the page reported: %s", p)
	}
	for _, x := range w.expected {
		if !x.seen {
			t.Errorf("the page never got the expected %d for %s", x.status, x.path)
		}
	}
}

// problemsSoFar returns a copy of what the page has reported.
func (w *pageWatch) problemsSoFar() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.problems)
}

// TestBrowserWatchSeesProblems checks the watch newBrowser puts on every
// page: a page that throws, writes a console error and a warning, loads a
// missing file and breaks its Content-Security-Policy is reported for
// each, while a console log line and a failed load the test announced are
// not.
func TestBrowserWatchSeesProblems(t *testing.T) {
	ctx, w := watchedBrowser(t)
	m := startMain(t, t.TempDir())
	expectFailedLoad(ctx, "/static/expected-missing.png", http.StatusNotFound)
	if err := chromedp.Do(ctx, chromedp.Navigate(m.Server.URL()+"/"), chromedp.WaitVisible(tid("start"))); err != nil {
		t.Fatal(err)
	}
	if got := w.problemsSoFar(); len(got) != 0 {
		t.Fatalf("the page reported problems before the test made any: %q", got)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		console.log('a log line, which is fine');
		console.error('an error for the watch');
		console.warn('a warning for the watch');
		setTimeout(() => { throw new Error('thrown for the watch'); });
		const add = (tag, attrs) => document.head.append(Object.assign(document.createElement(tag), attrs));
		add('script', { textContent: 'window.inlineRan = true' });
		document.body.append(Object.assign(new Image(), { src: '/static/missing.png' }));
		document.body.append(Object.assign(new Image(), { src: '/static/expected-missing.png' }));
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	want := []string{"an error for the watch", "a warning for the watch", "thrown for the watch",
		"/static/missing.png", "Content Security Policy"}
	missing := func() []string {
		var out []string
		all := strings.Join(w.problemsSoFar(), "\n")
		for _, s := range want {
			if !strings.Contains(all, s) {
				out = append(out, s)
			}
		}
		return out
	}
	// The failed loads arrive as events of their own, in no set order: wait
	// for the announced one as well as for the problems.
	unmatched := func() []string {
		w.mu.Lock()
		defer w.mu.Unlock()
		var out []string
		for _, x := range w.expected {
			if !x.seen {
				out = append(out, x.path)
			}
		}
		return out
	}
	for deadline := time.Now().Add(10 * time.Second); len(missing())+len(unmatched()) > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	got := w.problemsSoFar()
	if m := missing(); len(m) > 0 {
		t.Errorf("the watch missed %q; it saw %q", m, got)
	}
	for _, p := range got {
		if strings.Contains(p, "a log line") || strings.Contains(p, "expected-missing") {
			t.Errorf("the watch reported %q", p)
		}
	}
	for _, path := range unmatched() {
		t.Errorf("the announced failed load of %s was not matched", path)
	}
}
