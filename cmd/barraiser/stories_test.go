package main

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/barraiser/barraiser/agent"
)

// bankOf calls GET /api/v1/stories and wants 200.
func (c *client) bankOf() agent.StoryBank {
	c.t.Helper()
	var b agent.StoryBank
	if code := c.do("GET", "/api/v1/stories", "", &b); code != http.StatusOK {
		c.t.Fatalf("GET /api/v1/stories = %d", code)
	}
	return b
}

// rename calls PATCH on a story with body and returns the status and the
// decoded story or error.
func (c *client) rename(id, principle, body string) (int, agent.Story, errorBody) {
	c.t.Helper()
	resp, b := c.raw("PATCH", "/api/v1/stories/"+id+"/"+principle, body)
	var st agent.Story
	var e errorBody
	if resp.StatusCode == http.StatusOK {
		mustJSON(c.t, b, &st)
	} else {
		mustJSON(c.t, b, &e)
	}
	return resp.StatusCode, st, e
}

// scoreOf returns the debrief's score of principle in interview id, or 0.
func (c *client) scoreOf(id, principle string) int {
	c.t.Helper()
	var iv agent.Interview
	if code := c.do("GET", "/api/v1/interviews/"+id, "", &iv); code != http.StatusOK || iv.Debrief == nil {
		c.t.Fatalf("GET interview %s = %d, debrief %v", id, code, iv.Debrief)
	}
	for _, g := range iv.Debrief.Principles {
		if g.Principle == principle && g.Score != nil {
			return *g.Score
		}
	}
	return 0
}

func TestStoryBank(t *testing.T) { forEachStore(t, testStoryBank) }

// testStoryBank plays three interviews over HTTP turns and reads the
// owner's story bank; renames a story, refuses bad titles and other
// owners, and sees titles go with their interviews.
func testStoryBank(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	base := m.Server.URL()
	c := newKeyClient(t, base, cliKey(t, storeArgs, "bank"))
	other := newKeyClient(t, base, cliKey(t, storeArgs, "other"))
	if b := c.bankOf(); len(b.Stories) != 0 || len(b.PractiseNext) != agent.MaxPrinciples {
		t.Fatalf("the bank of a new owner = %+v, want no stories and four to practise", b)
	}

	first := c.answered(`["ownership","dive-deep"]`, strongAnswer) // dive-deep is never reached
	second := c.answered(`["dive-deep"]`, vagueAnswer)
	third := c.answered(`["ownership"]`, vagueAnswer)
	c.create(`{"role":"sde","level":"L5","principles":["frugality"]}`) // in progress: no story
	theirs := other.answered(`["customer-obsession"]`, strongAnswer)

	own1, dd2, own3 := c.scoreOf(first.ID, "ownership"), c.scoreOf(second.ID, "dive-deep"), c.scoreOf(third.ID, "ownership")
	if own1 < agent.StoryBar || dd2 < 1 || dd2 >= agent.StoryBar || own3 < 1 {
		t.Fatalf("scores: strong ownership %d, vague dive deep %d, vague ownership %d; want the strong one at 3 or more and the vague dive deep under", own1, dd2, own3)
	}

	b := c.bankOf()
	type seen struct {
		id, principle string
		score         int
	}
	var got []seen
	for _, st := range b.Stories {
		s := 0
		if st.Score != nil {
			s = *st.Score
		}
		got = append(got, seen{st.InterviewID, st.Principle, s})
		if st.CustomTitle || st.Role != agent.RoleSDE || st.Level != "L5" || st.StartedAt.IsZero() || st.EndedAt.Before(st.StartedAt) ||
			(st.Score != nil && st.Rating != agent.RatingForScore(*st.Score)) {
			t.Errorf("story %+v", st)
		}
	}
	if want := []seen{{first.ID, "ownership", own1}, {second.ID, "dive-deep", dd2}, {third.ID, "ownership", own3}}; !slices.Equal(got, want) {
		t.Fatalf("stories = %+v, want %+v", got, want)
	}
	title := b.Stories[0].Title
	if !strings.HasPrefix(strongAnswer, strings.TrimSuffix(title, "…")) || !strings.HasSuffix(title, "…") ||
		utf8.RuneCountInString(title) > agent.StoryTitleRunes || strings.Contains(title, ". ") {
		t.Errorf("the title of the first story = %q, want its first sentence shortened", title)
	}
	if b.Stories[1].Title != "We had some problems with a service and the team worked on it for a while" {
		t.Errorf("the title of the second story = %q", b.Stories[1].Title)
	}

	// Every principle has a row; only ownership has a story at 3 or more.
	var catalog struct {
		Principles []struct{ ID, Name string } `json:"principles"`
	}
	c.do("GET", "/api/v1/principles", "", &catalog)
	if len(b.Principles) != len(catalog.Principles) {
		t.Fatalf("the bank has %d principles, the catalog %d", len(b.Principles), len(catalog.Principles))
	}
	var still []string
	type row struct {
		id, name string
		n        int
	}
	var todo []row
	for i, p := range b.Principles {
		if p.ID != catalog.Principles[i].ID {
			t.Errorf("principle %d is %s, want %s", i, p.ID, catalog.Principles[i].ID)
		}
		best, n := 0, 0
		switch p.ID {
		case "ownership":
			best, n = max(own1, own3), 2
		case "dive-deep":
			best, n = dd2, 1
		}
		if p.Practised != n || (p.Best == nil) != (best == 0) || p.Best != nil && *p.Best != best {
			t.Errorf("principle %s = practised %d, best %v; want %d, %d", p.ID, p.Practised, p.Best, n, best)
		}
		if best < agent.StoryBar {
			still = append(still, p.ID)
			todo = append(todo, row{p.ID, p.Name, n})
		}
	}
	if !slices.Equal(b.StillToPractise, still) || slices.Contains(still, "ownership") || !slices.Contains(still, "dive-deep") {
		t.Errorf("still to practise = %v, want %v", b.StillToPractise, still)
	}
	slices.SortStableFunc(todo, func(a, b row) int { return cmp.Or(cmp.Compare(a.n, b.n), strings.Compare(a.name, b.name)) })
	var next []string
	for _, r := range todo[:agent.MaxPrinciples] {
		next = append(next, r.id)
	}
	if !slices.Equal(b.PractiseNext, next) || slices.Contains(next, "dive-deep") {
		t.Errorf("practise next = %v, want %v (never practised first, by name)", b.PractiseNext, next)
	}

	// Renaming: the title is trimmed, kept, and shown from then on.
	code, st, _ := c.rename(first.ID, "ownership", `{"title":"  The checkout outage  "}`)
	if code != http.StatusOK || st.Title != "The checkout outage" || !st.CustomTitle || st.InterviewID != first.ID || st.Principle != "ownership" {
		t.Fatalf("rename = %d %+v", code, st)
	}
	if code, st, _ = c.rename(first.ID, "ownership", `{"title":"The checkout outage at Brightcart"}`); code != http.StatusOK {
		t.Fatalf("rename again = %d %+v", code, st)
	}
	if got := c.bankOf().Stories[0]; got.Title != "The checkout outage at Brightcart" || !got.CustomTitle {
		t.Errorf("after renaming, the first story = %+v", got)
	}

	// Bad titles, unknown stories and other owners' change nothing.
	bad := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"empty title", first.ID + "/ownership", `{"title":"   "}`, 400, agent.EINVALIDTITLE},
		{"no title", first.ID + "/ownership", `{}`, 400, agent.EINVALIDTITLE},
		{"long title", first.ID + "/ownership", `{"title":"` + strings.Repeat("x", agent.MaxStoryTitleRunes+1) + `"}`, 400, agent.EINVALIDTITLE},
		{"two lines", first.ID + "/ownership", `{"title":"one\ntwo"}`, 400, agent.EINVALIDTITLE},
		{"not a string", first.ID + "/ownership", `{"title":3}`, 400, agent.EINVALIDJSON},
		{"not JSON", first.ID + "/ownership", `title`, 400, agent.EINVALIDJSON},
		{"unknown interview", agent.NewID() + "/ownership", `{"title":"x"}`, 404, agent.ENOTFOUND},
		{"principle never answered", first.ID + "/dive-deep", `{"title":"x"}`, 404, agent.ENOTFOUND},
		{"principle not in the plan", first.ID + "/frugality", `{"title":"x"}`, 404, agent.ENOTFOUND},
		{"another owner's", theirs.ID + "/customer-obsession", `{"title":"Mine now"}`, 404, agent.ENOTFOUND},
	}
	for _, tt := range bad {
		resp, body := c.raw("PATCH", "/api/v1/stories/"+tt.path, tt.body)
		var e errorBody
		mustJSON(t, body, &e)
		if resp.StatusCode != tt.status || e.Error.Code != tt.code {
			t.Errorf("%s: PATCH = %d %+v, want %d %s", tt.name, resp.StatusCode, e, tt.status, tt.code)
		}
	}
	req, _ := http.NewRequest("PATCH", base+"/api/v1/stories/"+first.ID+"/ownership", strings.NewReader(`title=x`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+c.key)
	if resp, err := c.http.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("a form body = %v %v, want 415", resp, err)
	} else {
		resp.Body.Close()
	}
	if got := c.bankOf().Stories[0].Title; got != "The checkout outage at Brightcart" {
		t.Errorf("after refused renames the title is %q", got)
	}
	if ob := other.bankOf(); len(ob.Stories) != 1 || ob.Stories[0].CustomTitle || ob.Stories[0].InterviewID != theirs.ID {
		t.Errorf("the other owner's bank = %+v", ob.Stories)
	}
	// A browser owner has its own, empty bank.
	if bb := newClient(t, base).bankOf(); len(bb.Stories) != 0 || len(bb.Principles) != len(catalog.Principles) {
		t.Errorf("a new browser's bank = %+v", bb)
	}

	// Titles go with their interview, and with all of the owner's.
	if code, _, _ := c.rename(third.ID, "ownership", `{"title":"Vague"}`); code != http.StatusOK {
		t.Fatalf("rename the third story = %d", code)
	}
	if code := c.do("DELETE", "/api/v1/interviews/"+third.ID, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete = %d", code)
	}
	if b := c.bankOf(); len(b.Stories) != 2 || b.Principles[slices.IndexFunc(b.Principles, func(p agent.BankPrinciple) bool { return p.ID == "ownership" })].Practised != 1 {
		t.Errorf("after deleting the third interview: %+v", b.Stories)
	}
	if code, _, e := c.rename(third.ID, "ownership", `{"title":"Back"}`); code != http.StatusNotFound || e.Error.Code != agent.ENOTFOUND {
		t.Errorf("renaming a deleted interview's story = %d %+v", code, e)
	}
	if code := c.do("DELETE", "/api/v1/me", "", nil); code != http.StatusNoContent {
		t.Fatalf("DELETE /me = %d", code)
	}
	if b := c.bankOf(); len(b.Stories) != 0 || len(b.StillToPractise) != len(catalog.Principles) {
		t.Errorf("after erasing, the bank = %+v", b)
	}
}

// mustJSON decodes b into out, failing the test when it cannot.
func mustJSON(t testing.TB, b []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
}
