package main

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/chromedp/chromedp"
)

// chartSeen is what the page draws for one principle's chart.
type chartSeen struct {
	ID     string   `json:"id"`
	Label  string   `json:"label"`
	Points int      `json:"points"`
	Scores []string `json:"scores"`
}

// chartsInPage reads every progress chart of the page.
const chartsInPage = `[...document.querySelectorAll('[data-testid="progress-chart"]')].map((c) => ({
	id: c.dataset.principle,
	label: c.getAttribute('aria-label'),
	points: c.querySelectorAll('[data-testid="chart-point"]').length,
	scores: [...c.querySelectorAll('[data-testid="chart-label"]')].map((l) => l.textContent),
}))`

// itemIDs is a script that lists the ids of the history's items, in order, as JSON.
const itemIDs = `JSON.stringify([...document.querySelectorAll('[data-testid="history-item"]')].map((li) => li.dataset.id))`

// checkCharts wants one chart per principle of prog, with one marker and
// one label per point whose text is the point's score.
func checkCharts(t *testing.T, ctx context.Context, prog agent.Progress) {
	t.Helper()
	want := []chartSeen{}
	for _, p := range prog.Principles {
		c := chartSeen{ID: p.ID, Points: len(p.Points), Scores: []string{}}
		for _, pt := range p.Points {
			c.Scores = append(c.Scores, strconv.Itoa(pt.Score))
		}
		c.Label = p.Name + ": " + strings.Join(c.Scores, ", ")
		want = append(want, c)
	}
	wantJSON, _ := json.Marshal(want)
	if err := waitFor(ctx, `JSON.stringify(`+chartsInPage+`) === `+jsString(string(wantJSON)), 10*time.Second); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[[]chartSeen](chartsInPage))
		t.Fatalf("the charts are %+v, want %s: %v", got, wantJSON, err)
	}
}

// TestBrowserProgress reviews three complete interviews and one open one
// of a key in Chromium: a chart per practised principle that shows the
// API's scores, filters that narrow the list with the query they send,
// deleting one interview (after cancelling once) and then everything, and
// a phone-wide screen that never scrolls sideways.
func TestBrowserProgress(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	m := startMain(t, dir)
	key := cliKey(t, []string{"-data-dir", dir}, "charts")
	c := newKeyClient(t, m.Server.URL(), key)
	first := c.answered(`["ownership"]`, strongAnswer)
	second := c.answered(`["ownership","dive-deep"]`, vagueAnswer)
	third := c.answered(`["dive-deep"]`, strongAnswer)
	open := c.create(`{"role":"pm","level":"L6","principles":["customer-obsession"]}`)
	var prog agent.Progress
	if code := c.do("GET", "/api/v1/progress", "", &prog); code != 200 || len(prog.Principles) != 2 {
		t.Fatalf("progress = %d %+v, want ownership and dive deep", code, prog)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(m.Server.URL()+"/#/history"),
		chromedp.Click(`[data-testid="key-login"] summary`),
		chromedp.SetValue(tid("key-input"), key),
		chromedp.Click(tid("key-submit")),
		chromedp.WaitVisible(tid("progress-section")),
	); err != nil {
		t.Fatalf("use the key: %v", err)
	}
	checkCharts(t, ctx, prog)
	screenshot(t, ctx, "progress.png")

	all := []string{open.ID, third.ID, second.ID, first.ID}
	filters := []struct {
		name      string
		values    map[string]string // filter field id suffix -> value
		wantQuery url.Values
		want      []string
	}{
		{"complete", map[string]string{"status": "complete"}, url.Values{"status": {"complete"}}, all[1:]},
		{"complete dive deep", map[string]string{"status": "complete", "principle": "dive-deep"},
			url.Values{"status": {"complete"}, "principle": {"dive-deep"}}, []string{third.ID, second.ID}},
		{"in progress", map[string]string{"status": "in_progress"}, url.Values{"status": {"in_progress"}}, []string{open.ID}},
		{"product managers", map[string]string{"role": "pm"}, url.Values{"role": {"pm"}}, []string{open.ID}},
		{"from tomorrow", map[string]string{"from": time.Now().AddDate(0, 0, 1).Format(time.DateOnly)}, nil, []string{}},
		{"to today", map[string]string{"to": time.Now().Format(time.DateOnly)}, nil, all},
	}
	for _, f := range filters {
		set := `for (const n of ['status', 'principle', 'role', 'from', 'to']) document.getElementById('filter-' + n).value = '';`
		for k, v := range f.values {
			set += `document.getElementById('filter-` + k + `').value = ` + jsString(v) + `;`
		}
		set += `document.getElementById('filter-status').dispatchEvent(new Event('change', {bubbles: true})); true`
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](set)); err != nil {
			t.Fatalf("%s: set the filters: %v", f.name, err)
		}
		wantIDs, _ := json.Marshal(f.want)
		if err := waitFor(ctx, `document.getElementById('history-status').textContent !== 'Loading…' && `+itemIDs+` === `+jsString(string(wantIDs)), 10*time.Second); err != nil {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](itemIDs))
			t.Fatalf("%s: the list holds %s, want %s: %v", f.name, got, wantIDs, err)
		}
		sent, err := chromedp.Run(ctx, chromedp.Evaluate[string](`performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/v1/interviews')).pop()`))
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(sent)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if f.wantQuery != nil && q.Encode() != f.wantQuery.Encode() {
			t.Errorf("%s: the page sent ?%s, want ?%s", f.name, u.RawQuery, f.wantQuery.Encode())
		}
		if _, ok := f.values["from"]; ok && q.Get("from") == "" {
			t.Errorf("%s: the page sent ?%s, without from", f.name, u.RawQuery)
		}
		if _, ok := f.values["to"]; ok && q.Get("to") == "" {
			t.Errorf("%s: the page sent ?%s, without to", f.name, u.RawQuery)
		}
		// The server, asked the same, answers what the page shows.
		if api := c.list(u.RawQuery).ids(); !slices.Equal(api, f.want) {
			t.Errorf("%s: the API lists %v for ?%s, want %v", f.name, api, u.RawQuery, f.want)
		}
		if f.name == "complete dive deep" {
			screenshot(t, ctx, "progress-filtered.png")
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("filter-clear"))); err != nil {
		t.Fatal(err)
	}
	allJSON, _ := json.Marshal(all)
	if err := waitFor(ctx, itemIDs+` === `+jsString(string(allJSON)), 10*time.Second); err != nil {
		t.Fatalf("clearing the filters did not list everything again: %v", err)
	}

	// Deleting: cancelling keeps the interview, confirming erases it.
	deleteFirst := `[data-testid="history-item"][data-id="` + first.ID + `"] [data-testid="history-delete"]`
	if err := chromedp.Do(ctx,
		chromedp.Click(deleteFirst),
		chromedp.WaitVisible(tid("delete-cancel")),
	); err != nil {
		t.Fatalf("open the delete dialog: %v", err)
	}
	screenshot(t, ctx, "progress-delete-dialog.png")
	if err := chromedp.Do(ctx,
		chromedp.Click(tid("delete-cancel")),
		chromedp.WaitNotVisible(`#delete-dialog`),
	); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if err := waitFor(ctx, `document.getElementById('announcer').textContent === 'Nothing was deleted.'`, 5*time.Second); err != nil {
		t.Errorf("cancelling announced nothing: %v", err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](itemIDs)); got != string(allJSON) {
		t.Errorf("after cancelling the list holds %s, want %s", got, allJSON)
	}
	if ids := c.list("").ids(); !slices.Equal(ids, all) {
		t.Errorf("after cancelling the API lists %v, want %v", ids, all)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(deleteFirst),
		chromedp.WaitVisible(tid("delete-confirm")),
		chromedp.Click(tid("delete-confirm")),
	); err != nil {
		t.Fatalf("confirm the deletion: %v", err)
	}
	rest, _ := json.Marshal(all[:3])
	if err := waitFor(ctx, itemIDs+` === `+jsString(string(rest))+
		` && document.getElementById('announcer').textContent === 'The interview was deleted.'`, 10*time.Second); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](itemIDs))
		t.Fatalf("after deleting, the list holds %s, want %s and an announcement: %v", got, rest, err)
	}
	if ids := c.list("").ids(); !slices.Equal(ids, all[:3]) {
		t.Errorf("after deleting, the API lists %v, want %v", ids, all[:3])
	}
	c.wantError("GET", "/api/v1/interviews/"+first.ID, 404, agent.ENOTFOUND)
	if code := c.do("GET", "/api/v1/progress", "", &prog); code != 200 {
		t.Fatalf("progress = %d", code)
	}
	checkCharts(t, ctx, prog) // the deleted interview's score is gone from the chart

	// A phone-wide screen shows the history without sideways scrolling.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800)); err != nil {
		t.Fatal(err)
	}
	if width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || width > 360 {
		t.Errorf("at 360 px the history is %d px wide (%v)", width, err)
	}
	screenshot(t, ctx, "progress-360.png")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// Deleting everything asks for the word DELETE first.
	if err := chromedp.Do(ctx,
		chromedp.Click(tid("erase-all")),
		chromedp.WaitVisible(tid("erase-input")),
	); err != nil {
		t.Fatalf("open the erase dialog: %v", err)
	}
	if disabled, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="erase-confirm"]').disabled`)); !disabled {
		t.Error("the erase button works before DELETE is typed")
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(tid("erase-input"), "DELETE"),
		chromedp.WaitEnabled(tid("erase-confirm")),
	); err != nil {
		t.Fatalf("type DELETE: %v", err)
	}
	screenshot(t, ctx, "progress-erase-dialog.png")
	if err := chromedp.Do(ctx, chromedp.Click(tid("erase-confirm"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `document.getElementById('history-status').textContent.startsWith('No interviews yet')`+
		` && document.querySelectorAll('[data-testid="history-item"]').length === 0`+
		` && document.querySelector('[data-testid="progress-section"]').hidden`+
		` && document.getElementById('announcer').textContent === 'All your interviews were deleted.'`, 10*time.Second); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('view-history').innerText`))
		t.Fatalf("after deleting everything: %v\n%.600s", err, page)
	}
	if ids := c.list("").ids(); len(ids) != 0 {
		t.Errorf("after deleting everything the API lists %v", ids)
	}
	screenshot(t, ctx, "progress-erased.png")
}
