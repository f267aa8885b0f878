package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// The backoff between attempts: exponential from backoffBase, doubling, capped
// at backoffCap, with full jitter; a server's Retry-After replaces it, capped
// at maxRetryAfter so that a confused server cannot stall an interview.
var (
	backoffBase   = 200 * time.Millisecond
	backoffCap    = 5 * time.Second
	maxRetryAfter = 10 * time.Second
)

// Stats counts the calls a Model or an Embedder made. A call is one Decide,
// Ask or Grade, or one batch of Embed; Retries counts the attempts made after
// a call's first, Failures the calls that still failed after them.
type Stats struct {
	Calls    int64
	Failures int64
	Retries  int64
}

type counters struct {
	calls, failures, retries atomic.Int64
}

func (c *counters) stats() Stats {
	return Stats{Calls: c.calls.Load(), Failures: c.failures.Load(), Retries: c.retries.Load()}
}

// outputError is a response that arrived but cannot be used: a stream cut
// off before its end, an empty answer, JSON that does not parse. It counts as
// a failed attempt and is retried.
type outputError struct {
	msg string
	err error
}

func (e *outputError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *outputError) Unwrap() error { return e.err }

func badOutput(msg string, err error) error { return &outputError{msg: msg, err: err} }

// caller runs API calls with a deadline per attempt and retries.
type caller struct {
	client  *goopenai.Client
	timeout time.Duration
	retries int
	log     *slog.Logger
	count   counters
}

// do runs attempt until it succeeds, fails for good or runs out of retries.
// Each attempt gets its own deadline and a retryHint in its context for the
// transport to record the server's Retry-After.
func (c *caller) do(ctx context.Context, op string, attempt func(ctx context.Context) error) error {
	c.count.calls.Add(1)
	for i := 0; ; i++ {
		hint := &retryHint{}
		actx, cancel := context.WithTimeout(withHint(ctx, hint), c.timeout)
		start := time.Now()
		err := attempt(actx)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			if i > 0 {
				c.log.Info("openai call succeeded after retries", "op", op, "attempts", i+1)
			}
			return nil
		}
		if timedOut {
			err = fmt.Errorf("attempt timed out after %s: %w", c.timeout, err)
		}
		if ctx.Err() != nil {
			c.count.failures.Add(1)
			c.log.Warn("openai call abandoned", "op", op, "attempt", i+1, "err", err)
			return err
		}
		retry := timedOut || retryable(err)
		if !retry || i >= c.retries {
			c.count.failures.Add(1)
			c.log.Warn("openai call failed", "op", op, "attempts", i+1, "status", statusOf(err),
				"retryable", retry, "elapsed", time.Since(start), "err", err)
			if i > 0 {
				return fmt.Errorf("%d attempts: %w", i+1, err)
			}
			return err
		}
		wait, fromServer := c.wait(i, hint)
		c.count.retries.Add(1)
		c.log.Warn("openai call failed; retrying", "op", op, "attempt", i+1, "status", statusOf(err),
			"wait", wait, "retry_after", fromServer, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			c.count.failures.Add(1)
			return fmt.Errorf("%w (while waiting to retry after: %v)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// wait is how long to sleep before retry number i+1: the server's
// Retry-After when it sent one, else exponential backoff with full jitter.
func (c *caller) wait(i int, hint *retryHint) (time.Duration, bool) {
	if d, ok := hint.get(); ok {
		return min(d, maxRetryAfter), true
	}
	return backoff(i), false
}

// backoff returns a random duration in [0, min(cap, base·2^i)).
func backoff(i int) time.Duration {
	d := backoffCap
	if i < 30 {
		d = min(backoffBase<<i, backoffCap)
	}
	return time.Duration(rand.Int64N(int64(d)))
}

// retryable reports whether a failed attempt is worth repeating: rate limits,
// server errors, connection failures and unusable output are; requests the
// server refused as wrong (400, 401, 403, 404, …) and errors of the client
// library's own checks are not.
func retryable(err error) bool {
	var oe *outputError
	if errors.As(err, &oe) {
		return true
	}
	if s := statusOf(err); s != 0 {
		return s == 408 || s == 409 || s == 429 || s >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te)
}

// statusOf returns the HTTP status of a failed response, or 0.
func statusOf(err error) int {
	var ae *goopenai.APIError
	if errors.As(err, &ae) && ae.HTTPStatusCode != 0 {
		return ae.HTTPStatusCode
	}
	var re *goopenai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	return 0
}

// errorText returns what the server said about a failed response.
func errorText(err error) string {
	var ae *goopenai.APIError
	if errors.As(err, &ae) {
		s := ae.Message + " " + ae.Type
		if ae.Param != nil {
			s += " " + *ae.Param
		}
		if code, ok := ae.Code.(string); ok {
			s += " " + code
		}
		return s
	}
	var re *goopenai.RequestError
	if errors.As(err, &re) {
		return string(re.Body)
	}
	return err.Error()
}

// rejectsSchema reports whether err is a server's refusal of a structured
// response_format: a 400 that names it, or any 400 when the server has not
// yet shown that it accepts one.
func rejectsSchema(err error, untested bool) bool {
	if statusOf(err) != 400 {
		return false
	}
	if untested {
		return true
	}
	return mentionsSchema(err)
}

func mentionsSchema(err error) bool {
	t := strings.ToLower(errorText(err))
	return strings.Contains(t, "response_format") || strings.Contains(t, "json_schema") ||
		strings.Contains(t, "response format") || strings.Contains(t, "json schema")
}
