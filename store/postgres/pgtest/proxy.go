package pgtest

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Proxy relays TCP connections to a PostgreSQL server, so that a test can
// take the server out of reach of the code under test, and only of it,
// without stopping a server other tests share: Cut drops every relayed
// connection and refuses new ones.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	cut    bool
	wg     sync.WaitGroup
}

// NewProxy starts a proxy to the server of databaseURL (a postgres:// URL)
// and returns the proxy and databaseURL pointed at it. The proxy is cut
// when the test ends.
func NewProxy(t testing.TB, databaseURL string) (*Proxy, string) {
	t.Helper()
	if !strings.Contains(databaseURL, "://") {
		t.Skip("pgtest: the proxy needs TEST_DATABASE_URL as a postgres:// URL")
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatalf("pgtest: database URL: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	p := &Proxy{ln: ln, target: u.Host, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Cut)
	u.Host = ln.Addr().String()
	return p, u.String()
}

// accept relays each accepted connection until the listener is closed.
func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, s) {
			c.Close()
			s.Close()
			return
		}
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

// track registers the two ends of a relayed connection; it reports false
// once the proxy is cut.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// pipe copies from src to dst, then closes both.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	// Either end closing, or Cut, ends the relay in both directions.
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// Cut closes every relayed connection and the listener, so that the
// server is out of reach: connections in use fail, new ones are refused.
// It returns once the relays have stopped, and may be called again.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
