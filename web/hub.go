package web

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
)

// pingInterval is how often idle WebSockets are pinged; a peer that does not
// answer within pingTimeout is dropped.
const (
	pingInterval = 30 * time.Second
	pingTimeout  = 15 * time.Second
)

// hub knows the sessions connected to this process. It lets a newer
// connection to an interview supersede the older one, and pings every idle
// session from one goroutine rather than one per connection.
type hub struct {
	mu       sync.Mutex
	sessions map[string]*session // by interview id
}

func newHub() *hub {
	return &hub{sessions: map[string]*session{}}
}

// add registers s as the driver of its interview and supersedes the session
// it replaces, if any.
func (h *hub) add(s *session) {
	h.mu.Lock()
	old := h.sessions[s.id]
	h.sessions[s.id] = s
	h.mu.Unlock()
	if old != nil {
		go old.supersede()
	}
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

// remove forgets s unless a newer session already replaced it.
func (h *hub) remove(s *session) {
	h.mu.Lock()
	if h.sessions[s.id] == s {
		delete(h.sessions, s.id)
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
				for _, s := range h.snapshot() {
					if s.busy.Load() {
						continue // its reader is not reading, so a pong could not arrive
					}
					go s.ping(ctx)
				}
			}
		}
	}()
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

// closeAll tells every session the server is going away, all at once: each
// close waits for the peer's reply to the close handshake.
func (h *hub) closeAll() {
	var wg sync.WaitGroup
	for _, s := range h.snapshot() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.conn.Close(websocket.StatusGoingAway, "server shutting down")
		}()
	}
	wg.Wait()
}
