package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// DefaultNextWait is how long POST …/next waits for a debrief being
// graded before it answers with the status alone, unless Server.NextWait
// says otherwise.
const DefaultNextWait = 30 * time.Second

// nextRoute is the path of POST …/next as Echo names it.
const nextRoute = "/api/v1/interviews/:id/next"

// skipNextBody keeps the body limit of every route off POST …/next, which
// limitNextBody limits instead.
func skipNextBody(c echo.Context) bool { return c.Path() == nextRoute }

// limitNextBody refuses a body of POST …/next over messageLimit with 413
// body_too_large: an answer takes as many bytes on this route as in a
// WebSocket message, and the configuration makes sure that the longest
// answer allowed fits.
func (s *Server) limitNextBody(next echo.HandlerFunc) echo.HandlerFunc {
	return s.limitBody(s.messageLimit, nil)(next)
}

// nextRequest is the body of POST /api/v1/interviews/{id}/next: empty to
// get the pending question, or an answer to it.
type nextRequest struct {
	Answer   *string `json:"answer"`
	ClientID string  `json:"client_id"`
}

// nextResponse is what POST …/next answers: the seq of the stored answer,
// the question now waiting, or the debrief once there is one.
type nextResponse struct {
	Ack      *int           `json:"ack"`
	Question *agent.Turn    `json:"question"`
	Status   agent.Status   `json:"status"`
	Debrief  *agent.Debrief `json:"debrief"`
}

// handleNext drives an interview over plain HTTP, one call per turn. It
// claims the interview like a WebSocket connection does, so a socket open
// on it is superseded, and it can be called again after a lost response:
// an empty body returns the same pending question, and an answer resent
// with the same client_id is stored once.
func (s *Server) handleNext(c echo.Context) error {
	start := time.Now()
	var req nextRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ownerID, id := owner(c), c.Param("id")
	iv, err := s.Service.Get(ctx, ownerID, id)
	if err != nil {
		return s.writeError(c, err)
	}
	var res nextResponse
	gen := int64(0)
	if iv.Status == agent.StatusInProgress {
		if gen, err = s.Service.Store.Claim(ctx, id); err != nil {
			return s.writeError(c, err)
		}
		s.hub.claimed(id, gen)
	}
	if req.Answer != nil {
		t, after, err := s.Service.Answer(ctx, ownerID, id, gen, *req.Answer, req.ClientID)
		if err != nil {
			return s.writeError(c, err)
		}
		res.Ack, iv = &t.Seq, after
		s.Metrics.ObserveAnswer(TransportHTTP, id)
	}
	iv, q, err := s.Service.AdvanceFrom(ctx, iv, gen, nil)
	if err != nil {
		return s.writeError(c, err)
	}
	if req.Answer != nil && q != nil {
		s.Metrics.ObserveQuestion(TransportHTTP, start)
	}
	res.Question, res.Status, res.Debrief = q, iv.Status, iv.Debrief
	if iv.Status == agent.StatusGrading {
		res.Status, res.Debrief = s.awaitDebrief(ctx, ownerID, id)
	}
	return c.JSON(http.StatusOK, res)
}

// awaitDebrief grades an interview, or waits for the grading already
// running in this process, for up to NextWait. Grading goes on after the
// wait or the request ends; the debrief is then read from the store.
func (s *Server) awaitDebrief(ctx context.Context, ownerID, id string) (agent.Status, *agent.Debrief) {
	done := s.grader.grade(s.ctx, s.Service, ownerID, id)
	wait := s.NextWait
	if wait <= 0 {
		wait = DefaultNextWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			s.Logger.Error("grading", "interview", id, "err", r.err)
			return agent.StatusGrading, nil
		}
		return agent.StatusComplete, r.debrief
	case <-t.C:
	case <-ctx.Done():
	}
	return agent.StatusGrading, nil
}

// A grader runs at most one grading per interview in this process, for
// every request that waits on it.
type grader struct {
	mu      sync.Mutex
	running map[string]*grading
}

type grading struct {
	done    chan struct{}
	debrief *agent.Debrief
	err     error
}

type gradeResult struct {
	debrief *agent.Debrief
	err     error
}

// grade starts grading id unless it is already running, and returns a
// channel that receives the outcome.
func (g *grader) grade(ctx context.Context, svc *agent.Service, ownerID, id string) <-chan gradeResult {
	g.mu.Lock()
	if g.running == nil {
		g.running = map[string]*grading{}
	}
	run, ok := g.running[id]
	if !ok {
		run = &grading{done: make(chan struct{})}
		g.running[id] = run
		go func() {
			run.debrief, run.err = svc.Grade(ctx, ownerID, id)
			g.mu.Lock()
			delete(g.running, id)
			g.mu.Unlock()
			close(run.done)
		}()
	}
	g.mu.Unlock()
	out := make(chan gradeResult, 1)
	go func() {
		<-run.done
		out <- gradeResult{run.debrief, run.err}
	}()
	return out
}
