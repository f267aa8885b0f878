package openai

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// go-openai's errors carry the status and the message of a failed response
// but not its headers, so the Retry-After a server sends with a 429 or a 503
// would be lost. hintTransport reads it on the way back and stores it in a
// retryHint that the retry loop put in the request's context before the call.

// retryHint is what the transport learnt about one attempt.
type retryHint struct {
	after atomic.Int64 // the server's Retry-After, in nanoseconds
	set   atomic.Bool  // whether the server sent one
}

// get returns the Retry-After recorded, if any.
func (h *retryHint) get() (time.Duration, bool) {
	if h == nil || !h.set.Load() {
		return 0, false
	}
	return time.Duration(h.after.Load()), true
}

type hintKey struct{}

// withHint returns ctx carrying h for the transport to fill in.
func withHint(ctx context.Context, h *retryHint) context.Context {
	return context.WithValue(ctx, hintKey{}, h)
}

// hintFrom returns the hint stored in ctx, or nil.
func hintFrom(ctx context.Context) *retryHint {
	h, _ := ctx.Value(hintKey{}).(*retryHint)
	return h
}

// hintTransport wraps the client's RoundTripper to record Retry-After.
type hintTransport struct {
	base http.RoundTripper
}

// RoundTrip sends req and records the response's Retry-After, if any, in the
// hint carried by the request's context.
func (t hintTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		if h := hintFrom(req.Context()); h != nil {
			if d, ok := retryAfter(resp.Header, time.Now()); ok {
				h.after.Store(int64(d))
				h.set.Store(true)
			}
		}
	}
	return resp, err
}

// wrapClient returns a copy of c (or of a fresh client when c is nil) whose
// transport records Retry-After. The caller's client is left untouched.
func wrapClient(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = hintTransport{base: base}
	return &out
}

// retryAfter reads how long a server asks the client to wait: the
// non-standard retry-after-ms that OpenAI and Azure send, else Retry-After as
// a number of seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
