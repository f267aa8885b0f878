package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/store/sqlite"
	"github.com/barraiser/barraiser/web"
)

func TestErrorStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{agent.Errorf(agent.ENOTFOUND, "x"), 404},
		{agent.Errorf(agent.EUNAUTHORIZED, "x"), 401},
		{agent.Errorf(agent.ECONFLICT, "x"), 409},
		{agent.Errorf(agent.EINVALIDROLE, "x"), 400},
		{fmt.Errorf("wrapped: %w", agent.Errorf(agent.EFOCUSTOOLONG, "x")), 400},
		{errors.New("disk on fire"), 500},
		{agent.Errorf(agent.EBUSY, "x"), 503},
	}
	for _, tt := range tests {
		if got := web.ErrorStatus(tt.err); got != tt.want {
			t.Errorf("ErrorStatus(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	return newServerWith(t, func(*web.Server) {})
}

// newServerWith is newServer with set applied to the server before its
// first request.
func newServerWith(t *testing.T, set func(*web.Server)) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := retrieval.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := retrieval.NewMemory(ctx, c, retrieval.Hash{}, db)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := web.NewServer(agent.NewService(db, idx, logger), logger)
	set(s)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func TestIndexSetsOwnerCookie(t *testing.T) {
	ts := newServer(t)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == web.OwnerCookie {
			ck = c
		}
	}
	if ck == nil || len(ck.Value) != 32 || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("owner cookie %+v", ck)
	}
	// A request that already has one keeps it.
	req, _ := http.NewRequest("GET", ts.URL+"/", nil)
	req.AddCookie(ck)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 0 {
		t.Errorf("cookie reissued: %v", resp.Cookies())
	}
}

func TestErrorsAreJSON(t *testing.T) {
	ts := newServer(t)
	owner := &http.Cookie{Name: web.OwnerCookie, Value: strings.Repeat("ab", 16)}
	tests := []struct {
		name, method, path, body string
		cookie                   *http.Cookie
		status                   int
		code                     string
	}{
		{"no cookie", "GET", "/api/v1/interviews", "", nil, 401, "unauthorized"},
		{"malformed cookie", "GET", "/api/v1/interviews", "", &http.Cookie{Name: web.OwnerCookie, Value: "nope"}, 401, "unauthorized"},
		{"unknown interview", "GET", "/api/v1/interviews/nope", "", owner, 404, "not_found"},
		{"unknown route", "GET", "/api/v1/nothing", "", owner, 404, "not_found"},
		{"body too large", "POST", "/api/v1/interviews", `{"focus":"` + strings.Repeat("a", 70<<10) + `"}`, owner, 413, "body_too_large"},
		{"body too large, sent without a length", "POST", "/api/v1/interviews", "chunked:" + `{"focus":"` + strings.Repeat("a", 70<<10) + `"}`,
			owner, 413, "body_too_large"},
		{"wrong method", "PUT", "/api/v1/interviews", "{}", owner, 405, "method_not_allowed"},
		{"wrong method on an interview", "PUT", "/api/v1/interviews/abc", "", owner, 405, "method_not_allowed"},
		{"wrong method, no cookie", "PATCH", "/api/v1/principles", "", nil, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if rest, ok := strings.CutPrefix(tt.body, "chunked:"); ok {
				// A reader of unknown length: the client sends it chunked.
				body = io.MultiReader(strings.NewReader(rest))
			}
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, body)
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(b), `"code":"`+tt.code+`"`) || !strings.Contains(string(b), `"message":`) {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, resp.StatusCode, b, tt.status, tt.code)
			}
			if allow := resp.Header.Get("Allow"); tt.status == http.StatusMethodNotAllowed && !strings.Contains(allow, "GET") {
				t.Errorf("%s %s: Allow = %q, want the path's methods", tt.method, tt.path, allow)
			}
		})
	}
}

func TestStaticAndPrinciples(t *testing.T) {
	ts := newServer(t)
	for _, p := range []string{"/static/js/main.js", "/static/app.css"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d", p, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/principles", nil)
	req.AddCookie(&http.Cookie{Name: web.OwnerCookie, Value: strings.Repeat("cd", 16)})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Count(string(b), `"id":`) != 16 {
		t.Errorf("principles = %d %.200s", resp.StatusCode, b)
	}
}
