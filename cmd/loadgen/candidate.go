package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/client"
)

// The roles and levels a candidate draws its interviews from.
var (
	roles  = []string{"sde", "em", "pm", "tpm", "general"}
	levels = []string{"L4", "L5", "L6", "L7", "L8"}
)

// failure is an error with the code it is counted under.
type failure struct {
	code string
	err  error
}

func (f *failure) Error() string { return f.code + ": " + f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// failWith wraps err to be counted under code.
func failWith(code string, err error) error { return &failure{code: code, err: err} }

// classify names the kind of err, for the error counts: the code the
// server gave, the close status it sent, or the kind of network failure.
func classify(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.code
	}
	if code := client.ErrorCode(err); code != "" {
		return "http:" + code
	}
	if st := client.CloseStatus(err); st != -1 {
		return "close:" + strconv.Itoa(st)
	}
	for _, e := range []struct {
		target error
		code   string
	}{
		{syscall.ECONNREFUSED, "net:refused"},
		{syscall.ECONNRESET, "net:reset"},
		{syscall.EPIPE, "net:broken_pipe"},
		{syscall.EMFILE, "net:too_many_open_files"},
		{syscall.ENFILE, "net:too_many_open_files"},
		{syscall.EADDRNOTAVAIL, "net:no_free_port"},
		{context.DeadlineExceeded, "timeout"},
		{io.ErrUnexpectedEOF, "net:eof"},
		{io.EOF, "net:eof"},
	} {
		if errors.Is(err, e.target) {
			return e.code
		}
	}
	return "other"
}

// candidate is one simulated person: an owner of its own, by the cookie
// the server gives its cookie jar, doing one interview at a time.
type candidate struct {
	r   *runner
	n   int
	rng *rand.Rand
	hc  *http.Client
	api *client.Client

	hasOwner bool
	answers  int
}

func (r *runner) newCandidate(n int) *candidate {
	jar, _ := cookiejar.New(nil)
	// No Timeout on the client: the WebSocket handshake refuses one, and
	// every call has a context instead.
	hc := &http.Client{Jar: jar, Transport: r.transport}
	return &candidate{r: r, n: n, rng: rand.New(rand.NewPCG(r.cfg.Seed, uint64(n))), hc: hc,
		api: client.New(r.cfg.Target, "", client.WithHTTPClient(hc), client.WithReadLimit(1<<20))}
}

// runActive plays interviews one after another until ctx ends. An
// interview that fails is counted, left, and replaced after a pause.
func (c *candidate) runActive(ctx context.Context) {
	for ctx.Err() == nil {
		err := c.interview(ctx)
		if err == nil || ctx.Err() != nil {
			continue
		}
		c.r.st.fail(classify(err))
		c.r.log.Debug("interview failed", "candidate", c.n, "err", err)
		sleep(ctx, time.Second+time.Duration(c.rng.Int64N(int64(time.Second))))
	}
}

// runIdle opens one interview, reads its first question, calls ready, and
// then holds the connection without a word until hold ends; ready is
// called on failure too. Any frame or close during the hold is an error.
func (c *candidate) runIdle(ctx, hold context.Context, ready func()) {
	conn, _, err := c.start(ctx)
	ready()
	if err != nil {
		if ctx.Err() == nil {
			c.r.st.fail(classify(err))
			c.r.log.Debug("idle open failed", "candidate", c.n, "err", err)
		}
		return
	}
	defer c.r.st.connected.Add(-1)
	f, err := conn.Recv(hold)
	if hold.Err() != nil {
		// Recv closed the connection when hold ended: that is the end.
		return
	}
	conn.CloseNow()
	switch {
	case err != nil:
		c.r.st.fail("idle:" + classify(err))
	case f.Type == client.FrameError:
		c.r.st.fail("idle:frame:" + f.Code)
	default:
		c.r.st.fail("idle:unexpected_frame:" + f.Type)
	}
}

// start makes the candidate an owner if it is not one yet, creates an
// interview, opens its WebSocket and reads up to the first question. The
// connection is counted in stats.connected; the caller uncounts it.
func (c *candidate) start(ctx context.Context) (*client.Conn, string, error) {
	if err := c.r.acquire(ctx); err != nil {
		return nil, "", err
	}
	if !c.hasOwner {
		if err := c.becomeOwner(ctx); err != nil {
			c.r.release()
			return nil, "", err
		}
	}
	n := c.r.cfg.Principles
	cr, err := c.api.CreateInterview(ctx, agent.CreateRequest{Role: roles[c.rng.IntN(len(roles))],
		Level: levels[c.rng.IntN(len(levels))], PrincipleCount: &n})
	if err != nil {
		c.r.release()
		return nil, "", err
	}
	began := time.Now()
	conn, err := c.api.Dial(ctx, cr.ID)
	c.r.release()
	if err != nil {
		c.discard(ctx, cr.ID)
		return nil, "", err
	}
	c.r.st.opened.Add(1)
	c.r.st.connected.Add(1)
	first, err := c.recv(ctx, conn)
	if err == nil && first.Type != client.FrameSession {
		err = failWith("unexpected_frame:"+first.Type, fmt.Errorf("the first frame is %q, not session", first.Type))
	}
	if err == nil {
		var final bool
		final, err = c.await(ctx, conn, began, LatencyOpen)
		if err == nil && final {
			err = failWith("no_question", errors.New("a new interview ended before its first question"))
		}
	}
	if err != nil {
		conn.CloseNow()
		c.r.st.connected.Add(-1)
		c.discard(ctx, cr.ID)
		return nil, "", err
	}
	return conn, cr.ID, nil
}

// becomeOwner fetches the app page, which gives the jar an owner cookie.
func (c *candidate) becomeOwner(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.r.cfg.Target+"/", nil)
	if err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return failWith("http:owner_"+strconv.Itoa(resp.StatusCode), fmt.Errorf("GET / answered %s", resp.Status))
	}
	u, _ := url.Parse(c.r.cfg.Target)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "br_owner" {
			c.hasOwner = true
			return nil
		}
	}
	return failWith("no_owner_cookie", errors.New("GET / set no br_owner cookie"))
}

// interview plays one whole interview to its debrief. It returns nil as
// soon as ctx ends. An interview that fails half-way is deleted.
func (c *candidate) interview(ctx context.Context) (err error) {
	conn, id, err := c.start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		conn.CloseNow()
		c.r.st.connected.Add(-1)
		if err != nil {
			c.discard(ctx, id)
		}
	}()
	for {
		think := c.r.cfg.ThinkMin
		if spread := c.r.cfg.ThinkMax - c.r.cfg.ThinkMin; spread > 0 {
			think += time.Duration(c.rng.Int64N(int64(spread) + 1))
		}
		if !sleep(ctx, think) {
			return nil
		}
		c.answers++
		sent := time.Now()
		if err := conn.Answer(ctx, answer(c.rng), "c"+strconv.Itoa(c.n)+"-"+strconv.Itoa(c.answers)); err != nil {
			return err
		}
		final, err := c.await(ctx, conn, sent, LatencyTurn)
		if err != nil {
			return err
		}
		if final {
			return nil
		}
	}
}

// await reads frames until the next question, recording the time from
// since to it as a latency of kind, or until the debrief (final is then
// true). An acknowledged answer counts as a turn.
func (c *candidate) await(ctx context.Context, conn *client.Conn, since time.Time, kind string) (final bool, err error) {
	st := c.r.st
	streamed := false
	for {
		f, err := c.recv(ctx, conn)
		if err != nil {
			return false, err
		}
		switch f.Type {
		case client.FrameAck:
			st.turns.Add(1)
		case client.FrameQuestionDelta:
			if !streamed && kind == LatencyTurn {
				st.observe(LatencyFirstDelta, time.Since(since))
			}
			streamed = true
		case client.FrameQuestion:
			st.observe(kind, time.Since(since))
			return false, nil
		case client.FrameGrading:
		case client.FrameDebrief:
			st.observe(LatencyDebrief, time.Since(since))
			c.r.complete()
			by := "unknown"
			if f.Debrief != nil {
				by = f.Debrief.GradedBy
			}
			st.graded(by)
			return true, nil
		case client.FrameError:
			return false, failWith("frame:"+f.Code, errors.New(f.Message))
		default:
			return false, failWith("unexpected_frame:"+f.Type, fmt.Errorf("unexpected frame %q", f.Type))
		}
	}
}

// recv reads one frame, waiting at most the turn timeout.
func (c *candidate) recv(ctx context.Context, conn *client.Conn) (client.Frame, error) {
	rctx, cancel := context.WithTimeout(ctx, c.r.cfg.TurnTimeout)
	defer cancel()
	f, err := conn.Recv(rctx)
	if err != nil && ctx.Err() == nil && rctx.Err() != nil {
		return f, failWith("timeout", err)
	}
	return f, err
}

// discard deletes an interview the candidate gives up on, so that broken
// interviews do not pile up against the owner's limit of open ones. It
// does its best and reports nothing.
func (c *candidate) discard(ctx context.Context, id string) {
	if ctx.Err() != nil {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(dctx, http.MethodDelete, c.r.cfg.Target+"/api/v1/interviews/"+url.PathEscape(id), nil)
	if err != nil {
		return
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
