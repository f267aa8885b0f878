package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/web"
	"github.com/coder/websocket"
)

// runCLI runs a barraiser command as the terminal would and returns what it
// printed.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// cliKey creates a key with the CLI, on the store args name, and returns
// it: the last line printed.
func cliKey(t *testing.T, storeArgs []string, name string) string {
	t.Helper()
	out, err := runCLI(t, append([]string{"keys", "create", name}, storeArgs...)...)
	if err != nil {
		t.Fatalf("keys create %s: %v\n%s", name, err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	key := lines[len(lines)-1]
	if !strings.HasPrefix(key, "br_") || strings.Contains(strings.Join(lines[:len(lines)-1], "\n"), key[20:]) {
		t.Fatalf("keys create printed %q", out)
	}
	return key
}

// errorCode returns the code of an error body.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestAPIKeys(t *testing.T) { forEachStore(t, testAPIKeys) }

func testAPIKeys(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs) // the key commands run beside the server
	base := m.Server.URL()
	keyA, keyB := cliKey(t, storeArgs, "tool-a"), cliKey(t, storeArgs, "tool-b")
	cliKey(t, storeArgs, "unused")
	if _, err := runCLI(t, append([]string{"keys", "create", "tool-a"}, storeArgs...)...); err == nil {
		t.Error("a second active key named tool-a was created")
	}
	a, b := newKeyClient(t, base, keyA), newKeyClient(t, base, keyB)

	var me struct {
		Kind    string `json:"kind"`
		KeyName string `json:"key_name"`
	}
	if code := a.do("GET", "/api/v1/me", "", &me); code != 200 || me.Kind != "api_key" || me.KeyName != "tool-a" {
		t.Fatalf("GET /me with key a = %d %+v", code, me)
	}

	// A key is an owner of its own.
	iv := a.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	browser := newClient(t, base)
	for name, c := range map[string]*client{"key b": b, "browser": browser} {
		var e errorBody
		if code := c.do("GET", "/api/v1/interviews/"+iv.ID, "", &e); code != 404 || e.Error.Code != "not_found" {
			t.Errorf("%s reading key a's interview = %d %+v", name, code, e)
		}
	}
	// The header alone decides: with a browser's cookie, a wrong key is
	// refused and a right one is the key's owner.
	browser.key = keyB[:len(keyB)-1] + "0"
	if keyB[len(keyB)-1] == '0' {
		browser.key = keyB[:len(keyB)-1] + "1"
	}
	var e errorBody
	if code := browser.do("GET", "/api/v1/interviews", "", &e); code != 401 || e.Error.Code != "unauthorized" {
		t.Errorf("wrong key beside a cookie = %d %+v", code, e)
	}
	browser.key = keyA
	if code := browser.do("GET", "/api/v1/interviews/"+iv.ID, "", nil); code != 200 {
		t.Errorf("key a beside a browser cookie = %d", code)
	}
	for _, h := range []string{"br_nothex", "Basic " + keyA, "Bearer"} {
		req, _ := http.NewRequest("GET", base+"/api/v1/interviews", nil)
		req.Header.Set("Authorization", h)
		if !strings.HasPrefix(h, "Basic") && h != "Bearer" {
			req.Header.Set("Authorization", "Bearer "+h)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("Authorization %q = %d, want 401", req.Header.Get("Authorization"), resp.StatusCode)
		}
	}

	// "Use an API key": a browser becomes the key's owner.
	jar, _ := cookiejar.New(nil)
	page := &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	if code := page.do("POST", "/api/v1/session", `{"key":"`+keyA+`"}`, &me); code != 200 || me.KeyName != "tool-a" {
		t.Fatalf("POST /session = %d %+v", code, me)
	}
	var list struct {
		Interviews []struct {
			ID string `json:"id"`
		} `json:"interviews"`
	}
	if code := page.do("GET", "/api/v1/interviews", "", &list); code != 200 || len(list.Interviews) != 1 || list.Interviews[0].ID != iv.ID {
		t.Fatalf("the page after POST /session lists %d %+v", code, list)
	}

	out, err := runCLI(t, append([]string{"keys", "list"}, storeArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{keyA, keyB} {
		if strings.Contains(out, k[20:]) {
			t.Fatalf("keys list shows a secret:\n%s", out)
		}
	}
	for _, want := range []string{"tool-a", "tool-b", "unused", "never", "active"} {
		if !strings.Contains(out, want) {
			t.Errorf("keys list lacks %q:\n%s", want, out)
		}
	}

	// Revoking closes the key's socket and refuses the key at once.
	conn, _ := a.open(iv.WSURL)
	readType(t, conn, "question")
	if out, err := runCLI(t, append([]string{"keys", "revoke", "tool-a"}, storeArgs...)...); err != nil {
		t.Fatalf("keys revoke: %v %s", err, out)
	}
	if code := a.do("GET", "/api/v1/me", "", &e); code != 401 || e.Error.Code != "key_revoked" {
		t.Errorf("revoked key = %d %+v", code, e)
	}
	if f := readType(t, conn, "error"); f.Code != "key_revoked" {
		t.Errorf("revoked key's socket got %+v", f)
	}
	if st := expectClose(t, conn); st != web.StatusKeyRevoked {
		t.Errorf("revoked key's socket closed with %d, want %d", st, web.StatusKeyRevoked)
	}
	if _, err := runCLI(t, append([]string{"keys", "revoke", "tool-a"}, storeArgs...)...); err == nil {
		t.Error("revoking a revoked key succeeded")
	}
	cliKey(t, storeArgs, "tool-a") // the name is free again

	// A ticket opens one socket without headers, once.
	ivB := b.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
	var ticket struct {
		Ticket string `json:"ticket"`
		WSURL  string `json:"ws_url"`
	}
	if code := b.do("POST", "/api/v1/interviews/"+ivB.ID+"/ws-ticket", "", &ticket); code != 201 || ticket.Ticket == "" {
		t.Fatalf("ws-ticket = %d %+v", code, ticket)
	}
	bare := &client{t: t, base: base, http: &http.Client{Timeout: 30 * time.Second}}
	tconn, sess := bare.open(ticket.WSURL)
	if sess.Interview.ID != ivB.ID {
		t.Fatalf("ticket opened %+v", sess.Interview)
	}
	tconn.Close(websocket.StatusNormalClosure, "")
	if _, resp, err := bare.dial(ticket.WSURL, ""); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Errorf("a spent ticket: err %v resp %v", err, resp)
	}
	// Another interview's ticket does not open this one.
	if code := b.do("POST", "/api/v1/interviews/"+ivB.ID+"/ws-ticket", "", &ticket); code != 201 {
		t.Fatal(code)
	}
	if _, resp, err := bare.dial("/api/v1/interviews/"+iv.ID+"/ws?ticket="+ticket.Ticket, ""); err == nil || resp.StatusCode != 401 {
		t.Errorf("a ticket for another interview: err %v", err)
	}
}
