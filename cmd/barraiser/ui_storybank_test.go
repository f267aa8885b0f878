package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// bankCellSeen is one filled cell of the story bank's table.
type bankCellSeen struct {
	Principle string `json:"principle"`
	Key       string `json:"key"`
	Text      string `json:"text"`
}

// bankInPage reads the bank's filled story cells and its column titles.
const bankInPage = `({
	cells: [...document.querySelectorAll('[data-testid="bank-cell"][data-score]')].map((td) => ({
		principle: td.closest('tr').dataset.principle, key: td.dataset.key, text: td.textContent })),
	titles: [...document.querySelectorAll('[data-testid="story-title"]')].map((s) => s.textContent),
	rows: [...document.querySelectorAll('[data-testid="bank-row"]')].map((r) => r.dataset.principle),
})`

// bankSeen is what bankInPage returns.
type bankSeen struct {
	Cells  []bankCellSeen `json:"cells"`
	Titles []string       `json:"titles"`
	Rows   []string       `json:"rows"`
}

// TestBrowserStoryBank plays three interviews of a key over HTTP turns and
// reviews them in Chromium: the charts and the story bank, whose table
// shows each story's best score per principle and names the principles
// still to practise; a story renamed with the keyboard alone keeps its
// title after a reload; a phone-wide screen scrolls only the table; and
// "Practise these next" starts an interview on the suggested principles.
func TestBrowserStoryBank(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	m := startMain(t, dir)
	base := m.Server.URL()
	key := cliKey(t, []string{"-data-dir", dir}, "stories")
	c := newKeyClient(t, base, key)
	c.answered(`["ownership"]`, strongAnswer)
	c.answered(`["dive-deep","frugality"]`, vagueAnswer) // frugality is never reached
	c.answered(`["customer-obsession"]`, vagueAnswer)    // the same story again: one column
	bank := c.bankOf()
	var prog agent.Progress
	if code := c.do("GET", "/api/v1/progress", "", &prog); code != 200 || len(bank.Stories) != 3 {
		t.Fatalf("progress = %d, stories %+v", code, bank.Stories)
	}
	if s := bank.Stories; *s[0].Score < agent.StoryBar || *s[1].Score >= agent.StoryBar || *s[2].Score >= agent.StoryBar {
		t.Fatalf("scores %d, %d, %d: want the strong story at 3 or more, the vague ones under", *s[0].Score, *s[1].Score, *s[2].Score)
	}

	takeKey(t, ctx, base, key)
	ready := `!document.querySelector('[data-testid="bank-section"]')?.hidden && document.querySelectorAll('[data-testid="bank-row"]').length === 3`
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/#/history"), chromedp.WaitVisible(tid("progress-section"))); err != nil {
		t.Fatalf("open the history: %v", err)
	}
	if err := waitFor(ctx, ready, 10*time.Second); err != nil {
		t.Fatalf("the story bank never showed: %v", err)
	}
	checkCharts(t, ctx, prog)

	// The table: a row per principle told, a column per title, and in each
	// cell the best score with a marker that needs no colour.
	strong, vague := strings.ToLower(bank.Stories[0].Title), strings.ToLower(bank.Stories[1].Title)
	cell := func(st agent.Story, key string) bankCellSeen {
		mark := "✗"
		if *st.Score >= agent.StoryBar {
			mark = "✓"
		}
		return bankCellSeen{st.Principle, key, mark + " " + strconv.Itoa(*st.Score) + " · " + strings.ReplaceAll(string(st.Rating), "_", " ")}
	}
	want := bankSeen{
		Cells:  []bankCellSeen{cell(bank.Stories[0], strong), cell(bank.Stories[1], vague), cell(bank.Stories[2], vague)},
		Titles: []string{bank.Stories[0].Title, bank.Stories[1].Title},
		Rows:   []string{"customer-obsession", "ownership", "dive-deep"},
	}
	slices.SortFunc(want.Cells, func(a, b bankCellSeen) int {
		return slices.Index(want.Rows, a.Principle) - slices.Index(want.Rows, b.Principle)
	})
	// Rows follow the catalog's order.
	var catalog struct {
		Principles []struct{ ID string } `json:"principles"`
	}
	c.do("GET", "/api/v1/principles", "", &catalog)
	order := func(id string) int {
		return slices.IndexFunc(catalog.Principles, func(p struct{ ID string }) bool { return p.ID == id })
	}
	slices.SortFunc(want.Rows, func(a, b string) int { return order(a) - order(b) })
	slices.SortFunc(want.Cells, func(a, b bankCellSeen) int { return order(a.Principle) - order(b.Principle) })
	got := eval[bankSeen](t, ctx, bankInPage)
	if g, w := mustMarshal(got), mustMarshal(want); g != w {
		t.Fatalf("the bank shows\n%s\nwant\n%s", g, w)
	}
	still := eval[string](t, ctx, `document.querySelector('[data-testid="bank-still"]').textContent`)
	names := map[string]string{}
	for _, p := range bank.Principles {
		names[p.ID] = p.Name
	}
	for _, p := range bank.Principles {
		listed := strings.Contains(still, p.Name)
		if listed != slices.Contains(bank.StillToPractise, p.ID) {
			t.Errorf("%s listed %v in %q; still to practise: %v", p.Name, listed, still, bank.StillToPractise)
		}
	}
	if slices.Contains(bank.StillToPractise, "ownership") || !slices.Contains(bank.StillToPractise, "dive-deep") {
		t.Errorf("still to practise = %v, want dive deep but not ownership", bank.StillToPractise)
	}
	screenshot(t, ctx, "storybank.png")

	// Renaming from the keyboard: Escape keeps the title, Enter saves it.
	rename := `[data-testid="bank-story"][data-key="` + strong + `"] [data-testid="story-rename"]`
	titleOf := `document.querySelector('[data-testid="bank-story"] [data-testid="story-title"]')?.textContent`
	if err := chromedp.Do(ctx,
		chromedp.Focus(rename), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(tid("story-title-input")),
		chromedp.KeyEvent("Not this one"), chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(tid("story-title-input")),
	); err != nil {
		t.Fatalf("rename and cancel: %v", err)
	}
	if got := eval[string](t, ctx, titleOf); got != bank.Stories[0].Title {
		t.Errorf("after Escape the title is %q", got)
	}
	if focused := eval[string](t, ctx, `document.activeElement.dataset.testid || ''`); focused != "story-rename" {
		t.Errorf("after Escape the focus is on %q, want the Rename button", focused)
	}
	const renamed = "The checkout outage at Brightcart"
	if err := chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(tid("story-title-input")),
		chromedp.KeyEvent(renamed), chromedp.KeyEvent(kb.Enter),
	); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if err := waitFor(ctx, titleOf+` === `+jsString(renamed)+` && document.activeElement.dataset.testid === 'story-rename'`, 10*time.Second); err != nil {
		t.Fatalf("the new title never showed: %q, %v", eval[string](t, ctx, titleOf+` || ''`), err)
	}
	screenshot(t, ctx, "storybank-renamed.png")
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, ready+` && `+titleOf+` === `+jsString(renamed), 10*time.Second); err != nil {
		t.Fatalf("after a reload the title is %q: %v", eval[string](t, ctx, titleOf+` || ''`), err)
	}
	if st := c.bankOf().Stories[0]; st.Title != renamed || !st.CustomTitle {
		t.Errorf("the API has the first story as %+v", st)
	}

	// A phone-wide screen: the page never scrolls sideways, the table does.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800)); err != nil {
		t.Fatal(err)
	}
	type widths struct {
		Page   int  `json:"page"`
		Scroll bool `json:"scroll"`
	}
	w := eval[widths](t, ctx, `(() => { const s = document.querySelector('[data-testid="bank-scroll"]');
		return {page: document.documentElement.scrollWidth, scroll: s.scrollWidth > s.clientWidth && getComputedStyle(s).overflowX === 'auto'}; })()`)
	if w.Page > 360 || !w.Scroll {
		wide := eval[[]string](t, ctx, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 361
			&& !e.closest('[data-testid="bank-scroll"] table')).slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
		t.Errorf("at 360 px the page is %d px wide and the table scrolls: %v; too wide: %v", w.Page, w.Scroll, wide)
	}
	eval[bool](t, ctx, `document.querySelector('[data-testid="bank-section"]').scrollIntoView(); true`)
	screenshot(t, ctx, "storybank-360.png")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// Practise these next: an interview on up to four principles still to
	// practise, those told least first, then by name.
	if len(bank.PractiseNext) == 0 || len(bank.PractiseNext) > agent.MaxPrinciples {
		t.Fatalf("practise next = %v", bank.PractiseNext)
	}
	practised := map[string]int{}
	for _, p := range bank.Principles {
		practised[p.ID] = p.Practised
	}
	for i, id := range bank.PractiseNext {
		if !slices.Contains(bank.StillToPractise, id) {
			t.Errorf("%s is suggested but has a story at 3 or more", id)
		}
		if i > 0 {
			prev := bank.PractiseNext[i-1]
			if practised[prev] > practised[id] || practised[prev] == practised[id] && names[prev] > names[id] {
				t.Errorf("practise next %v: %s comes before %s", bank.PractiseNext, prev, id)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(tid("practise-next"))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, `location.hash.startsWith('#/interview/') && document.querySelectorAll('[data-testid="question"]').length === 1`, 15*time.Second); err != nil {
		t.Fatalf("no interview started: %v", err)
	}
	id := strings.TrimPrefix(eval[string](t, ctx, `location.hash`), "#/interview/")
	var iv agent.Interview
	if code := c.do("GET", "/api/v1/interviews/"+id, "", &iv); code != 200 {
		t.Fatalf("the new interview = %d", code)
	}
	var planned []string
	for _, p := range iv.Principles {
		planned = append(planned, p.ID)
	}
	if !slices.Equal(planned, bank.PractiseNext) || iv.Role != agent.RoleSDE || iv.Level != "L5" {
		t.Errorf("the new interview plans %v as %s %s, want %v", planned, iv.Role, iv.Level, bank.PractiseNext)
	}
	screenshot(t, ctx, "storybank-practise.png")
}

// mustMarshal returns v as JSON.
func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
