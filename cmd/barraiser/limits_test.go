package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestRateLimit checks that an owner over its request rate gets 429 with
// Retry-After and the error body, and that other owners do not.
func TestRateLimit(t *testing.T) {
	dir := t.TempDir()
	store := []string{"-data-dir", dir}
	m := startArgs(t, append([]string{"-rate-limit", "6", "-rate-burst", "3"}, store...))
	a := newKeyClient(t, m.Server.URL(), cliKey(t, store, "busy"))
	b := newKeyClient(t, m.Server.URL(), cliKey(t, store, "calm"))
	for i := range 3 {
		if code := a.do("GET", "/api/v1/me", "", nil); code != 200 {
			t.Fatalf("request %d = %d, want 200 within the burst", i+1, code)
		}
	}
	req, _ := http.NewRequest("GET", m.Server.URL()+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+a.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	// Six a minute is one every ten seconds.
	if resp.StatusCode != 429 || retry < 1 || retry > 10 {
		t.Fatalf("over the burst: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	var e errorBody
	if code := a.do("GET", "/api/v1/me", "", &e); code != 429 || e.Error.Code != "rate_limited" || e.Error.Message == "" {
		t.Errorf("over the burst: %d %+v", code, e)
	}
	if code := b.do("GET", "/api/v1/me", "", nil); code != 200 {
		t.Errorf("another owner = %d, want 200", code)
	}
}

// TestCORS checks that allowed origins may call the API with a key, and
// that credentials are never allowed across origins.
func TestCORS(t *testing.T) {
	dir := t.TempDir()
	m := startArgs(t, []string{"-data-dir", dir, "-api-cors-origins", "https://coach.example"})
	key := cliKey(t, []string{"-data-dir", dir}, "coach")
	tests := []struct {
		name, method, origin string
		preflight            bool
		wantStatus           int
		wantAllow            string
	}{
		{"preflight from an allowed origin", "OPTIONS", "https://coach.example", true, 204, "https://coach.example"},
		{"preflight from another origin", "OPTIONS", "https://evil.example", true, 204, ""}, // Echo answers OPTIONS itself, without CORS headers
		{"request from an allowed origin", "GET", "https://coach.example", false, 200, "https://coach.example"},
		{"request from another origin", "GET", "https://evil.example", false, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, m.Server.URL()+"/api/v1/me", nil)
			req.Header.Set("Origin", tt.origin)
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", "GET")
				req.Header.Set("Access-Control-Request-Headers", "authorization")
			} else {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != tt.wantStatus || h.Get("Access-Control-Allow-Origin") != tt.wantAllow {
				t.Errorf("%d, Allow-Origin %q; want %d, %q", resp.StatusCode, h.Get("Access-Control-Allow-Origin"), tt.wantStatus, tt.wantAllow)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("credentials allowed cross-origin: %q", h.Get("Access-Control-Allow-Credentials"))
			}
			if tt.preflight && tt.wantAllow != "" && !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("preflight allows headers %q", h.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}

// TestSessionNeedsJSON checks that POST /session takes only a JSON body,
// which a form on another site cannot send.
func TestSessionNeedsJSON(t *testing.T) {
	dir := t.TempDir()
	m := startArgs(t, []string{"-data-dir", dir})
	key := cliKey(t, []string{"-data-dir", dir}, "form")
	resp, err := http.Post(m.Server.URL()+"/api/v1/session", "text/plain", strings.NewReader(`{"key":"`+key+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 415 || len(resp.Cookies()) != 0 {
		t.Errorf("text/plain session = %d with cookies %v, want 415 and none", resp.StatusCode, resp.Cookies())
	}
}

// TestOpenInterviewQuota checks that an owner at its quota of interviews
// in progress gets 429 too_many_interviews with Retry-After, and may start
// another once one ends.
func TestOpenInterviewQuota(t *testing.T) {
	dir := t.TempDir()
	store := []string{"-data-dir", dir}
	m := startArgs(t, append([]string{"-max-open-interviews", "2"}, store...))
	c := newKeyClient(t, m.Server.URL(), cliKey(t, store, "eager"))
	body := `{"role":"sde","level":"L5","principles":["ownership"]}`
	first := c.create(body)
	c.create(body)
	req, _ := http.NewRequest("POST", m.Server.URL()+"/api/v1/interviews", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	// The oldest open interview stops counting a day after its last turn.
	if resp.StatusCode != 429 || retry < 86000 || retry > 86400 {
		t.Fatalf("third interview: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	var e errorBody
	if code := c.do("POST", "/api/v1/interviews", body, &e); code != 429 || e.Error.Code != "too_many_interviews" {
		t.Fatalf("third interview: %d %+v", code, e)
	}
	if code := c.do("POST", "/api/v1/interviews/"+first.ID+"/end", "", nil); code != 200 {
		t.Fatalf("end = %d", code)
	}
	c.create(body)
}
