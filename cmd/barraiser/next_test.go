package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	brclient "github.com/barraiser/barraiser/client"
	"github.com/barraiser/barraiser/web"
)

// nextTurn plays one HTTP turn with the project's client and wants no
// error.
func nextTurn(t *testing.T, c *brclient.Client, id string, answer *string, clientID string) *brclient.NextResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := c.Next(ctx, id, answer, clientID)
	if err != nil {
		t.Fatalf("next %q %q: %v", deref(answer), clientID, err)
	}
	return r
}

// deref returns *s, or "<none>" for nil.
func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

func TestHTTPTurns(t *testing.T) { forEachStore(t, testHTTPTurns) }

// testHTTPTurns runs a whole interview over POST …/next with the client
// package, as a tool that does not speak WebSocket would, calling again
// where a response is lost.
func testHTTPTurns(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	key := cliKey(t, storeArgs, "script")
	c := newKeyClient(t, m.Server.URL(), key)
	api := brclient.New(m.Server.URL(), key, brclient.WithHTTPClient(withContract(t, &http.Client{Timeout: time.Minute})))
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	strong := strongAnswer

	first := nextTurn(t, api, iv.ID, nil, "")
	if first.Ack != nil || first.Question == nil || first.Question.Seq != 1 || first.Status != "in_progress" || first.Debrief != nil {
		t.Fatalf("first next = %+v", first)
	}
	// The response was lost: the same question comes back, not a new one.
	if again := nextTurn(t, api, iv.ID, nil, ""); again.Question == nil || *again.Question != *first.Question {
		t.Fatalf("repeated next = %+v, want %+v", again.Question, first.Question)
	}

	r := nextTurn(t, api, iv.ID, &strong, "s-1")
	if r.Ack == nil || *r.Ack != 2 || r.Question == nil || r.Question.Seq != 3 {
		t.Fatalf("answer = %+v", r)
	}
	// The answer's response was lost too: resent, it is acked again and
	// stored once.
	if again := nextTurn(t, api, iv.ID, &strong, "s-1"); again.Ack == nil || *again.Ack != 2 || *again.Question != *r.Question {
		t.Fatalf("resent answer = %+v, want ack 2 and %+v", again, r.Question)
	}
	var got agent.Interview
	c.do("GET", "/api/v1/interviews/"+iv.ID, "", &got)
	if len(got.Turns) != 3 {
		t.Fatalf("after a resend the transcript has %d turns, want 3", len(got.Turns))
	}

	// One interview may mix the two paths: a socket opened now is
	// superseded by the next HTTP turn.
	conn, _ := c.open(iv.WSURL)
	if q := readType(t, conn, "question"); q.Turn != *r.Question {
		t.Fatalf("socket resent %+v, want %+v", q.Turn, r.Question)
	}
	q := r.Question
	measured := "I measured it myself: errors fell from 40 a day to 3 within two weeks, and I now check the dashboard every morning."
	for i := 2; q != nil; i++ {
		if i > 2*(agent.MaxFollowUps+1)+1 {
			t.Fatal("the interview does not end")
		}
		r = nextTurn(t, api, iv.ID, &measured, "s-"+strconv.Itoa(i))
		if r.Ack == nil || *r.Ack != q.Seq+1 {
			t.Fatalf("ack %v for the answer to seq %d", r.Ack, q.Seq)
		}
		q = r.Question
	}
	if f := readType(t, conn, "error"); f.Code != agent.ESUPERSEDED {
		t.Errorf("the socket got %+v, want superseded", f)
	}
	if st := expectClose(t, conn); st != web.StatusSuperseded {
		t.Errorf("socket closed with %d", st)
	}
	if r.Status != "complete" || r.Debrief == nil || len(r.Debrief.Principles) != 2 {
		t.Fatalf("last answer = status %s, debrief %+v", r.Status, r.Debrief)
	}
	if done := nextTurn(t, api, iv.ID, nil, ""); done.Status != "complete" || done.Debrief == nil || done.Question != nil {
		t.Fatalf("next after the end = %+v", done)
	}
	late := "one more thing"
	ctx := context.Background()
	var e *brclient.Error
	if _, err := api.Next(ctx, iv.ID, &late, "late"); !errors.As(err, &e) || e.Status != 409 || e.Code != agent.ENOPENDINGQUESTION {
		t.Errorf("an answer after the end = %v", err)
	}
	empty := ""
	for _, bad := range []struct {
		body string // sent as it is, unless send sends the same through the client
		send func(id string) error
		code string
	}{
		{body: `{"answer":""}`, send: func(id string) error { _, err := api.Next(ctx, id, &empty, ""); return err }, code: agent.EEMPTYANSWER},
		{body: `{"answer":3}`, code: agent.EINVALIDJSON},
		{body: `not json`, code: agent.EINVALIDJSON},
	} {
		iv2 := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
		nextTurn(t, api, iv2.ID, nil, "")
		var status int
		var body errorBody
		if bad.send != nil {
			err := bad.send(iv2.ID)
			if errors.As(err, &e) {
				status, body.Error.Code = e.Status, e.Code
			}
		} else {
			status = c.do("POST", "/api/v1/interviews/"+iv2.ID+"/next", bad.body, &body)
		}
		if status != 400 || body.Error.Code != bad.code {
			t.Errorf("next %q = %d %+v, want 400 %s", bad.body, status, body, bad.code)
		}
		c.do("GET", "/api/v1/interviews/"+iv2.ID, "", &got)
		if len(got.Turns) != 1 {
			t.Errorf("a refused answer changed the transcript: %d turns", len(got.Turns))
		}
	}
}
