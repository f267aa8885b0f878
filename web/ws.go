package web

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"
)

// Limits of the WebSocket protocol.
const (
	MaxFrameBytes = 64 << 10
	writeTimeout  = 10 * time.Second
	// StatusSuperseded closes a connection that a newer one replaced.
	StatusSuperseded websocket.StatusCode = 4001
	// StatusKeyRevoked closes the connections of an API key when it is
	// revoked.
	StatusKeyRevoked websocket.StatusCode = 4003
	// StatusInterviewDeleted closes the connection of an interview that
	// was deleted.
	StatusInterviewDeleted websocket.StatusCode = 4004
)

// Frames the server sends.
type (
	sessionFrame struct {
		Type      string           `json:"type"`
		Interview *agent.Interview `json:"interview"`
	}
	deltaFrame struct {
		Type string `json:"type"`
		Seq  int    `json:"seq"`
		Text string `json:"text"`
	}
	questionFrame struct {
		Type string     `json:"type"`
		Turn agent.Turn `json:"turn"`
	}
	ackFrame struct {
		Type     string `json:"type"`
		Seq      int    `json:"seq"`
		ClientID string `json:"client_id"`
	}
	debriefFrame struct {
		Type    string         `json:"type"`
		Debrief *agent.Debrief `json:"debrief"`
	}
	errorFrame struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	typeFrame struct {
		Type string `json:"type"`
	}
)

// clientFrame is any frame a client sends.
type clientFrame struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ClientID string `json:"client_id"`
}

// session is one WebSocket connection driving one interview. While idle it
// costs one goroutine, the reader; writes happen on the reader's goroutine
// or, for pings and supersession, on short-lived ones.
type session struct {
	srv      *Server
	conn     *websocket.Conn
	ownerID  string
	keyID    string // the API key it was opened with; "" for a browser owner
	id       string
	gen      int64
	busy     atomic.Bool
	replaced atomic.Bool
}

func (s *Server) handleWS(c echo.Context) error {
	r, w := c.Request(), c.Response()
	ownerID, id := owner(c), c.Param("id")
	// Refuse unknown and foreign interviews before the upgrade, as JSON.
	if _, err := s.Service.Get(r.Context(), ownerID, id); err != nil {
		return s.writeError(c, err)
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.OriginPatterns})
	if err != nil {
		// Accept has written the response (403 for a foreign Origin).
		s.Logger.Info("websocket refused", "interview", id, "err", err)
		return nil
	}
	defer conn.CloseNow()
	conn.SetReadLimit(MaxFrameBytes)

	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	gen, err := s.Service.Store.Claim(ctx, id)
	if err != nil {
		s.Logger.Error("websocket claim", "interview", id, "err", err)
		conn.Close(websocket.StatusInternalError, "internal error")
		return nil
	}
	sess := &session{srv: s, conn: conn, ownerID: ownerID, id: id, gen: gen}
	if k := callerKey(c); k != nil {
		sess.keyID = k.ID
	}
	s.hub.add(sess)
	defer s.hub.remove(sess)
	sess.run(ctx)
	return nil
}

// run sends the session, (re)sends the pending question and then serves
// frames until the interview completes or the peer goes away.
func (s *session) run(ctx context.Context) {
	s.busy.Store(true)
	iv, err := s.srv.Service.Get(ctx, s.ownerID, s.id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if !s.write(ctx, sessionFrame{"session", iv}) {
		return
	}
	if iv.Status == agent.StatusComplete {
		s.conn.Close(websocket.StatusNormalClosure, "interview complete")
		return
	}
	if !s.advance(ctx, iv) {
		return
	}
	for {
		s.busy.Store(false)
		typ, data, err := s.conn.Read(ctx)
		s.busy.Store(true)
		if err != nil {
			if !s.replaced.Load() && websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				s.srv.Logger.Debug("websocket read", "interview", s.id, "err", err)
			}
			return
		}
		if !s.handle(ctx, typ, data) {
			return
		}
	}
}

// handle serves one client frame. It returns false once the connection is
// finished with.
func (s *session) handle(ctx context.Context, typ websocket.MessageType, data []byte) bool {
	var f clientFrame
	if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil {
		return s.softError(ctx, agent.Errorf(agent.EINVALIDJSON, "frames must be JSON text objects"))
	}
	switch f.Type {
	case "answer":
		t, iv, err := s.srv.Service.Answer(ctx, s.ownerID, s.id, s.gen, f.Text, f.ClientID)
		if err != nil {
			return s.softError(ctx, err)
		}
		if !s.write(ctx, ackFrame{"ack", t.Seq, t.ClientID}) {
			return false
		}
		return s.advance(ctx, iv)
	case "end":
		if err := s.srv.Service.End(ctx, s.ownerID, s.id, s.gen); err != nil {
			return s.softError(ctx, err)
		}
		return s.advance(ctx, nil)
	default:
		return s.softError(ctx, agent.Errorf(agent.EUNKNOWNTYPE, "unknown frame type %q; send \"answer\" or \"end\"", f.Type))
	}
}

// advance sends the pending question, asking the next one if needed, or
// grades the interview once no question is left. It goes on from iv, the
// interview as an answer left it, or reads it when iv is nil.
func (s *session) advance(ctx context.Context, iv *agent.Interview) bool {
	emit := func(seq int, delta string) {
		s.write(ctx, deltaFrame{"question_delta", seq, delta})
	}
	var q *agent.Turn
	var err error
	if iv != nil {
		iv, q, err = s.srv.Service.AdvanceFrom(ctx, iv, s.gen, emit)
	} else {
		iv, q, err = s.srv.Service.Advance(ctx, s.ownerID, s.id, s.gen, emit)
	}
	if err != nil {
		return s.softError(ctx, err)
	}
	if q != nil {
		return s.write(ctx, questionFrame{"question", *q})
	}
	d := iv.Debrief
	if iv.Status != agent.StatusComplete {
		if !s.write(ctx, typeFrame{"grading"}) {
			return false
		}
		if d, err = s.srv.Service.Grade(ctx, s.ownerID, s.id); err != nil {
			return s.softError(ctx, err)
		}
	}
	if !s.write(ctx, debriefFrame{"debrief", d}) {
		return false
	}
	s.conn.Close(websocket.StatusNormalClosure, "interview complete")
	return false
}

// softError reports a client mistake and keeps the connection open. A
// superseded session is closed with 4001; an internal error with 1011.
func (s *session) softError(ctx context.Context, err error) bool {
	switch agent.ErrorCode(err) {
	case agent.ESUPERSEDED:
		s.supersede()
		return false
	case agent.EINTERNAL:
		s.fail(ctx, err)
		return false
	}
	return s.write(ctx, errorFrame{"error", agent.ErrorCode(err), agent.ErrorMessage(err)})
}

// fail logs an internal error, tells the client and closes.
func (s *session) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the server is shutting down
	}
	s.srv.Logger.Error("websocket session", "interview", s.id, "err", err)
	s.write(ctx, errorFrame{"error", agent.EINTERNAL, agent.ErrorMessage(err)})
	s.conn.Close(websocket.StatusInternalError, "internal error")
}

// supersede tells the client a newer connection took over and closes.
func (s *session) supersede() {
	if s.replaced.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	_ = wsjson.Write(ctx, s.conn, errorFrame{"error", agent.ESUPERSEDED, "this interview was opened in another connection"})
	s.conn.Close(StatusSuperseded, "superseded by a newer connection")
}

// revoke tells the client its API key was revoked and closes.
func (s *session) revoke() {
	if s.replaced.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	_ = wsjson.Write(ctx, s.conn, errorFrame{"error", agent.EKEYREVOKED, "the API key of this connection was revoked"})
	s.conn.Close(StatusKeyRevoked, "API key revoked")
}

// closeWith tells the client in an error frame, with code and message,
// why the server ends the connection, and closes it with status and
// reason. Like supersede and revoke, it acts once per session.
func (s *session) closeWith(code, message string, status websocket.StatusCode, reason string) {
	if s.replaced.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	_ = wsjson.Write(ctx, s.conn, errorFrame{"error", code, message})
	s.conn.Close(status, reason)
}

// write sends one JSON frame with a deadline; it returns false when the
// connection is gone.
func (s *session) write(ctx context.Context, v any) bool {
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	if err := wsjson.Write(wctx, s.conn, v); err != nil {
		s.srv.Logger.Debug("websocket write", "interview", s.id, "err", err)
		return false
	}
	return true
}

func (s *session) ping(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := s.conn.Ping(pctx); err != nil && !s.busy.Load() {
		// The reader was waiting all along and no pong came: the peer is gone.
		s.srv.Logger.Debug("websocket ping failed", "interview", s.id, "err", err)
		s.conn.CloseNow()
	}
}
