package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// pingInterval is how often idle WebSockets are pinged; a peer that does not
// answer within pingTimeout is dropped.
const (
	pingInterval = 30 * time.Second
	pingTimeout  = 15 * time.Second
)

// hub knows the sessions connected to this process. It lets a newer
// connection to an interview supersede the older one, pings every idle
// session from one ticker with a bounded number of pings in flight, and
// drains the sessions when the server shuts down.
type hub struct {
	mu       sync.Mutex
	sessions map[string]*session // by interview id
	// live holds the sessions between add and remove, superseded ones
	// included; closing is set once shutdown began, and drained is closed
	// when live empties after that.
	live    map[*session]struct{}
	closing bool
	drained chan struct{}
}

func newHub() *hub {
	return &hub{sessions: map[string]*session{}, live: map[*session]struct{}{}, drained: make(chan struct{})}
}

// add registers s as the driver of its interview and supersedes the session
// it replaces, if any. It returns false, registering nothing, once the
// server is shutting down.
func (h *hub) add(s *session) bool {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return false
	}
	old := h.sessions[s.id]
	h.sessions[s.id] = s
	h.live[s] = struct{}{}
	h.mu.Unlock()
	if old != nil {
		go old.supersede()
	}
	return true
}

// claimed supersedes the local session of an interview that a newer
// connection, perhaps to another process, has claimed, and closes it when
// the claim announces a deletion.
func (h *hub) claimed(id string, gen int64) {
	if gen == agent.GenerationDeleted {
		h.deleted(id)
		return
	}
	h.mu.Lock()
	s := h.sessions[id]
	h.mu.Unlock()
	if s != nil && s.gen < gen {
		go s.supersede()
	}
}

// deleted closes the local session of an interview that was deleted, if
// there is one, telling its client why.
func (h *hub) deleted(id string) {
	h.mu.Lock()
	s := h.sessions[id]
	h.mu.Unlock()
	if s != nil {
		go s.closeWith(agent.EINTERVIEWDELETED, "this interview was deleted", StatusInterviewDeleted, "interview deleted")
	}
}

// remove forgets s unless a newer session already replaced it, and counts
// its handler as finished.
func (h *hub) remove(s *session) {
	h.mu.Lock()
	if h.sessions[s.id] == s {
		delete(h.sessions, s.id)
	}
	delete(h.live, s)
	if h.closing && len(h.live) == 0 {
		close(h.drained)
	}
	h.mu.Unlock()
}

func (h *hub) snapshot() []*session {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		out = append(out, s)
	}
	return out
}

// start runs the ping scheduler until ctx ends.
func (h *hub) start(ctx context.Context) {
	go func() {
		t := time.NewTicker(pingInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				h.pingAll(ctx)
			}
		}
	}()
}

// maxPingers bounds the pings in flight at once: each waits for its pong
// on a goroutine of its own, so a round over many idle connections runs
// this many goroutines at a time, not one per connection.
const maxPingers = 64

// pingAll pings every idle session in turn, at most maxPingers at once,
// and returns when the last ping of the round has been started.
func (h *hub) pingAll(ctx context.Context) {
	slots := make(chan struct{}, maxPingers)
	for _, s := range h.snapshot() {
		if s.busy.Load() {
			continue // its reader is not reading, so a pong could not arrive
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		go func() {
			defer func() { <-slots }()
			s.ping(ctx)
		}()
	}
}

// keyCheckInterval is how often the keys of open connections are read
// again, so that a key revoked by any process closes them.
const keyCheckInterval = time.Second

// watchKeys closes, until ctx ends, the sessions whose API key has been
// revoked or deleted. It reads each key with a session open once per
// keyCheckInterval; nothing about a key is cached in between.
func (h *hub) watchKeys(ctx context.Context, keys agent.KeyStore, logger *slog.Logger) {
	t := time.NewTicker(keyCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		byKey := map[string][]*session{}
		for _, s := range h.snapshot() {
			if s.keyID != "" {
				byKey[s.keyID] = append(byKey[s.keyID], s)
			}
		}
		for id, sessions := range byKey {
			k, err := keys.Key(ctx, id)
			if err != nil && agent.ErrorCode(err) != agent.ENOTFOUND {
				if ctx.Err() == nil {
					logger.Error("check api key", "key_id", id, "err", err)
				}
				continue
			}
			if err == nil && !k.Revoked() {
				continue
			}
			for _, s := range sessions {
				go s.revoke()
			}
		}
	}
}

// maxClosers bounds the sessions shutdown closes at once. Each closer
// waits for its peer's answer to the close at most restartWait.
const maxClosers = 128

// shutdown refuses new sessions and asks each one to stop: an idle session
// is told server_restarting and closed with 1012 at once, a session in the
// middle of a turn once the turn is stored and acknowledged. It waits for
// every session to end until ctx ends, then cuts the rest without a close
// handshake and returns ctx's error.
func (h *hub) shutdown(ctx context.Context) error {
	h.mu.Lock()
	first := !h.closing
	h.closing = true
	if first && len(h.live) == 0 {
		close(h.drained)
	}
	h.mu.Unlock()
	if first {
		go h.stopAll(ctx)
	}
	select {
	case <-h.drained:
		return nil
	case <-ctx.Done():
	}
	h.mu.Lock()
	left := make([]*session, 0, len(h.live))
	for s := range h.live {
		left = append(left, s)
	}
	h.mu.Unlock()
	for _, s := range left {
		s.cut()
	}
	return ctx.Err()
}

// stopAll stops every registered session, at most maxClosers at once, until
// ctx ends. Superseded sessions are no longer registered, but they close
// themselves all the same.
func (h *hub) stopAll(ctx context.Context) {
	slots := make(chan struct{}, maxClosers)
	for _, s := range h.snapshot() {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		go func() {
			defer func() { <-slots }()
			s.stop()
		}()
	}
}

// wait waits up to d for every session's handler to return.
func (h *hub) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-h.drained:
	case <-t.C:
	}
}
