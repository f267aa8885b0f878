package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/web"
)

// wantError sends a request and checks that it fails with status and code.
func (c *client) wantError(method, path string, status int, code string) {
	c.t.Helper()
	var e errorBody
	if got := c.do(method, path, "", &e); got != status || e.Error.Code != code {
		c.t.Errorf("%s %s = %d %+v, want %d %s", method, path, got, e, status, code)
	}
}

// page is the body of GET /api/v1/interviews.
type page struct {
	Interviews []struct {
		ID        string    `json:"id"`
		Status    string    `json:"status"`
		Role      string    `json:"role"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"interviews"`
	NextCursor *string `json:"next_cursor"`
}

// ids returns the ids of a page, in order.
func (p page) ids() []string {
	out := []string{}
	for _, iv := range p.Interviews {
		out = append(out, iv.ID)
	}
	return out
}

// list calls GET /api/v1/interviews with query and wants 200.
func (c *client) list(query string) page {
	c.t.Helper()
	var p page
	if code := c.do("GET", "/api/v1/interviews?"+query, "", &p); code != 200 {
		c.t.Fatalf("list ?%s = %d", query, code)
	}
	return p
}

// end calls POST …/end and wants 200.
func (c *client) end(id string) endResult {
	c.t.Helper()
	var r endResult
	if code := c.do("POST", "/api/v1/interviews/"+id+"/end", "", &r); code != 200 {
		c.t.Fatalf("end %s = %d", id, code)
	}
	return r
}

// endResult is the body of POST …/end.
type endResult struct {
	Status  string         `json:"status"`
	Debrief *agent.Debrief `json:"debrief"`
}

// nextStep calls POST …/next with body and wants 200.
func (c *client) nextStep(id, body string) {
	c.t.Helper()
	if code := c.do("POST", "/api/v1/interviews/"+id+"/next", body, nil); code != 200 {
		c.t.Fatalf("next %s = %d", body, code)
	}
}

// answerJSON is the body of POST …/next that answers with text.
func answerJSON(text, clientID string) string {
	b, _ := json.Marshal(map[string]string{"answer": text, "client_id": clientID})
	return string(b)
}

// answered creates an interview on principles, answers its opening
// question with text over HTTP turns and ends it: a complete interview
// with one graded answer per listed principle asked.
func (c *client) answered(principles, text string) created {
	c.t.Helper()
	iv := c.create(`{"role":"sde","level":"L5","principles":` + principles + `}`)
	c.nextStep(iv.ID, `{}`)
	c.nextStep(iv.ID, answerJSON(text, "a-1"))
	if r := c.end(iv.ID); r.Status != "complete" || r.Debrief == nil {
		c.t.Fatalf("end after one answer = %+v", r)
	}
	return iv
}

func TestListPaging(t *testing.T) { forEachStore(t, testListPaging) }

// testListPaging pages through a key's interviews with every filter, and
// checks that the browser's first page still works.
func testListPaging(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	base := m.Server.URL()
	c := newKeyClient(t, base, cliKey(t, storeArgs, "lister"))
	other := newKeyClient(t, base, cliKey(t, storeArgs, "other"))
	other.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)

	var made []created
	for _, body := range []string{
		`{"role":"sde","level":"L5","principles":["ownership"]}`,
		`{"role":"em","level":"L6","principles":["dive-deep"]}`,
		`{"role":"sde","level":"L4","principles":["ownership","dive-deep"]}`,
		`{"role":"pm","level":"L5","principles":["frugality"]}`,
		`{"role":"sde","level":"L7","principles":["dive-deep"]}`,
	} {
		made = append(made, c.create(body))
	}
	done := made[1]
	c.end(done.ID) // complete, with nothing assessed

	all := c.list("limit=100")
	if len(all.Interviews) != 5 || all.NextCursor != nil {
		t.Fatalf("all = %v, next %v", all.ids(), all.NextCursor)
	}
	// Newest first, the order the list always had.
	for i := 1; i < len(all.Interviews); i++ {
		if all.Interviews[i].CreatedAt.After(all.Interviews[i-1].CreatedAt) {
			t.Errorf("row %d is newer than row %d", i, i-1)
		}
	}
	var walked []string
	p := c.list("limit=2")
	for n := 1; ; n++ {
		walked = append(walked, p.ids()...)
		if p.NextCursor == nil {
			if n != 3 {
				t.Errorf("5 interviews in %d pages of 2", n)
			}
			break
		}
		if n > 3 {
			t.Fatal("the pages do not end")
		}
		p = c.list("limit=2&cursor=" + url.QueryEscape(*p.NextCursor))
	}
	if !slices.Equal(walked, all.ids()) {
		t.Errorf("paged %v, want %v", walked, all.ids())
	}
	if p := c.list(""); len(p.Interviews) != 5 || p.NextCursor != nil {
		t.Errorf("default page = %v, next %v", p.ids(), p.NextCursor)
	}

	filtered := func(query string, want ...string) {
		t.Helper()
		got := c.list(query).ids()
		slices.Sort(got)
		slices.Sort(want)
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(got, want) {
			t.Errorf("?%s = %v, want %v", query, got, want)
		}
	}
	filtered("status=complete", done.ID)
	filtered("status=in_progress", made[0].ID, made[2].ID, made[3].ID, made[4].ID)
	filtered("status=grading")
	filtered("role=sde", made[0].ID, made[2].ID, made[4].ID)
	filtered("principle=dive-deep", made[1].ID, made[2].ID, made[4].ID)
	filtered("principle=dive-deep&role=sde&status=in_progress", made[2].ID, made[4].ID)
	oldest := all.Interviews[len(all.Interviews)-1].CreatedAt
	newest := all.Interviews[0].CreatedAt
	filtered("from="+url.QueryEscape(newest.Format(time.RFC3339Nano)), all.Interviews[0].ID)
	filtered("to=" + url.QueryEscape(oldest.Format(time.RFC3339Nano)))
	filtered("from="+url.QueryEscape(oldest.Add(-time.Hour).Format(time.RFC3339))+"&to="+
		url.QueryEscape(newest.Add(time.Hour).Format(time.RFC3339)), all.ids()...)

	bad := newKeyClient(t, base, cliKey(t, storeArgs, "bad-queries"))
	for _, b := range []struct{ query, code string }{
		{"limit=0", agent.EINVALIDLIMIT},
		{"limit=101", agent.EINVALIDLIMIT},
		{"limit=many", agent.EINVALIDLIMIT},
		{"cursor=not-a-cursor", agent.EINVALIDCURSOR},
		{"status=done", agent.EINVALIDSTATUS},
		{"principle=charisma", agent.EUNKNOWNPRINCIPLE},
		{"role=chef", agent.EINVALIDROLE},
		{"from=2024-05-01", agent.EINVALIDDATE},
		{"to=tomorrow", agent.EINVALIDDATE},
	} {
		bad.wantError("GET", "/api/v1/interviews?"+b.query, 400, b.code)
	}

	// The browser's page reads .interviews from the first page.
	browser := newClient(t, base)
	browser.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	var raw map[string]json.RawMessage
	if code := browser.do("GET", "/api/v1/interviews", "", &raw); code != 200 || string(raw["next_cursor"]) != "null" {
		t.Fatalf("browser list = %d %s", code, raw)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw["interviews"], &rows); err != nil || len(rows) != 1 {
		t.Errorf("browser list rows = %s, %v", raw["interviews"], err)
	}
}

func TestEndDeleteMarkdown(t *testing.T) { forEachStore(t, testEndDeleteMarkdown) }

// testEndDeleteMarkdown ends interviews over HTTP, reads the Markdown
// debrief and deletes interviews, with sockets open on them.
func testEndDeleteMarkdown(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	base := m.Server.URL()
	c := newKeyClient(t, base, cliKey(t, storeArgs, "ender"))
	stranger := newKeyClient(t, base, cliKey(t, storeArgs, "stranger"))

	// Ending supersedes an open socket and grades what was answered.
	iv := c.create(`{"role":"sde","level":"L5","focus":"an *outage* <b>x</b> [l](http://e.example)","principles":["ownership","dive-deep"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	send(t, conn, answer(strongAnswer, "w-1"))
	readType(t, conn, "ack")
	readType(t, conn, "question")
	for _, path := range []string{"/end", "/debrief.md", "/share"} {
		method := "POST"
		if path == "/debrief.md" {
			method = "GET"
		}
		stranger.wantError(method, "/api/v1/interviews/"+iv.ID+path, 404, agent.ENOTFOUND)
	}
	c.wantError("GET", "/api/v1/interviews/"+iv.ID+"/debrief.md", 409, agent.ENODEBRIEF)
	r := c.end(iv.ID)
	if f := readType(t, conn, "error"); f.Code != agent.ESUPERSEDED {
		t.Errorf("the socket got %+v, want superseded", f)
	}
	if st := expectClose(t, conn); st != web.StatusSuperseded {
		t.Errorf("socket closed with %d, want %d", st, web.StatusSuperseded)
	}
	if r.Status != "complete" || r.Debrief == nil || len(r.Debrief.Principles) != 2 {
		t.Fatalf("end = %+v", r)
	}
	if g := r.Debrief.Principles; g[0].Score == nil || len(g[0].Evidence) == 0 || g[1].Rating != agent.NotAssessed {
		t.Fatalf("grades after ending early = %+v", g)
	}
	if again := c.end(iv.ID); again.Status != "complete" || again.Debrief == nil || !again.Debrief.CreatedAt.Equal(r.Debrief.CreatedAt) {
		t.Errorf("ending again = %+v, want the same debrief", again)
	}

	resp, md := c.raw("GET", "/api/v1/interviews/"+iv.ID+"/debrief.md", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/markdown; charset=utf-8" {
		t.Fatalf("debrief.md = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc := string(md)
	for _, want := range []string{"# Debrief: SDE L5", "### Ownership: ", "### Dive Deep: Not assessed", "Recommendation: **",
		"by rules", "Graded by the built-in rules", `- Focus: an \*outage\* \<b\>x\</b\> \[l\](http://e.example)`,
		agent.MarkdownEscape(r.Debrief.Principles[0].Advice), agent.MarkdownEscape(r.Debrief.Principles[0].Evidence[0].Quote)} {
		if !strings.Contains(doc, want) {
			t.Errorf("debrief.md lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "<b>") || strings.Contains(doc, "[l]") {
		t.Errorf("debrief.md holds the focus's markup unescaped:\n%s", doc)
	}

	// Deleting closes the socket open on the interview and erases it.
	gone := c.create(`{"role":"em","level":"L6","principles":["ownership"]}`)
	conn, _ = c.open(gone.WSURL)
	readType(t, conn, "question")
	stranger.wantError("DELETE", "/api/v1/interviews/"+gone.ID, 404, agent.ENOTFOUND)
	if code := c.do("DELETE", "/api/v1/interviews/"+gone.ID, "", nil); code != 204 {
		t.Fatalf("DELETE = %d", code)
	}
	if f := readType(t, conn, "error"); f.Code != agent.EINTERVIEWDELETED {
		t.Errorf("the deleted interview's socket got %+v", f)
	}
	if st := expectClose(t, conn); st != web.StatusInterviewDeleted {
		t.Errorf("socket closed with %d, want %d", st, web.StatusInterviewDeleted)
	}
	c.wantError("GET", "/api/v1/interviews/"+gone.ID, 404, agent.ENOTFOUND)
	c.wantError("DELETE", "/api/v1/interviews/"+gone.ID, 404, agent.ENOTFOUND)
	c.wantError("POST", "/api/v1/interviews/"+gone.ID+"/end", 404, agent.ENOTFOUND)
	if _, resp, err := c.dial(gone.WSURL, ""); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Errorf("a socket to a deleted interview: %v", err)
	}
	if ids := c.list("").ids(); !slices.Equal(ids, []string{iv.ID}) {
		t.Errorf("after the delete the list is %v", ids)
	}
	// A complete interview deletes the same, debrief and all.
	if code := c.do("DELETE", "/api/v1/interviews/"+iv.ID, "", nil); code != 204 {
		t.Fatalf("DELETE complete = %d", code)
	}
	c.wantError("GET", "/api/v1/interviews/"+iv.ID+"/debrief.md", 404, agent.ENOTFOUND)
}

// shareResult is the body of POST …/share.
type shareResult struct {
	URL       string    `json:"url"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
}

// share calls POST …/share and wants 201.
func (c *client) share(id string) shareResult {
	c.t.Helper()
	var r shareResult
	if code := c.do("POST", "/api/v1/interviews/"+id+"/share", "", &r); code != 201 {
		c.t.Fatalf("share %s = %d", id, code)
	}
	return r
}

func TestShareLinks(t *testing.T) { forEachStore(t, testShareLinks) }

// testShareLinks shares an interview, reads it as anyone would, and
// revokes the links.
func testShareLinks(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	base := m.Server.URL()
	c := newKeyClient(t, base, cliKey(t, storeArgs, "sharer"))
	stranger := newKeyClient(t, base, cliKey(t, storeArgs, "stranger"))
	anyone := &client{t: t, base: base, http: &http.Client{Timeout: 30 * time.Second}}

	iv := c.answered(`["ownership"]`, strongAnswer+` Then I wrote <script>alert("x")</script> & "more".`)
	a, b := c.share(iv.ID), c.share(iv.ID)
	if len(a.Token) != 64 || strings.Trim(a.Token, "0123456789abcdef") != "" || a.URL != "/share/"+a.Token || a.Token == b.Token || a.CreatedAt.IsZero() {
		t.Fatalf("share = %+v and %+v", a, b)
	}

	resp, html := anyone.raw("GET", a.URL, "")
	page := string(html)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s = %d %s", a.URL, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"Ownership", "Transcript", "Checkout errors fell from 4.1% to 0.3% that night.",
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;more&#34;", "/static/share.css"} {
		if !strings.Contains(page, want) {
			t.Errorf("the shared page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Errorf("the shared page holds a script:\n%s", page)
	}
	for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if resp, css := anyone.raw("GET", "/static/share.css", ""); resp.StatusCode != 200 || !strings.Contains(string(css), ".turn") {
		t.Errorf("GET /static/share.css = %d", resp.StatusCode)
	}

	resp, body := anyone.raw("GET", "/api/v1/shared/"+b.Token, "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/shared = %d %s", resp.StatusCode, body)
	}
	var shared struct {
		Interview *agent.Interview `json:"interview"`
	}
	if err := json.Unmarshal(body, &shared); err != nil || shared.Interview == nil || shared.Interview.ID != iv.ID ||
		shared.Interview.Debrief == nil || len(shared.Interview.Turns) < 2 {
		t.Fatalf("shared JSON = %s, %v", body, err)
	}
	for _, leak := range []string{"owner_id", `"a-1"`, c.key[3:19]} { // owner ids, client ids, the key's id
		if strings.Contains(string(body), leak) {
			t.Errorf("the shared JSON holds %q: %s", leak, body)
		}
	}

	// Only the owner revokes, and revoking ends every link at once.
	stranger.wantError("DELETE", "/api/v1/interviews/"+iv.ID+"/share", 404, agent.ENOTFOUND)
	if resp, _ := anyone.raw("GET", a.URL, ""); resp.StatusCode != 200 {
		t.Errorf("a stranger's revoke ended the link: %d", resp.StatusCode)
	}
	anyone.wantError("DELETE", "/api/v1/interviews/"+iv.ID+"/share", 401, agent.EUNAUTHORIZED)
	if code := c.do("DELETE", "/api/v1/interviews/"+iv.ID+"/share", "", nil); code != 204 {
		t.Fatalf("revoke = %d", code)
	}
	for _, tok := range []string{a.Token, b.Token} {
		if resp, html := anyone.raw("GET", "/share/"+tok, ""); resp.StatusCode != 404 || !strings.Contains(string(html), "Link not found") {
			t.Errorf("a revoked link's page = %d", resp.StatusCode)
		}
		anyone.wantError("GET", "/api/v1/shared/"+tok, 404, agent.ENOTFOUND)
	}
	for _, tok := range []string{strings.Repeat("0", 64), "short", strings.Repeat("g", 64)} {
		anyone.wantError("GET", "/api/v1/shared/"+tok, 404, agent.ENOTFOUND)
	}

	// Deleting the interview ends its links too.
	d := c.share(iv.ID)
	if resp, _ := anyone.raw("GET", d.URL, ""); resp.StatusCode != 200 {
		t.Fatalf("a new link after revoking = %d", resp.StatusCode)
	}
	if code := c.do("DELETE", "/api/v1/interviews/"+iv.ID, "", nil); code != 204 {
		t.Fatal(code)
	}
	anyone.wantError("GET", "/api/v1/shared/"+d.Token, 404, agent.ENOTFOUND)
	c.wantError("POST", "/api/v1/interviews/"+iv.ID+"/share", 404, agent.ENOTFOUND)
}

func TestProgressExportErase(t *testing.T) { forEachStore(t, testProgressExportErase) }

// testProgressExportErase reads a key's progress and export, then erases
// its data, and does the same for a browser.
func testProgressExportErase(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	base := m.Server.URL()
	c := newKeyClient(t, base, cliKey(t, storeArgs, "practiser"))
	other := newKeyClient(t, base, cliKey(t, storeArgs, "other"))
	keep := other.answered(`["ownership"]`, strongAnswer)

	second := "Last year I owned the migration of our billing jobs to a new scheduler after two missed runs cost us a day of invoices. " + strongAnswer
	first := c.answered(`["ownership","dive-deep"]`, strongAnswer)
	later := c.answered(`["ownership"]`, second)
	c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`) // in progress: not in progress points

	var prog agent.Progress
	if code := c.do("GET", "/api/v1/progress", "", &prog); code != 200 {
		t.Fatalf("progress = %d", code)
	}
	if len(prog.Principles) != 1 {
		t.Fatalf("progress = %+v, want ownership alone (dive-deep was never answered)", prog)
	}
	own := prog.Principles[0]
	if own.ID != "ownership" || own.Name != "Ownership" || len(own.Points) != 2 || len(own.Stories) != 2 {
		t.Fatalf("ownership progress = %+v", own)
	}
	if own.Points[0].InterviewID != first.ID || own.Points[1].InterviewID != later.ID || own.Points[0].Score < 1 ||
		own.Points[0].Rating != agent.RatingForScore(own.Points[0].Score) || own.Points[1].At.Before(own.Points[0].At) {
		t.Errorf("points = %+v", own.Points)
	}
	if s := own.Stories[1].Opening; !strings.HasPrefix(second, strings.TrimSuffix(s, "…")) || len([]rune(s)) > 200 || !strings.HasSuffix(s, "…") {
		t.Errorf("opening of the second story = %q", s)
	}
	if own.Stories[0].InterviewID != first.ID || !strings.HasPrefix(strongAnswer, strings.TrimSuffix(own.Stories[0].Opening, "…")) {
		t.Errorf("first story = %+v", own.Stories[0])
	}

	resp, body := c.raw("GET", "/api/v1/export", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename="barraiser-export.json"` {
		t.Fatalf("export = %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	var export struct {
		ExportedAt time.Time `json:"exported_at"`
		Owner      struct {
			Kind    string `json:"kind"`
			KeyName string `json:"key_name"`
		} `json:"owner"`
		Interviews []agent.Interview `json:"interviews"`
	}
	if err := json.Unmarshal(body, &export); err != nil {
		t.Fatal(err)
	}
	if export.ExportedAt.IsZero() || export.Owner.Kind != "api_key" || export.Owner.KeyName != "practiser" || len(export.Interviews) != 3 {
		t.Fatalf("export = %+v", export)
	}
	if e := export.Interviews[0]; e.ID != first.ID || e.Debrief == nil || len(e.Turns) < 2 || e.Turns[1].Text != strongAnswer {
		t.Errorf("the first exported interview = %+v", e)
	}
	if strings.Contains(string(body), keep.ID) {
		t.Error("the export holds another owner's interview")
	}

	// Erasing: the data goes, the key stays.
	link := c.share(later.ID)
	if code := c.do("DELETE", "/api/v1/me", "", nil); code != 204 {
		t.Fatalf("DELETE /me = %d", code)
	}
	if ids := c.list("").ids(); len(ids) != 0 {
		t.Errorf("after erasing, the list holds %v", ids)
	}
	c.wantError("GET", "/api/v1/interviews/"+first.ID, 404, agent.ENOTFOUND)
	(&client{t: t, base: base, http: &http.Client{Timeout: 30 * time.Second}}).wantError("GET", "/api/v1/shared/"+link.Token, 404, agent.ENOTFOUND)
	if code := c.do("GET", "/api/v1/progress", "", &prog); code != 200 || len(prog.Principles) != 0 {
		t.Errorf("progress after erasing = %d %+v", code, prog)
	}
	if code := c.do("GET", "/api/v1/me", "", nil); code != 200 {
		t.Errorf("the key after erasing its data: %d", code)
	}
	if ids := other.list("").ids(); !slices.Equal(ids, []string{keep.ID}) {
		t.Errorf("another owner's list after erasing = %v", ids)
	}

	// A browser's erase also clears its cookie.
	browser := newClient(t, base)
	browser.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	resp, _ = browser.raw("DELETE", "/api/v1/me", "")
	if resp.StatusCode != 204 {
		t.Fatalf("browser DELETE /me = %d", resp.StatusCode)
	}
	cleared := false
	for _, ck := range resp.Cookies() {
		cleared = cleared || ck.Name == web.OwnerCookie && ck.MaxAge < 0
	}
	if !cleared {
		t.Errorf("DELETE /me set cookies %v, want %s cleared", resp.Header.Values("Set-Cookie"), web.OwnerCookie)
	}
	browser.wantError("GET", "/api/v1/interviews", 401, agent.EUNAUTHORIZED)
}

func TestShareTokenNotLogged(t *testing.T) { forEachStore(t, testShareTokenNotLogged) }

// testShareTokenNotLogged uses share links every way, good and bad, with
// the server logging at debug level: the log names the routes and never
// holds a token.
func testShareTokenNotLogged(t *testing.T, storeArgs []string) {
	var log syncBuffer
	m := startWith(t, storeArgs, nil, &log)
	base := m.Server.URL()
	c := newKeyClient(t, base, cliKey(t, storeArgs, "logged"))
	anyone := &client{t: t, base: base, http: &http.Client{Timeout: 30 * time.Second}}
	iv := c.answered(`["ownership"]`, strongAnswer)
	live, revoked := c.share(iv.ID), c.share(iv.ID)
	tokens := []string{live.Token, revoked.Token}

	for _, path := range []string{live.URL, "/api/v1/shared/" + live.Token} {
		if resp, _ := anyone.raw("GET", path, ""); resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		if resp, _ := anyone.raw("POST", path, ""); resp.StatusCode != 405 {
			t.Errorf("POST %s = %d, want 405", path, resp.StatusCode)
		}
	}
	if code := c.do("DELETE", "/api/v1/interviews/"+iv.ID+"/share", "", nil); code != 204 {
		t.Fatal(code)
	}
	unknown := agent.NewShareToken()
	tokens = append(tokens, unknown)
	for _, tok := range []string{revoked.Token, unknown, "not-a-token-" + unknown} {
		for _, path := range []string{"/share/" + tok, "/api/v1/shared/" + tok} {
			if resp, _ := anyone.raw("GET", path, ""); resp.StatusCode != 404 {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
		}
	}
	m.Close() // every request is logged once it is served

	out := log.String()
	for _, route := range []string{"route=/share/:token", "route=/api/v1/shared/:token", "status=404", "status=405"} {
		if !strings.Contains(out, route) {
			t.Errorf("the debug log lacks %q, so it proves nothing:\n%s", route, out)
		}
	}
	for _, tok := range tokens {
		if strings.Contains(out, tok) || strings.Contains(out, tok[:16]) {
			t.Errorf("the log holds a share token:\n%s", out)
		}
	}
}
