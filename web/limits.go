package web

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Default limits; cmd/barraiser documents how to change them.
const (
	DefaultRateLimit = 120 // requests per minute per owner
	DefaultRateBurst = 40  // requests an owner may make at once
)

// Request body limits, in bytes. DefaultMaxBodyBytes is the default of
// Server.MaxBodyBytes, which caps the body of every route but POST …/next
// and fits a 10,000-character focus in any UTF-8. Routes that take no body
// or a small one are capped lower still, at maxEmptyBody and maxSmallBody
// (or MaxBodyBytes when it is lower). POST …/next takes up to the
// WebSocket message limit instead, so that an answer fits whatever
// MAX_ANSWER_CHARS allows. A larger body is refused with 413
// body_too_large.
const (
	DefaultMaxBodyBytes = 64 << 10
	maxEmptyBody        = 1 << 10
	maxSmallBody        = 4 << 10
)

// maxBody returns the body limit of the routes without a lower cap.
func (s *Server) maxBody() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// limitBody refuses a body over limit() bytes with 413 body_too_large,
// unless skip says otherwise. limit is read at the first request, once the
// server's fields are set.
func (s *Server) limitBody(limit func() int64, skip middleware.Skipper) echo.MiddlewareFunc {
	mw := sync.OnceValue(func() echo.MiddlewareFunc {
		return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit:   strconv.FormatInt(limit(), 10),
			Skipper: skip,
		})
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return mw()(next)(c) }
	}
}

// limitBodyTo is limitBody for a route capped at n bytes, or at the
// server's own limit when that is lower.
func (s *Server) limitBodyTo(n int64) echo.MiddlewareFunc {
	return s.limitBody(func() int64 { return min(n, s.maxBody()) }, nil)
}

// Defaults of the WebSocket limits; cmd/barraiser documents how to change
// them.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultWSFrameRate = 20 // frames a client may send every frameWindow
)

// frameWindow is the period WSFrameRate counts frames over.
const frameWindow = 10 * time.Second

// frameBucket limits the frames one WebSocket client sends: rate frames
// at once, refilled evenly over frameWindow. Only the session's reader
// uses it, so it needs no lock.
type frameBucket struct {
	rate   float64
	tokens float64
	at     time.Time
	// refused counts the frames refused since one was last let through.
	refused int
}

func newFrameBucket(rate int, now time.Time) *frameBucket {
	if rate <= 0 {
		return nil
	}
	return &frameBucket{rate: float64(rate), tokens: float64(rate), at: now}
}

// take lets a frame read at now through, or counts it refused.
func (b *frameBucket) take(now time.Time) bool {
	if b == nil {
		return true
	}
	b.tokens = math.Min(b.rate, b.tokens+now.Sub(b.at).Seconds()*b.rate/frameWindow.Seconds())
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		b.refused = 0
		return true
	}
	b.refused++
	return false
}

// rateLimiter keeps one token bucket per owner in this process: an owner
// may make burst requests at once, and one more every minute/perMinute.
// Buckets that are full again are dropped, so idle owners cost nothing.
type rateLimiter struct {
	perMinute float64
	burst     float64
	now       func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(perMinute, burst int) *rateLimiter {
	return &rateLimiter{perMinute: float64(perMinute), burst: float64(max(burst, 1)), now: time.Now,
		buckets: map[string]*bucket{}}
}

// allow takes a token from owner's bucket. When there is none it returns
// false and how long until there will be.
func (l *rateLimiter) allow(owner string) (bool, time.Duration) {
	if l == nil || l.perMinute <= 0 {
		return true, 0
	}
	now := l.now()
	rate := l.perMinute / 60 // tokens per second
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now, rate)
	b, ok := l.buckets[owner]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[owner] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	return false, wait
}

// sweep drops, once a minute, the buckets that have refilled.
func (l *rateLimiter) sweep(now time.Time, rate float64) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for id, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*rate >= l.burst {
			delete(l.buckets, id)
		}
	}
}

// limitRate answers 429 rate_limited, with Retry-After, to an owner over
// its request rate.
func (s *Server) limitRate(c echo.Context, owner string) error {
	ok, wait := s.limiter.allow(owner)
	if ok {
		return nil
	}
	wait = max(wait, time.Second)
	e := agent.Errorf(agent.ERATELIMITED, "Too many requests: the limit is %g a minute. Try again in %d s.",
		s.limiter.perMinute, int(math.Ceil(wait.Seconds())))
	e.RetryAfter = wait
	return e
}

// read waits for the client's next frame. When IdleTimeout passes first,
// the connection is closed with 1000 and the reason "idle", which ends the
// read. The timer is a runtime timer, armed only while the reader waits,
// not a goroutine of its own.
func (s *session) read(ctx context.Context) (websocket.MessageType, []byte, error) {
	if d := s.srv.IdleTimeout; d > 0 {
		if s.idle == nil {
			s.idle = time.AfterFunc(d, s.closeIdle)
		} else {
			s.idle.Reset(d)
		}
		defer s.idle.Stop()
	}
	return s.conn.Read(ctx)
}

// closeIdle closes a connection whose client stayed silent for
// IdleTimeout, unless it is being closed for another reason already.
func (s *session) closeIdle() {
	if s.replaced.Swap(true) {
		return
	}
	s.log.Info("websocket idle", "timeout", s.srv.IdleTimeout)
	s.close(websocket.StatusNormalClosure, "idle")
}

// overFrameRate applies WSFrameRate to the frame just read. A frame over
// the rate is refused, unread, with a rate_limited error frame (refused is
// true, keep true); a client that sends another full burst of frames while
// refused is closed with 1008 (keep false).
func (s *session) overFrameRate(ctx context.Context) (refused, keep bool) {
	if s.frames == nil {
		s.frames = newFrameBucket(s.srv.WSFrameRate, s.readAt)
	}
	if s.frames.take(s.readAt) {
		return false, true
	}
	if s.frames.refused > s.srv.WSFrameRate {
		s.log.Info("websocket flooding", "refused", s.frames.refused)
		s.closeWith(agent.ERATELIMITED, "Too many frames: the connection is closed.",
			websocket.StatusPolicyViolation, "too many frames")
		return true, false
	}
	return true, s.softError(ctx, agent.Errorf(agent.ERATELIMITED,
		"Too many frames: at most %d every %d s. This frame was ignored; send it again in a few seconds.",
		s.srv.WSFrameRate, int(frameWindow.Seconds())))
}

// messageLimit returns the largest WebSocket message, and POST …/next
// body, a client may send: MaxMessageBytes, or MaxFrameBytes when that is
// not set.
func (s *Server) messageLimit() int64 {
	if s.MaxMessageBytes > 0 {
		return s.MaxMessageBytes
	}
	return MaxFrameBytes
}
