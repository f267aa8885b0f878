package web

import (
	"net/http"
	"sync"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// DefaultWSPerIP is how many WebSockets one client address may hold open
// at once unless configured otherwise: enough for an office behind one
// NAT address.
const DefaultWSPerIP = 1000

// ipCounter counts the WebSockets open from each client address, up to a
// cap. Addresses with none open are forgotten.
type ipCounter struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// newIPCounter returns a counter that lets each address hold max
// connections; a max of zero or less means no cap, and a nil counter.
func newIPCounter(max int) *ipCounter {
	if max <= 0 {
		return nil
	}
	return &ipCounter{max: max, n: map[string]int{}}
}

// acquire counts one more connection from ip, unless ip is at the cap.
func (c *ipCounter) acquire(ip string) bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[ip] >= c.max {
		return false
	}
	c.n[ip]++
	return true
}

// release counts one connection from ip as closed.
func (c *ipCounter) release(ip string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[ip]--; c.n[ip] <= 0 {
		delete(c.n, ip)
	}
}

// limitWSPerIP refuses, with 429 too_many_connections and before any
// upgrade, a WebSocket from a client address that holds WSPerIP open
// already. The address is Echo's RealIP: the peer's, or with TrustProxy
// the right-most X-Forwarded-For entry outside loopback, link-local and
// private ranges.
func (s *Server) limitWSPerIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ip := c.RealIP()
		if !s.wsPerIP.acquire(ip) {
			s.Logger.Info("websocket refused: too many from one address", "request_id", requestID(c))
			return c.JSON(http.StatusTooManyRequests, errorBody{errorDetail{agent.ETOOMANYCONNECTIONS,
				"Too many WebSockets are open from your address; close one and try again."}})
		}
		defer s.wsPerIP.release(ip)
		return next(c)
	}
}

// keep counts one more connection from ip, past the cap if need be. A
// WebSocket's session outlives its handler, and with it the place
// limitWSPerIP took for it and gives back when the handler returns; the
// session takes its own with keep and gives it back when it ends.
func (c *ipCounter) keep(ip string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[ip]++
}
