package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
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

// dialWith opens a WebSocket on path of base with header, as a script
// would, and returns the refusal's status when the upgrade fails.
func dialWith(t *testing.T, base, path string, header http.Header) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial: %v", err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { conn.CloseNow() })
	conn.SetReadLimit(1 << 20) // a session frame may carry a long focus
	readType(t, conn, "session")
	return conn, http.StatusSwitchingProtocols
}

// closeError reads until the connection closes and returns the close
// frame's status and reason.
func closeError(t *testing.T, conn *websocket.Conn, within time.Duration) websocket.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("read ended without a close frame: %v", err)
			}
			return ce
		}
	}
}

func TestRequestLimits(t *testing.T) { forEachStore(t, testRequestLimits) }

// testRequestLimits checks the size limits of request bodies, HTTP
// answers and WebSocket frames: a 10,000-character focus and an
// 8,000-character answer fit, one character more is refused with its
// code, and bodies and frames over their limits get 413 and 1009.
func testRequestLimits(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	base := m.Server.URL()
	key := cliKey(t, storeArgs, "sizes")
	c := newKeyClient(t, base, key)
	// Four bytes a character: 40,000 bytes of focus fit in the 64 KiB.
	focus, _ := json.Marshal(strings.Repeat("😀", agent.MaxFocusRunes))
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"],"focus":` + string(focus) + `}`)

	// Plain requests, so that the contract check sees no bodies on routes
	// that take none.
	post := func(path, contentType string, body io.Reader, length int64) (int, errorBody) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, body)
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e errorBody
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e
	}
	big := `{"answer":"` + strings.Repeat("a", 65<<10) + `"}`
	ivPath := "/api/v1/interviews/" + iv.ID
	bodies := []struct {
		name, path string
		body       string
		chunked    bool
		want       int
		code       string
	}{
		{"create over 64 KiB", "/api/v1/interviews", big, false, 413, "body_too_large"},
		{"next over 64 KiB", ivPath + "/next", big, false, 413, "body_too_large"},
		{"next over 64 KiB, chunked", ivPath + "/next", big, true, 413, "body_too_large"},
		{"end with a 2 KiB body", ivPath + "/end", strings.Repeat(" ", 2<<10), false, 413, "body_too_large"},
		{"share with a 2 KiB body", ivPath + "/share", strings.Repeat(" ", 2<<10), false, 413, "body_too_large"},
		{"session over 4 KiB", "/api/v1/session", `{"key":"` + strings.Repeat("k", 5<<10) + `"}`, false, 413, "body_too_large"},
		{"answer one character too long", ivPath + "/next", `{"answer":"` + strings.Repeat("ü", agent.MaxAnswerRunes+1) + `"}`, false, 400, "answer_too_long"},
	}
	for _, b := range bodies {
		length := int64(len(b.body))
		var r io.Reader = strings.NewReader(b.body)
		if b.chunked {
			length, r = -1, io.MultiReader(r) // hides the length: sent chunked
		}
		if code, e := post(b.path, "application/json", r, length); code != b.want || e.Error.Code != b.code {
			t.Errorf("%s: %d %+v, want %d %s", b.name, code, e, b.want, b.code)
		}
	}
	var next struct {
		Ack *int `json:"ack"`
	}
	if code := c.do("POST", ivPath+"/next", `{}`, &next); code != 200 {
		t.Fatalf("first next = %d", code)
	}
	var got agent.Interview
	if code := c.do("GET", ivPath, "", &got); code != 200 || got.MaxAnswerChars != agent.MaxAnswerRunes {
		t.Errorf("GET without the setting: %d, max_answer_chars %d, want %d", code, got.MaxAnswerChars, agent.MaxAnswerRunes)
	}
	if code := c.do("POST", ivPath+"/next", `{"answer":"`+strings.Repeat("ü", agent.MaxAnswerRunes)+`","client_id":"max"}`, &next); code != 200 || next.Ack == nil || *next.Ack != 2 {
		t.Fatalf("an answer of exactly the limit: %d %+v", code, next)
	}

	// Over the WebSocket: one character too many is a soft error; a frame
	// over 64 KiB closes with 1009 and a short reason.
	conn, _ := dialWith(t, base, iv.WSURL, http.Header{"Authorization": {"Bearer " + key}})
	readType(t, conn, "question")
	send(t, conn, answer(strings.Repeat("ü", agent.MaxAnswerRunes+1), "long"))
	if f := readType(t, conn, "error"); f.Code != "answer_too_long" {
		t.Errorf("long answer on the socket: %+v", f)
	}
	closed := make(chan websocket.CloseError, 1)
	go func() { closed <- closeError(t, conn, 10*time.Second) }()
	_ = conn.Write(context.Background(), websocket.MessageText, []byte(`{"type":"answer","text":"`+strings.Repeat("a", 65<<10)+`"}`))
	if ce := <-closed; ce.Code != websocket.StatusMessageTooBig || ce.Reason == "" || len(ce.Reason) > 123 {
		t.Errorf("a 65 KiB frame: close %d %q, want 1009 with a short reason", ce.Code, ce.Reason)
	}
}

// TestIdleTimeout checks that a WebSocket whose client sends nothing for
// IDLE_TIMEOUT is closed with 1000 "idle", and that any frame keeps it
// open.
func TestIdleTimeout(t *testing.T) {
	dir := t.TempDir()
	m := startArgs(t, []string{"-data-dir", dir, "-idle-timeout", "700ms"})
	c := newClient(t, m.Server.URL())
	quiet, chatty := c.create(`{"role":"sde","level":"L5"}`), c.create(`{"role":"sde","level":"L5"}`)
	conn, _ := c.open(chatty.WSURL)
	readType(t, conn, "question")
	silent, _ := c.open(quiet.WSURL)
	readType(t, silent, "question")
	start := time.Now()
	// Frames every 300 ms for twice the timeout keep chatty open.
	for time.Since(start) < 1400*time.Millisecond {
		time.Sleep(300 * time.Millisecond)
		send(t, conn, map[string]string{"type": "hello"})
		if f := readType(t, conn, "error"); f.Code != "unknown_type" {
			t.Fatalf("kept alive: %+v", f)
		}
	}
	if ce := closeError(t, silent, 5*time.Second); ce.Code != websocket.StatusNormalClosure || ce.Reason != "idle" {
		t.Errorf("silent connection: close %d %q, want 1000 idle", ce.Code, ce.Reason)
	}
	if ce := closeError(t, conn, 5*time.Second); ce.Code != websocket.StatusNormalClosure || ce.Reason != "idle" {
		t.Errorf("chatty connection once silent: close %d %q, want 1000 idle", ce.Code, ce.Reason)
	}
}

// TestWebSocketsPerIP checks the cap on WebSockets from one client
// address: the next upgrade gets 429 too_many_connections until one
// closes. Behind TRUST_PROXY the address is X-Forwarded-For's; without
// it that header changes nothing.
func TestWebSocketsPerIP(t *testing.T) {
	tests := []struct {
		name  string
		trust bool
		// forwarded are the X-Forwarded-For of the two connections at
		// the cap, of the one refused, and of one from elsewhere.
		atCap     []string
		refused   string
		elsewhere string
		wantElse  int
	}{
		{"direct, forwarded headers ignored", false, []string{"203.0.113.1", "203.0.113.2"}, "203.0.113.3", "198.51.100.7", 429},
		{"behind a trusted proxy", true, []string{"203.0.113.1", "203.0.113.1"}, "203.0.113.1", "198.51.100.7, 10.0.0.2", 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			store := []string{"-data-dir", dir}
			m := startArgs(t, append([]string{"-ws-per-ip", "2", "-trust-proxy", strconv.FormatBool(tt.trust)}, store...))
			key := cliKey(t, store, "office")
			c := newKeyClient(t, m.Server.URL(), key)
			header := func(xff string) http.Header {
				return http.Header{"Authorization": {"Bearer " + key}, "X-Forwarded-For": {xff}}
			}
			ivs := make([]created, 4)
			for i := range ivs {
				ivs[i] = c.create(`{"role":"sde","level":"L5"}`)
			}
			first, _ := dialWith(t, m.Server.URL(), ivs[0].WSURL, header(tt.atCap[0]))
			dialWith(t, m.Server.URL(), ivs[1].WSURL, header(tt.atCap[1]))
			req, _ := http.NewRequest("GET", m.Server.URL()+ivs[2].WSURL, nil)
			req.Header = header(tt.refused)
			for k, v := range map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var e errorBody
			_ = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			if resp.StatusCode != 429 || e.Error.Code != "too_many_connections" || e.Error.Message == "" {
				t.Fatalf("over the cap: %d %+v", resp.StatusCode, e)
			}
			if _, code := dialWith(t, m.Server.URL(), ivs[3].WSURL, header(tt.elsewhere)); code != tt.wantElse {
				t.Errorf("from %s: %d, want %d", tt.elsewhere, code, tt.wantElse)
			}
			if tt.wantElse == 101 {
				return
			}
			first.Close(websocket.StatusNormalClosure, "")
			deadline := time.Now().Add(5 * time.Second)
			for {
				conn, code := dialWith(t, m.Server.URL(), ivs[2].WSURL, header(tt.refused))
				if code == 101 {
					conn.CloseNow()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after one closed: %d", code)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// TestFrameRate checks the per-connection frame rate: frames over it get
// a rate_limited error frame and are not served, a client that waits may
// go on, and one that keeps flooding is closed with 1008.
func TestFrameRate(t *testing.T) {
	dir := t.TempDir()
	m := startArgs(t, []string{"-data-dir", dir, "-ws-frame-rate", "10"})
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	bad := map[string]string{"type": "hello"}
	for i := range 10 {
		send(t, conn, bad)
		if f := readType(t, conn, "error"); f.Code != "unknown_type" {
			t.Fatalf("frame %d within the rate: %+v", i+1, f)
		}
	}
	send(t, conn, answer(vagueAnswer, "over"))
	if f := readType(t, conn, "error"); f.Code != "rate_limited" || f.Message == "" {
		t.Fatalf("frame over the rate: %+v", f)
	}
	// Ten frames every 10 s is one a second.
	time.Sleep(1200 * time.Millisecond)
	send(t, conn, answer(vagueAnswer, "over"))
	if ack := readType(t, conn, "ack"); ack.Seq != 2 {
		t.Fatalf("after a wait: %+v, want the answer stored as seq 2, the refused one never", ack)
	}
	readType(t, conn, "question")
	for range 11 {
		send(t, conn, bad)
	}
	for i := range 11 {
		if f := readType(t, conn, "error"); f.Code != "rate_limited" {
			t.Fatalf("flood frame %d: %+v", i+1, f)
		}
	}
	if ce := closeError(t, conn, 5*time.Second); ce.Code != websocket.StatusPolicyViolation {
		t.Errorf("flooding: close %d %q, want 1008", ce.Code, ce.Reason)
	}
}

func TestConfiguredSizeLimits(t *testing.T) { forEachStore(t, testConfiguredSizeLimits) }

// testConfiguredSizeLimits checks MAX_ANSWER_CHARS, MAX_MESSAGE_BYTES and
// MAX_BODY_BYTES set below their defaults: both transports refuse an
// answer one character over the limit, storing nothing, and take one of
// exactly the limit; the interview tells clients the limit; a socket
// message or a POST …/next body over the message limit is refused, and so
// is a request body over the body limit.
func testConfiguredSizeLimits(t *testing.T, storeArgs []string) {
	const limit = 50
	m := startArgs(t, append([]string{"-max-answer-chars", strconv.Itoa(limit), "-max-message-bytes", "2048", "-max-body-bytes", "4096"}, storeArgs...))
	base := m.Server.URL()
	key := cliKey(t, storeArgs, "small")
	c := newKeyClient(t, base, key)
	// Emoji take four bytes each, so that the characters are counted, not
	// the bytes.
	text := func(n int) string { return strings.Repeat("😀", n) }
	turns := func(id string) []agent.Turn {
		t.Helper()
		var iv agent.Interview
		if code := c.do("GET", "/api/v1/interviews/"+id, "", &iv); code != 200 {
			t.Fatalf("get = %d", code)
		}
		if iv.MaxAnswerChars != limit {
			t.Errorf("GET says max_answer_chars %d, want %d", iv.MaxAnswerChars, limit)
		}
		return iv.Turns
	}
	tests := []struct {
		name      string
		socket    bool
		chars     int
		wantError string // empty: the answer is stored as seq 2
	}{
		{"socket, one character over", true, limit + 1, "answer_too_long"},
		{"socket, exactly the limit", true, limit, ""},
		{"next, one character over", false, limit + 1, "answer_too_long"},
		{"next, exactly the limit", false, limit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
			path := "/api/v1/interviews/" + iv.ID
			var got string // the error code, or "" for an answer stored as seq 2
			if tt.socket {
				conn, session := c.open(iv.WSURL)
				if session.Interview == nil || session.Interview.MaxAnswerChars != limit {
					t.Errorf("session frame: %+v, want max_answer_chars %d", session.Interview, limit)
				}
				readType(t, conn, "question")
				send(t, conn, answer(text(tt.chars), "a"))
				switch f := read(t, conn); {
				case f.Type == "error":
					got = f.Code
				case f.Type != "ack" || f.Seq != 2:
					t.Fatalf("after the answer: %+v", f)
				}
			} else {
				if code := c.do("POST", path+"/next", `{}`, nil); code != 200 {
					t.Fatalf("first next = %d", code)
				}
				var res struct {
					Ack *int `json:"ack"`
					errorBody
				}
				code := c.do("POST", path+"/next", `{"answer":"`+text(tt.chars)+`","client_id":"a"}`, &res)
				got = res.Error.Code
				if got == "" && (code != 200 || res.Ack == nil || *res.Ack != 2) {
					t.Fatalf("next: %d %+v", code, res)
				}
				if got != "" && code != 400 {
					t.Errorf("next: %d %s, want 400", code, got)
				}
			}
			if got != tt.wantError {
				t.Fatalf("answer of %d characters: error %q, want %q", tt.chars, got, tt.wantError)
			}
			// A refused answer leaves the question alone; a stored one
			// is seq 2, whatever question may follow it.
			ts := turns(iv.ID)
			switch {
			case tt.wantError != "" && len(ts) != 1:
				t.Errorf("after a refused answer the transcript has %d turns, want the question alone: %+v", len(ts), ts)
			case tt.wantError == "" && (len(ts) < 2 || ts[1].Speaker != agent.SpeakerCandidate || ts[1].Text != text(tt.chars)):
				t.Errorf("the answer was not stored as seq 2: %+v", ts)
			}
		})
	}

	// Over MAX_BODY_BYTES: a 5 KiB focus is refused whole.
	var e errorBody
	long := `{"role":"sde","level":"L5","focus":"` + strings.Repeat("a", 5<<10) + `"}`
	if code := c.do("POST", "/api/v1/interviews", long, &e); code != 413 || e.Error.Code != "body_too_large" {
		t.Errorf("a 5 KiB body on create: %d %+v, want 413 body_too_large", code, e)
	}

	// Over the message limit: a 3 KiB body on /next, and a 3 KiB message
	// on the socket, which closes it with 1009.
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	e = errorBody{}
	big := `{"answer":"` + strings.Repeat("a", 3<<10) + `"}`
	if code := c.do("POST", "/api/v1/interviews/"+iv.ID+"/next", big, &e); code != 413 || e.Error.Code != "body_too_large" {
		t.Errorf("a 3 KiB body on next: %d %+v, want 413 body_too_large", code, e)
	}
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	closed := make(chan websocket.CloseError, 1)
	go func() { closed <- closeError(t, conn, 10*time.Second) }()
	_ = conn.Write(context.Background(), websocket.MessageText, []byte(big))
	if ce := <-closed; ce.Code != websocket.StatusMessageTooBig {
		t.Errorf("a 3 KiB frame: close %d %q, want 1009", ce.Code, ce.Reason)
	}
	if ts := turns(iv.ID); len(ts) != 1 {
		t.Errorf("after the refused body and frame: %d turns, want the question alone", len(ts))
	}
}

// TestBrowserAnswerLimit checks that the page takes the answer limit from
// the server: its counter shows the configured MAX_ANSWER_CHARS, and an
// answer over it cannot be sent.
func TestBrowserAnswerLimit(t *testing.T) {
	ctx := newBrowser(t)
	m := startArgs(t, []string{"-data-dir", t.TempDir(), "-max-answer-chars", "50", "-max-message-bytes", "2048"})
	if err := chromedp.Do(ctx, chromedp.Navigate(m.Server.URL()+"/"), chromedp.Click(tid("quick-start")),
		chromedp.WaitVisible(tid("question"))); err != nil {
		t.Fatalf("quick start: %v", err)
	}
	roomWait(t, ctx, "the counter shows the configured limit",
		`document.querySelector('[data-testid="answer-count"]').textContent === '0 / 50'`)
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(tid("answer-input")),
		chromedp.SendKeys(tid("answer-input"), strings.Repeat("x", 51))); err != nil {
		t.Fatal(err)
	}
	roomWait(t, ctx, "one character over the limit cannot be sent",
		`document.querySelector('[data-testid="answer-count"]').textContent === '51 / 50'
		&& document.querySelector('[data-testid="send"]').disabled`)
}
