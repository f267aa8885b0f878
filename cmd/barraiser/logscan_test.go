package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLogsHoldNoSecrets runs a whole interview, in both log formats, with
// a focus, an API key made by the CLI, a webhook with a secret, a share
// link and the debrief, and checks that the captured logs hold none of
// what a candidate wrote and none of the credentials: ids, sizes and
// timings only.
func TestLogsHoldNoSecrets(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, storeArgs []string) { testLogsHoldNoSecrets(t, storeArgs, format) })
		})
	}
}

func testLogsHoldNoSecrets(t *testing.T, storeArgs []string, format string) {
	logs := &syncBuffer{}
	var delivered atomic.Int32
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		delivered.Add(1)
	}))
	t.Cleanup(hooks.Close)
	getenv := func(k string) string {
		if k == "LOG_FORMAT" {
			return format
		}
		if k == "LOG_LEVEL" {
			return "debug"
		}
		return ""
	}
	// The key, through the CLI as an operator makes it, its log included.
	var out strings.Builder
	args := append([]string{"keys", "create", "logged", "--webhook", hooks.URL + "/in"}, storeArgs...)
	if err := run(context.Background(), args, getenv, &out, logs); err != nil {
		t.Fatalf("keys create: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	key, secret := lines[len(lines)-1], lines[len(lines)-2]

	cfg, err := parseConfig(append([]string{"-addr", "127.0.0.1:0", "-log-format", format}, storeArgs...), getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.WebhookPoll, cfg.WebhookBackoff = 10*time.Millisecond, 50*time.Millisecond
	m := NewMain(cfg, newFormatLogger(logs, "debug", format))
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	base := m.Server.URL()

	const focus = "Zephyrine quarterly ledger migration for the Quillmont warehouse team"
	answers := []string{
		strongAnswer,
		"Our Vellichor dashboards showed 31 percent fewer abandoned carts after the Marrowgate rollout.",
		"I would have asked the Tintinnabula team for their traces a week sooner than I did.",
		"The Obsidianfjord audit found nothing else, and the Halcyonreach runbook is still used today.",
		"Nobody on the Larkspurvale rotation was paged for it again that quarter.",
	}

	// A browser, over the WebSocket.
	browser := newClient(t, base)
	iv := browser.create(`{"role":"sde","level":"L5","principles":["ownership"],"focus":"` + focus + `"}`)
	conn, _ := browser.open(iv.WSURL)
	readType(t, conn, "question")
	for i := 0; ; i++ {
		send(t, conn, answer(answers[i%len(answers)], "b"+string(rune('a'+i))))
		readType(t, conn, "ack")
		if f := read(t, conn); f.Type != "question" {
			if f.Type == "grading" {
				readType(t, conn, "debrief")
			}
			break
		}
	}
	u, _ := url.Parse(base)
	var cookie string
	for _, ck := range browser.http.Jar.Cookies(u) {
		if ck.Name == "br_owner" {
			cookie = ck.Value
		}
	}
	share := browser.share(iv.ID)
	for _, p := range []string{share.URL, "/api/v1/shared/" + share.Token, "/api/v1/interviews/" + iv.ID + "/debrief.md"} {
		if resp, _ := browser.raw("GET", p, ""); resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", p, resp.StatusCode)
		}
	}

	// A script with the key, over HTTP turns, which the webhook reports.
	script := newKeyClient(t, base, key)
	hiv := script.create(`{"role":"sde","level":"L5","principles":["ownership"],"focus":"` + focus + `"}`)
	var turn hookTurn
	script.do("POST", "/api/v1/interviews/"+hiv.ID+"/next", `{}`, &turn)
	for i := 0; turn.Status != "complete" && i < 10; i++ {
		if code := script.do("POST", "/api/v1/interviews/"+hiv.ID+"/next", `{"answer":"`+answers[i%len(answers)]+`","client_id":"s`+string(rune('a'+i))+`"}`, &turn); code != 200 {
			t.Fatalf("next = %d", code)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for delivered.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if delivered.Load() == 0 {
		t.Fatal("no webhook delivery")
	}
	m.Close()

	captured := logs.String()
	if !strings.Contains(captured, iv.ID) {
		t.Fatalf("the logs do not even name the interview; were they captured?\n%.2000s", captured)
	}
	secrets := map[string]string{
		"focus":            focus,
		"focus word":       "Zephyrine",
		"owner cookie":     cookie,
		"API key":          key,
		"API key's secret": key[len(key)-24:],
		"webhook secret":   secret,
		"share token":      share.Token,
	}
	for i, a := range answers {
		secrets["answer "+string(rune('1'+i))] = a
		// A distinctive word of each answer, and a piece from its middle.
		for _, w := range strings.Fields(a) {
			if len(w) > 10 {
				secrets["word of answer "+string(rune('1'+i))] = w
				break
			}
		}
		secrets["middle of answer "+string(rune('1'+i))] = a[len(a)/2-12 : len(a)/2+12]
	}
	for what, s := range secrets {
		if s == "" {
			t.Errorf("%s: nothing to look for", what)
			continue
		}
		if i := strings.Index(captured, s); i >= 0 {
			start := max(0, strings.LastIndex(captured[:i], "\n"))
			t.Errorf("the logs hold the %s: %.300s", what, captured[start:])
		}
	}
}
