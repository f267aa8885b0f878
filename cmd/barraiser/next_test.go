package main

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/web"
)

// nextResult is the body of POST …/next.
type nextResult struct {
	Ack      *int           `json:"ack"`
	Question *agent.Turn    `json:"question"`
	Status   string         `json:"status"`
	Debrief  *agent.Debrief `json:"debrief"`
}

// next calls POST …/next with body and wants 200.
func (c *client) next(id, body string) nextResult {
	c.t.Helper()
	var r nextResult
	if code := c.do("POST", "/api/v1/interviews/"+id+"/next", body, &r); code != 200 {
		c.t.Fatalf("next %s = %d", body, code)
	}
	return r
}

func answerBody(text, clientID string) string {
	b, _ := json.Marshal(map[string]string{"answer": text, "client_id": clientID})
	return string(b)
}

func TestHTTPTurns(t *testing.T) { forEachStore(t, testHTTPTurns) }

// testHTTPTurns runs a whole interview over POST …/next, as a tool that
// does not speak WebSocket would, calling again where a response is lost.
func testHTTPTurns(t *testing.T, storeArgs []string) {
	m := startArgs(t, storeArgs)
	c := newKeyClient(t, m.Server.URL(), cliKey(t, storeArgs, "script"))
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)

	first := c.next(iv.ID, `{}`)
	if first.Ack != nil || first.Question == nil || first.Question.Seq != 1 || first.Status != "in_progress" || first.Debrief != nil {
		t.Fatalf("first next = %+v", first)
	}
	// The response was lost: the same question comes back, not a new one.
	if again := c.next(iv.ID, `{}`); again.Question == nil || *again.Question != *first.Question {
		t.Fatalf("repeated next = %+v, want %+v", again.Question, first.Question)
	}

	r := c.next(iv.ID, answerBody(strongAnswer, "s-1"))
	if r.Ack == nil || *r.Ack != 2 || r.Question == nil || r.Question.Seq != 3 {
		t.Fatalf("answer = %+v", r)
	}
	// The answer's response was lost too: resent, it is acked again and
	// stored once.
	if again := c.next(iv.ID, answerBody(strongAnswer, "s-1")); again.Ack == nil || *again.Ack != 2 || *again.Question != *r.Question {
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
	for i := 2; q != nil; i++ {
		if i > 2*(agent.MaxFollowUps+1)+1 {
			t.Fatal("the interview does not end")
		}
		r = c.next(iv.ID, answerBody("I measured it myself: errors fell from 40 a day to 3 within two weeks, and I now check the dashboard every morning.", "s-"+strconv.Itoa(i)))
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
	if done := c.next(iv.ID, `{}`); done.Status != "complete" || done.Debrief == nil || done.Question != nil {
		t.Fatalf("next after the end = %+v", done)
	}
	var e errorBody
	if code := c.do("POST", "/api/v1/interviews/"+iv.ID+"/next", answerBody("one more thing", "late"), &e); code != 409 || e.Error.Code != agent.ENOPENDINGQUESTION {
		t.Errorf("an answer after the end = %d %+v", code, e)
	}
	for _, bad := range []struct{ body, code string }{
		{`{"answer":""}`, agent.EEMPTYANSWER},
		{`{"answer":3}`, agent.EINVALIDJSON},
		{`not json`, agent.EINVALIDJSON},
	} {
		iv2 := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`)
		c.next(iv2.ID, `{}`)
		if code := c.do("POST", "/api/v1/interviews/"+iv2.ID+"/next", bad.body, &e); code != 400 || e.Error.Code != bad.code {
			t.Errorf("next %s = %d %+v, want 400 %s", bad.body, code, e, bad.code)
		}
		c.do("GET", "/api/v1/interviews/"+iv2.ID, "", &got)
		if len(got.Turns) != 1 {
			t.Errorf("a refused answer changed the transcript: %d turns", len(got.Turns))
		}
	}
}
