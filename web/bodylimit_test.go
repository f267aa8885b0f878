package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/web"
)

// TestBodyLimits checks that MaxBodyBytes caps the body of the routes
// without a limit of their own, and lowers the smaller caps of the routes
// that take little or no body when it is below them.
func TestBodyLimits(t *testing.T) {
	focus := func(n int) string { return `{"role":"sde","level":"L5","focus":"` + strings.Repeat("a", n) + `"}` }
	tests := []struct {
		name         string
		maxBody      int64
		method, path string
		body         string
		status       int
	}{
		{"default limit takes a long focus", 0, "POST", "/api/v1/interviews", focus(9000), 201},
		{"a lower limit refuses it", 8 << 10, "POST", "/api/v1/interviews", focus(9000), 413},
		{"a lower limit takes a short one", 8 << 10, "POST", "/api/v1/interviews", focus(100), 201},
		{"a route without a body keeps its own cap", 0, "POST", "/api/v1/interviews/x/end", strings.Repeat(" ", 2<<10), 413},
		{"a small-body route keeps its own cap", 0, "POST", "/api/v1/session", strings.Repeat(" ", 5<<10), 413},
		{"a limit below a route's cap lowers it", 512, "POST", "/api/v1/session", strings.Repeat(" ", 600), 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newServerWith(t, func(s *web.Server) { s.MaxBodyBytes = tt.maxBody })
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.AddCookie(&http.Cookie{Name: web.OwnerCookie, Value: strings.Repeat("ef", 16)})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s with %d bytes = %d %s, want %d", tt.method, tt.path, len(tt.body), resp.StatusCode, b, tt.status)
			}
			if tt.status == 413 && !strings.Contains(string(b), `"code":"body_too_large"`) {
				t.Errorf("413 body %s, want code body_too_large", b)
			}
		})
	}
}
