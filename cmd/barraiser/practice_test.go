package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	brclient "github.com/barraiser/barraiser/client"
	"github.com/barraiser/barraiser/openai/openaitest"
)

// envOf returns a getenv that knows only the given key, value pairs.
func envOf(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// terminal is what the practice command prints to: safe to read while the
// command writes, and able to wait for text to appear. It keeps every
// write apart, to tell streamed text from text printed at once.
type terminal struct {
	mu      sync.Mutex
	writes  []string
	changed chan struct{}
}

func newTerminal() *terminal { return &terminal{changed: make(chan struct{})} }

func (o *terminal) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes = append(o.writes, string(p))
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

// String returns everything printed so far.
func (o *terminal) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.writes, "")
}

// waitFor waits until s has been printed at least n times.
func (o *terminal) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		o.mu.Lock()
		got, ch := strings.Count(strings.Join(o.writes, ""), s), o.changed
		o.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("waited for %q to be printed %d times; the terminal shows:\n%s", s, n, o.String())
		}
	}
}

// practiceCtx bounds a test's practice command.
func practiceCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// keyClient returns the project's client for a server and key.
func keyClient(t *testing.T, base, key string) *brclient.Client {
	return brclient.New(base, key, brclient.WithHTTPClient(withContract(t, &http.Client{Timeout: time.Minute})))
}

// onlyInterview returns the one interview of a key.
func onlyInterview(t *testing.T, c *brclient.Client) *agent.Interview {
	t.Helper()
	ctx := practiceCtx(t)
	page, err := c.Interviews(ctx)
	if err != nil || len(page.Interviews) != 1 {
		t.Fatalf("interviews of the key = %+v, %v", page, err)
	}
	iv, err := c.Interview(ctx, page.Interviews[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return iv
}

// candidateTexts returns the answers of a transcript, in order.
func candidateTexts(iv *agent.Interview) []string {
	var out []string
	for _, tn := range iv.Turns {
		if tn.Speaker == agent.SpeakerCandidate {
			out = append(out, tn.Text)
		}
	}
	return out
}

// checkQuestionsShownOnce wants every question of the transcript printed,
// and printed once.
func checkQuestionsShownOnce(t *testing.T, iv *agent.Interview, out string) {
	t.Helper()
	asked := map[string]int{}
	for _, tn := range iv.Turns {
		if tn.Speaker == agent.SpeakerInterviewer {
			asked[tn.Text]++
		}
	}
	for q, n := range asked {
		if got := strings.Count(out, q); got != n {
			t.Errorf("question %q was asked %d times and printed %d times", q, n, got)
		}
	}
	if got, want := strings.Count(out, "Interviewer:"), len(iv.Turns)-len(candidateTexts(iv)); got != want {
		t.Errorf("%d questions printed, %d asked", got, want)
	}
}

// A first answer in two paragraphs, thin enough to draw a follow-up.
const practiceFirst = "We had a slow page once and some people looked at it.\nIt took a while.\n\nIn the end it was better, more or less."

func TestPracticeAgainstServer(t *testing.T) { forEachStore(t, testPracticeAgainstServer) }

// testPracticeAgainstServer plays a whole interview in the terminal against
// a running server, with the key from the environment: a multi-paragraph
// answer, a "." with nothing typed, a second answer, then /end and the
// debrief.
func testPracticeAgainstServer(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	key := cliKey(t, storeArgs, "terminal")
	second := "Someone else owned it, so I mostly waited for them."
	stdin := strings.NewReader(practiceFirst + "\n.\n   \n.\n" + second + "\n.\n/end\n")
	var out bytes.Buffer
	args := []string{"--server", m.Server.URL(), "--role", "em", "--level", "L6", "--principles", "ownership,dive-deep", "--focus", "a slow page"}
	if err := runPractice(practiceCtx(t), args, envOf("BARRAISER_KEY", key), stdin, &out, io.Discard); err != nil {
		t.Fatalf("practice: %v\n%s", err, out.String())
	}
	text := out.String()
	iv := onlyInterview(t, keyClient(t, m.Server.URL(), key))
	if iv.Role != "em" || iv.Level != "L6" || iv.Focus != "a slow page" || len(iv.Principles) != 2 {
		t.Errorf("created %+v", iv)
	}
	if got := candidateTexts(iv); len(got) != 2 || got[0] != practiceFirst || got[1] != second {
		t.Fatalf("stored answers %q, want the two typed, paragraphs kept", got)
	}
	if iv.Status != agent.StatusComplete || iv.Debrief == nil {
		t.Fatalf("interview %s, debrief %v", iv.Status, iv.Debrief)
	}
	checkQuestionsShownOnce(t, iv, text)
	d := iv.Debrief
	want := []string{"Interview " + iv.ID, "Nothing to send yet", "=== Debrief ===",
		"Recommendation: " + strings.ReplaceAll(string(d.Recommendation), "_", " "), d.Summary,
		"Dive Deep: not assessed", d.GraderNote}
	own := d.Principles[0]
	if own.Principle != "ownership" || own.Score == nil || d.Principles[1].Rating != agent.NotAssessed {
		t.Fatalf("debrief principles %+v", d.Principles)
	}
	want = append(want, "Ownership: "+strings.ReplaceAll(string(own.Rating), "_", " "), "score "+string(rune('0'+*own.Score))+" of 4")
	for _, e := range own.Evidence {
		want = append(want, e.Quote)
	}
	want = append(want, own.Concerns...)
	if own.Advice != "" {
		want = append(want, "Advice: "+own.Advice)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the terminal lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, key[20:]) {
		t.Error("the key was printed")
	}
}

// TestPracticeArguments checks what the command refuses before it starts.
func TestPracticeArguments(t *testing.T) {
	m := startMain(t, t.TempDir())
	url := m.Server.URL()
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"no key for --server", []string{"--server", url}, envOf(), "BARRAISER_KEY"},
		{"--key without --server", []string{"--key", "br_x", "--data-dir", t.TempDir()}, envOf(), "--key goes with --server"},
		{"server flags with --server", []string{"--server", url, "--data-dir", "x"}, envOf("BARRAISER_KEY", "br_x"), "--data-dir x: server flags apply only without --server"},
		{"unknown key", []string{"--server", url, "--key", "br_0123456789abcdef_" + strings.Repeat("0", 64)}, envOf(), "unauthorized"},
		{"bad role", []string{"--server", url, "--role", "chef"}, envOf("BARRAISER_KEY", cliKey(t, []string{"-data-dir", m.Config.DataDir}, "args")), "invalid_role"},
		{"bad server flag", []string{"--log-level"}, envOf(), "flag needs an argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runPractice(practiceCtx(t), tt.args, tt.env, strings.NewReader(""), &out, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("practice %v = %v, want an error with %q", tt.args, err, tt.want)
			}
		})
	}
	if err := runPractice(context.Background(), []string{"-h"}, envOf(), strings.NewReader(""), io.Discard, io.Discard); err != nil {
		t.Errorf("practice -h = %v", err)
	}
}

// TestPracticeInProcess runs the interview inside the command, twice on
// one data directory: the first run creates the key, the second reuses it.
func TestPracticeInProcess(t *testing.T) {
	dir := t.TempDir()
	answer := "Last autumn I noticed our test suite took forty minutes, so I split it across four runners myself and it now takes twelve.\n.\n/end\n"
	var out1 bytes.Buffer
	if err := runPractice(practiceCtx(t), []string{"--principles", "ownership"}, envOf("DATA_DIR", dir), strings.NewReader(answer), &out1, io.Discard); err != nil {
		t.Fatalf("first run: %v\n%s", err, out1.String())
	}
	path := filepath.Join(dir, practiceKeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no key file after the first run: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	key := strings.TrimSpace(string(b))
	if _, _, err := agent.ParseAPIKey(key); err != nil {
		t.Fatalf("key file holds %q", b)
	}
	for _, w := range []string{"Created the API key \"practice\"", path, "=== Debrief ===", "Ownership: "} {
		if !strings.Contains(out1.String(), w) {
			t.Errorf("first run lacks %q:\n%s", w, out1.String())
		}
	}

	// The second run names the directory with the server's flag.
	var out2 bytes.Buffer
	if err := runPractice(practiceCtx(t), []string{"--data-dir", dir, "--principles", "frugality"}, envOf(), strings.NewReader(answer), &out2, io.Discard); err != nil {
		t.Fatalf("second run: %v\n%s", err, out2.String())
	}
	if strings.Contains(out2.String(), "Created the API key") || !strings.Contains(out2.String(), "Frugality: ") {
		t.Errorf("second run:\n%s", out2.String())
	}
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Error("the second run replaced the key")
	}

	// Both interviews belong to the one key, and it is the only key.
	m := startMain(t, dir)
	keys, err := m.Server.Keys.Keys(context.Background())
	if err != nil || len(keys) != 1 || keys[0].Name != "practice" {
		t.Fatalf("keys %+v, %v", keys, err)
	}
	page, err := keyClient(t, m.Server.URL(), key).Interviews(practiceCtx(t))
	if err != nil || len(page.Interviews) != 2 {
		t.Fatalf("the key's interviews %+v, %v", page, err)
	}
	for _, s := range page.Interviews {
		if s.Status != agent.StatusComplete {
			t.Errorf("interview %s is %s", s.ID, s.Status)
		}
	}
}

// TestPracticeDirectoryHeld: with a server on the data directory, the
// in-process mode points to --server and touches nothing.
func TestPracticeDirectoryHeld(t *testing.T) {
	dir := t.TempDir()
	startMain(t, dir)
	var out bytes.Buffer
	err := runPractice(practiceCtx(t), nil, envOf("DATA_DIR", dir), strings.NewReader("hello\n.\n"), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--server") || !strings.Contains(err.Error(), "running server holds") {
		t.Fatalf("practice beside a server = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, practiceKeyFile)); err == nil {
		t.Error("a key file was written")
	}
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
}

// cutProxy forwards TCP connections to a server and can cut the
// WebSocket connections open through it, at a chosen moment.
type cutProxy struct {
	t      *testing.T
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[*proxied]bool
	cuts   atomic.Int32
}

// proxied is one forwarded connection.
type proxied struct {
	client, server net.Conn
	upgraded       atomic.Bool // a WebSocket now
	cutOnSend      atomic.Bool // cut when the client next sends anything
	cutOnAck       atomic.Bool // cut when the server sends an ack
	once           sync.Once
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{t: t, ln: ln, target: target, conns: map[*proxied]bool{}}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		pc := &proxied{client: c, server: s}
		p.mu.Lock()
		p.conns[pc] = true
		p.mu.Unlock()
		go p.pipe(pc, c, s, func(b []byte) bool { return pc.upgraded.Load() && pc.cutOnSend.Load() })
		go p.pipe(pc, s, c, func(b []byte) bool {
			if bytes.Contains(b, []byte(" 101 Switching Protocols")) {
				pc.upgraded.Store(true)
			}
			return pc.cutOnAck.Load() && bytes.Contains(b, []byte(`"type":"ack"`))
		})
	}
}

// pipe copies from src to dst until either side closes or cut says to
// drop what was read, and the connection with it.
func (p *cutProxy) pipe(pc *proxied, src, dst net.Conn, cut func([]byte) bool) {
	defer p.close(pc)
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if cut(buf[:n]) {
				p.cuts.Add(1)
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *cutProxy) close(pc *proxied) {
	pc.once.Do(func() {
		pc.client.Close()
		pc.server.Close()
		p.mu.Lock()
		delete(p.conns, pc)
		p.mu.Unlock()
	})
}

// arm makes every open WebSocket connection cut itself at the moment set
// says.
func (p *cutProxy) arm(set func(*proxied)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for pc := range p.conns {
		if pc.upgraded.Load() {
			set(pc)
			n++
		}
	}
	if n == 0 {
		p.t.Fatal("no WebSocket open through the proxy")
	}
}

func TestPracticeReconnects(t *testing.T) { forEachStore(t, testPracticeReconnects) }

// testPracticeReconnects drops the practice command's connection three
// real ways in one interview: another connection takes the interview
// over, an answer is lost on its way to the server, and the ack of a
// stored answer is lost on its way back. The command reconnects each
// time, and every answer typed is stored once, in order.
func testPracticeReconnects(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	key := cliKey(t, storeArgs, "flaky")
	px := newCutProxy(t, m.Server.Addr())
	stdin, typing := io.Pipe()
	term := newTerminal()
	done := make(chan error, 1)
	ctx := practiceCtx(t)
	go func() {
		done <- runPractice(ctx, []string{"--server", px.URL(), "--principles", "ownership,dive-deep"},
			envOf("BARRAISER_KEY", key), stdin, term, io.Discard)
	}()
	t.Cleanup(func() { typing.Close() })
	answers := []string{
		"A page of ours was slow for a while and the team looked into it.",
		"People worked on it over some weeks.\n\nIt got better.",
		"Others handled most of that part, I think.",
		"I am not sure it changed much afterwards.",
	}
	say := func(i int) {
		t.Helper()
		if _, err := io.WriteString(typing, answers[i]+"\n.\n"); err != nil {
			t.Fatal(err)
		}
	}
	term.waitFor(t, "Interviewer:", 1)
	say(0)
	term.waitFor(t, "Interviewer:", 2)

	// Another connection takes the interview; the command takes it back.
	api := keyClient(t, m.Server.URL(), key)
	iv := onlyInterview(t, api)
	other, err := api.Dial(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer other.CloseNow()
	for {
		_, err := other.Recv(ctx)
		if err != nil {
			if st := brclient.CloseStatus(err); st != brclient.StatusSuperseded {
				t.Fatalf("the other connection ended with %v, want it superseded by the command", err)
			}
			break
		}
	}
	term.waitFor(t, "taking it back", 1)
	say(1)
	term.waitFor(t, "Interviewer:", 3)

	// The next answer never reaches the server.
	px.arm(func(pc *proxied) { pc.cutOnSend.Store(true) })
	say(2)
	term.waitFor(t, "Interviewer:", 4)

	// The server stores the next one, but its ack is lost.
	px.arm(func(pc *proxied) { pc.cutOnAck.Store(true) })
	say(3)
	term.waitFor(t, "Interviewer:", 5)

	if _, err := io.WriteString(typing, "/end\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("practice: %v\n%s", err, term.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("practice did not finish:\n%s", term.String())
	}
	if n := px.cuts.Load(); n != 2 {
		t.Errorf("the proxy cut %d connections, want 2", n)
	}
	out := term.String()
	if n := strings.Count(out, "The connection dropped; reconnecting."); n != 2 {
		t.Errorf("reported %d dropped connections, want 2:\n%s", n, out)
	}
	iv = onlyInterview(t, api)
	got := candidateTexts(iv)
	if len(got) != len(answers) {
		t.Fatalf("stored %d answers, want %d: %q", len(got), len(answers), got)
	}
	ids := map[string]bool{}
	for i, tn := range iv.Turns {
		if tn.Speaker != agent.SpeakerCandidate {
			continue
		}
		if tn.ClientID == "" || ids[tn.ClientID] {
			t.Errorf("turn %d has client id %q", i, tn.ClientID)
		}
		ids[tn.ClientID] = true
	}
	for i, a := range answers {
		if got[i] != a {
			t.Errorf("answer %d stored as %q, want %q", i, got[i], a)
		}
	}
	if iv.Status != agent.StatusComplete || !strings.Contains(out, "=== Debrief ===") {
		t.Errorf("status %s; terminal:\n%s", iv.Status, out)
	}
	checkQuestionsShownOnce(t, iv, out)
}

// TestPracticeStreamedQuestions: questions a model writes are printed as
// their chunks arrive, and not printed again whole.
func TestPracticeStreamedQuestions(t *testing.T) {
	srv := openaitest.NewServer(nil)
	defer srv.Close()
	m := startLLM(t, srv)
	key := cliKey(t, []string{"-data-dir", m.Config.DataDir}, "streams")
	term := newTerminal()
	answer := "Last year I rewrote our flaky release script myself, and failed releases fell from six a month to one.\n.\n"
	stdin := strings.NewReader(answer + answer + "/end\n")
	if err := runPractice(practiceCtx(t), []string{"--server", m.Server.URL(), "--principles", "ownership"},
		envOf("BARRAISER_KEY", key), stdin, term, io.Discard); err != nil {
		t.Fatalf("practice: %v\n%s", err, term.String())
	}
	iv := onlyInterview(t, keyClient(t, m.Server.URL(), key))
	checkQuestionsShownOnce(t, iv, term.String())
	streamed := 0
	for _, tn := range iv.Turns {
		if tn.Speaker != agent.SpeakerInterviewer {
			continue
		}
		whole := false
		for _, w := range term.writes {
			whole = whole || strings.Contains(w, tn.Text)
		}
		if !whole {
			streamed++
		}
	}
	if streamed == 0 {
		t.Errorf("no question was printed in chunks:\n%q", term.writes)
	}
}
