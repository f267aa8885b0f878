package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOriginAllowlist checks that a WebSocket from a foreign Origin is
// refused with 403, and that the server's own origin and a configured one
// are accepted.
func TestOriginAllowlist(t *testing.T) {
	m := startArgs(t, []string{"-data-dir", t.TempDir(), "-allowed-origins", "coach.example"})
	c := newClient(t, m.Server.URL())
	tests := []struct {
		origin string
		want   int
	}{
		{"https://evil.example", 403},
		{"https://coach.example.evil.example", 403},
		{"https://coach.example", 101},
		{m.Server.URL(), 101},
	}
	for _, tt := range tests {
		iv := c.create(`{"role":"sde","level":"L5"}`)
		conn, resp, err := c.dial(iv.WSURL, tt.origin)
		got := 101
		if err != nil {
			if resp == nil {
				t.Fatalf("%s: %v", tt.origin, err)
			}
			got = resp.StatusCode
		} else {
			conn.CloseNow()
		}
		if got != tt.want {
			t.Errorf("Origin %s: %d, want %d", tt.origin, got, tt.want)
		}
	}
}

// TestOwnerCookieSecure checks that the owner cookie is Secure over TLS,
// and behind a proxy that says X-Forwarded-Proto: https only when
// TRUST_PROXY is set.
func TestOwnerCookieSecure(t *testing.T) {
	plain := startArgs(t, []string{"-data-dir", t.TempDir()})
	proxied := startArgs(t, []string{"-data-dir", t.TempDir(), "-trust-proxy", "true"})
	tlsSrv := httptest.NewTLSServer(plain.Server.Handler())
	t.Cleanup(tlsSrv.Close)
	tests := []struct {
		name, base string
		forwarded  string
		client     *http.Client
		secure     bool
	}{
		{"plain HTTP", plain.Server.URL(), "", http.DefaultClient, false},
		{"forwarded https, proxy not trusted", plain.Server.URL(), "https", http.DefaultClient, false},
		{"forwarded https, proxy trusted", proxied.Server.URL(), "https", http.DefaultClient, true},
		{"forwarded http, proxy trusted", proxied.Server.URL(), "http", http.DefaultClient, false},
		{"TLS", tlsSrv.URL, "", tlsSrv.Client(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", tt.base+"/", nil)
			if tt.forwarded != "" {
				req.Header.Set("X-Forwarded-Proto", tt.forwarded)
			}
			resp, err := tt.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var found bool
			for _, ck := range resp.Cookies() {
				if ck.Name == "br_owner" {
					found = true
					if ck.Secure != tt.secure || !ck.HttpOnly {
						t.Errorf("cookie Secure=%v HttpOnly=%v, want Secure=%v and HttpOnly", ck.Secure, ck.HttpOnly, tt.secure)
					}
				}
			}
			if !found {
				t.Errorf("no owner cookie in %v", resp.Header["Set-Cookie"])
			}
		})
	}
}

// TestSecurityHeaders fetches every static route, API answers, a share
// page and error pages, and checks the headers that stop sniffing,
// framing and full referrers on each.
func TestSecurityHeaders(t *testing.T) {
	forEachStore(t, func(t *testing.T, storeArgs []string) {
		m := startArgs(t, storeArgs)
		base := m.Server.URL()
		c := newClient(t, base)
		iv := c.create(`{"role":"sde","level":"L5"}`)
		share := c.share(iv.ID)
		paths := []struct {
			method, path string
			want         int
		}{
			{"GET", "/", 200},
			{"GET", "/favicon.ico", 200},
			{"GET", "/static/app.css", 200},
			{"GET", "/static/js/main.js", 200},
			{"GET", "/static/favicon.svg", 200},
			{"GET", "/static/missing.js", 404},
			{"GET", "/healthz", 200},
			{"GET", "/readyz", 200},
			{"GET", "/api/v1/openapi.json", 200},
			{"GET", "/api/v1/me", 200},
			{"GET", "/api/v1/interviews/" + iv.ID, 200},
			{"GET", "/api/v1/interviews/nope", 404},
			{"GET", "/api/v1/shared/" + share.Token, 200},
			{"GET", share.URL, 200},
			{"GET", "/share/" + strings.Repeat("0", 64), 404},
			{"GET", "/no/such/page", 404},
			{"POST", "/healthz", 405},
		}
		for _, p := range paths {
			resp, body := c.raw(p.method, p.path, "")
			if resp.StatusCode != p.want {
				t.Errorf("%s %s = %d, want %d: %.200s", p.method, p.path, resp.StatusCode, p.want, body)
			}
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" {
				t.Errorf("%s %s: nosniff %q, X-Frame-Options %q, Referrer-Policy %q", p.method, p.path,
					h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"), h.Get("Referrer-Policy"))
			}
			if csp := h.Get("Content-Security-Policy"); strings.HasPrefix(h.Get("Content-Type"), "text/html") && !strings.Contains(csp, "default-src") {
				t.Errorf("%s %s: an HTML page with CSP %q", p.method, p.path, csp)
			}
		}
		// The app's page keeps its policy and refuses framing in it too.
		resp, _ := c.raw("GET", "/", "")
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("/ CSP %q", csp)
		}
	})
}
