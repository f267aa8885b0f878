package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/store/sqlite"
)

// The fuzz targets of the web package: what a client sends, decoded and
// checked before anything is stored. scripts/fuzz.sh runs each in turn;
// plain go test runs their seeds and testdata/fuzz corpora.

// fuzzService is a service on a fresh SQLite store with the built-in
// corpus, and one interview of owner "fuzz" whose opening question waits
// for an answer, claimed with gen.
type fuzzService struct {
	svc *agent.Service
	id  string
	gen int64
}

// newFuzzService builds a fuzzService once per fuzzing process.
func newFuzzService(f *testing.F) *fuzzService {
	f.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, f.TempDir(), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	c, err := retrieval.LoadCorpus()
	if err != nil {
		f.Fatal(err)
	}
	idx, err := retrieval.NewMemory(ctx, c, retrieval.Hash{}, db)
	if err != nil {
		f.Fatal(err)
	}
	svc := agent.NewService(db, idx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	iv, err := svc.Create(ctx, "fuzz", agent.CreateRequest{Role: "sde", Level: "L5"})
	if err != nil {
		f.Fatal(err)
	}
	gen, err := db.Claim(ctx, iv.ID)
	if err != nil {
		f.Fatal(err)
	}
	if _, q, err := svc.Advance(ctx, "fuzz", iv.ID, gen, nil); err != nil || q == nil {
		f.Fatalf("opening question: %v, %v", q, err)
	}
	return &fuzzService{svc: svc, id: iv.ID, gen: gen}
}

// agentError returns err as an *agent.Error, failing t when it is any
// other kind of error or its code is not one of codes.
func agentError(t *testing.T, err error, codes ...string) *agent.Error {
	t.Helper()
	var e *agent.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *agent.Error", err, err)
	}
	if !slices.Contains(codes, e.Code) {
		t.Fatalf("error code %q, want one of %v: %v", e.Code, codes, err)
	}
	if e.Message == "" {
		t.Fatalf("error %q has no message", e.Code)
	}
	return e
}

// FuzzDecodeFrame feeds arbitrary payloads to the WebSocket frame decoder.
// It checks the decoder against encoding/json read plainly: what JSON
// cannot read as a frame is invalid_json, a type other than "answer" or
// "end" is unknown_type, an answer over the limit is answer_too_long with
// the service's own message, and anything else decodes to exactly what
// JSON read and survives a round trip through json.Marshal. Every frame
// that decodes is also made one character too long, which must be refused.
func FuzzDecodeFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"answer","text":"I rebuilt the billing job over a weekend.","client_id":"c-1"}`,
		`{"type":"end"}`,
		`{"type":"end","text":"ignored"}`,
		`{"type":"answer"}`,
		`{"TYPE":"answer","Text":"case does not matter to encoding/json"}`,
		`{"type":"answer","text":"\u0000\ud800\\"}`,
		`{"type":"hello"}`,
		`{"type":5}`,
		`null`,
		`[]`,
		`{"type":"answer","text":"a"}{}`,
		``,
		`{"type":"answer","text":"` + strings.Repeat("é", agent.MaxAnswerRunes+1) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	fs := newFuzzService(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeFrame(data, fs.svc.AnswerLimit())
		var want clientFrame
		switch {
		case json.Unmarshal(data, &want) != nil:
			agentError(t, err, agent.EINVALIDJSON)
			return
		case want.Type != "answer" && want.Type != "end":
			agentError(t, err, agent.EUNKNOWNTYPE)
			return
		case want.Type == "answer" && utf8.RuneCountInString(want.Text) > agent.MaxAnswerRunes:
			e := agentError(t, err, agent.EANSWERTOOLONG)
			// The service refuses the same answer before reading the
			// store, and must say the same.
			_, _, serr := fs.svc.Answer(ctx, "fuzz", fs.id, fs.gen, want.Text, want.ClientID)
			if se := agentError(t, serr, agent.EANSWERTOOLONG); se.Message != e.Message {
				t.Fatalf("decoder says %q, service says %q", e.Message, se.Message)
			}
			return
		}
		if err != nil {
			t.Fatalf("decodeFrame(%q) = %v, want %+v", data, err, want)
		}
		if got != want {
			t.Fatalf("decodeFrame(%q) = %+v, want %+v", data, got, want)
		}
		again, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := decodeFrame(again, fs.svc.AnswerLimit()); err != nil || back != got {
			t.Fatalf("round trip of %+v through %s: %+v, %v", got, again, back, err)
		}
		if got.Type == "answer" {
			long := got
			long.Text += strings.Repeat("x", agent.MaxAnswerRunes+1-utf8.RuneCountInString(got.Text))
			b, _ := json.Marshal(long)
			if _, err := decodeFrame(b, fs.svc.AnswerLimit()); agent.ErrorCode(err) != agent.EANSWERTOOLONG {
				t.Fatalf("an answer of %d characters: %v, want %s", agent.MaxAnswerRunes+1, err, agent.EANSWERTOOLONG)
			}
		}
	})
}

// createCodes are the codes that a bad body for a new interview may get.
var createCodes = []string{agent.EINVALIDJSON, agent.EINVALIDROLE, agent.EINVALIDLEVEL, agent.EFOCUSTOOLONG,
	agent.EINVALIDTEXT, agent.EUNKNOWNPRINCIPLE, agent.EINVALIDPRINCIPLES, agent.EINVALIDCOUNT}

// FuzzCreateRequest feeds arbitrary bodies to the decoding and validation
// of POST /api/v1/interviews, as handleCreate and Service.Create do them.
// A body is refused with one of createCodes, and with invalid_json
// whenever it is not one valid JSON text; a body let through holds a
// request that meets every documented limit.
func FuzzCreateRequest(f *testing.F) {
	for _, seed := range []string{
		`{"role":"sde","level":"L5","focus":"an outage I handled","principles":["ownership"],"principle_count":2}`,
		`{"role":"em","level":"L7"}`,
		`{"role":"pm","level":"L4","principle_count":0}`,
		`{"role":"tpm","level":"L6","principles":["ownership","ownership"]}`,
		`{"role":"general","level":"L8","principles":["a","b","c","d","e"]}`,
		`{"role":"sde","level":"L5","principles":["no-such-principle"]}`,
		`{"role":"chef","level":"L5"}`,
		`{"role":"sde","level":"L9"}`,
		`{"role":"sde","level":"L5","focus":"nul \u0000 inside"}`,
		`{"role":"sde","level":"L5","principle_count":"two"}`,
		`{"role":"sde","level":"L5"} {"role":"em"}`,
		`{"role":"sde","level":"L5"}}`,
		`{"role":"sde","level":"L5"}]`,
		`{"role":"sde",`,
		``,
		`{"role":"sde","level":"L5","focus":"` + strings.Repeat("x", agent.MaxFocusRunes+1) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	fs := newFuzzService(f)
	rt := fs.svc.Retriever
	f.Fuzz(func(t *testing.T, data []byte) {
		var req agent.CreateRequest
		if err := decodeJSON(bytes.NewReader(data), &req); err != nil {
			agentError(t, err, agent.EINVALIDJSON)
			return
		}
		if !json.Valid(data) {
			t.Fatalf("body %q is not one valid JSON text, but it was read as %+v", data, req)
		}
		if err := req.Validate(rt); err != nil {
			agentError(t, err, createCodes...)
			return
		}
		switch {
		case !agent.Role(req.Role).Valid(), !agent.Level(req.Level).Valid():
			t.Fatalf("role %q, level %q let through", req.Role, req.Level)
		case utf8.RuneCountInString(req.Focus) > agent.MaxFocusRunes, !utf8.ValidString(req.Focus), strings.ContainsRune(req.Focus, 0):
			t.Fatalf("focus %q let through", req.Focus)
		case len(req.Principles) > agent.MaxPrinciples:
			t.Fatalf("%d principles let through", len(req.Principles))
		case len(req.Principles) == 0 && req.PrincipleCount != nil && (*req.PrincipleCount < 1 || *req.PrincipleCount > agent.MaxPrinciples):
			t.Fatalf("principle_count %d let through", *req.PrincipleCount)
		}
		seen := map[string]bool{}
		for _, id := range req.Principles {
			if _, ok := rt.Principle(id); !ok || seen[id] {
				t.Fatalf("principles %q let through", req.Principles)
			}
			seen[id] = true
		}
	})
}

// answerCodes are the codes an answer on POST …/next may get while its
// interview waits for one.
var answerCodes = []string{agent.EANSWERTOOLONG, agent.EEMPTYANSWER, agent.EINVALIDTEXT, agent.EINVALIDCLIENTID,
	agent.ENOPENDINGQUESTION}

// FuzzNextRequest feeds arbitrary bodies to POST …/next as handleNext
// reads them, and gives each answer to the service of a real SQLite store
// with an interview waiting for one. A body is invalid_json when it is not
// one valid JSON text; an answer is stored, returned as stored before, or
// refused with one of answerCodes, the first check it fails deciding the
// code, and a refused answer leaves the transcript as it was.
func FuzzNextRequest(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"answer":"I owned the migration and cut the error rate from 4% to 0.5% in six weeks.","client_id":"a1"}`,
		`{"answer":"I owned the migration and cut the error rate from 4% to 0.5% in six weeks.","client_id":"a1"}`,
		`{"answer":"   \n\t "}`,
		`{"answer":""}`,
		`{"answer":null}`,
		`{"answer":"nul \u0000 here"}`,
		`{"answer":"fine","client_id":"` + strings.Repeat("k", agent.MaxClientIDBytes+1) + `"}`,
		`{"answer":"fine","client_id":"\u0000"}`,
		`{"answer":42}`,
		`{"answer":"a"}]`,
		`[`,
		`{"answer":"` + strings.Repeat("ü", agent.MaxAnswerRunes+1) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	fs := newFuzzService(f)
	ctx := context.Background()
	turns := func(t *testing.T) int {
		iv, err := fs.svc.Get(ctx, "fuzz", fs.id)
		if err != nil {
			t.Fatal(err)
		}
		return len(iv.Turns)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req nextRequest
		if err := decodeJSON(bytes.NewReader(data), &req); err != nil {
			agentError(t, err, agent.EINVALIDJSON)
			return
		}
		if !json.Valid(data) {
			t.Fatalf("body %q is not one valid JSON text, but it was read as %+v", data, req)
		}
		if req.Answer == nil {
			return
		}
		text := *req.Answer
		before := turns(t)
		turn, _, err := fs.svc.Answer(ctx, "fuzz", fs.id, fs.gen, text, req.ClientID)
		if err == nil {
			// A new answer is stored as sent; one whose client_id is
			// stored already gets the stored turn back and adds none.
			replay := turn.Text != text
			if turn.ClientID != req.ClientID || turn.Speaker != agent.SpeakerCandidate || replay && req.ClientID == "" {
				t.Fatalf("answer %q with client_id %q stored as %+v", text, req.ClientID, turn)
			}
			// The rules interviewer's next question may be stored with a
			// new answer, so a new answer adds one turn or two.
			if after := turns(t); replay && after != before || !replay && after > before+2 {
				t.Fatalf("answer %q with client_id %q took the transcript from %d to %d turns", text, req.ClientID, before, after)
			}
			return
		}
		e := agentError(t, err, answerCodes...)
		var want string
		switch {
		case utf8.RuneCountInString(text) > agent.MaxAnswerRunes:
			want = agent.EANSWERTOOLONG
		case strings.TrimSpace(text) == "":
			want = agent.EEMPTYANSWER
		case strings.ContainsRune(text, 0):
			want = agent.EINVALIDTEXT
		case len(req.ClientID) > agent.MaxClientIDBytes:
			want = agent.EINVALIDCLIENTID
		case strings.ContainsRune(req.ClientID, 0):
			want = agent.EINVALIDTEXT
		default:
			want = agent.ENOPENDINGQUESTION
		}
		if e.Code != want {
			t.Fatalf("answer %q, client_id %q: %s, want %s", text, req.ClientID, e.Code, want)
		}
		if after := turns(t); after != before {
			t.Fatalf("a refused answer changed the transcript from %d to %d turns", before, after)
		}
	})
}
