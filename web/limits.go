package web

import (
	"math"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// Default limits; cmd/barraiser documents how to change them.
const (
	DefaultRateLimit = 120 // requests per minute per owner
	DefaultRateBurst = 40  // requests an owner may make at once
)

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
