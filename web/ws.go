package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/labstack/echo/v4"
)

// Limits of the WebSocket protocol.
const (
	// MaxFrameBytes is the default limit of one client message, in bytes,
	// when Server.MaxMessageBytes is not set; a larger message closes the
	// connection with 1009.
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
	// errorFrame is made by newErrorFrame or errorFrameOf (wsfail.go).
	errorFrame struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		// RetryAfterMS is the wait, in milliseconds, before a resend, when
		// the error suggests one; omitted otherwise.
		RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
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
	srv  *Server
	conn *websocket.Conn
	// raw is the connection under conn; closing it cuts the session at
	// once, close handshake under way or not.
	raw      net.Conn
	ownerID  string
	keyID    string // the API key it was opened with; "" for a browser owner
	id       string
	gen      int64
	busy     atomic.Bool
	replaced atomic.Bool
	// mu guards stopping, set when the server begins shutting down, and
	// orders it against busy: see beginTurn, endTurn and stop.
	mu       sync.Mutex
	stopping bool
	// log carries the request id of the upgrade and the interview id.
	log *slog.Logger
	// closeCode is the first close code the connection ended with, sent or
	// received (see close and readEnded); 0 until then.
	closeCode atomic.Int32
	// readAt is when the frame being served was read; only the reader's
	// goroutine touches it.
	readAt time.Time
	// iv is the interview as this connection last left it, with its
	// question pending, for the next answer to go on from (see
	// Service.AnswerFrom); nil when the next answer must read it. Only
	// the reader's goroutine touches it.
	iv *agent.Interview
	// frames limits the client's frame rate and idle closes the connection
	// when the client stays silent; see limits.go. Only the reader's
	// goroutine touches them.
	frames *frameBucket
	idle   *time.Timer
}

func (s *Server) handleWS(c echo.Context) error {
	r, w := c.Request(), c.Response()
	// Copies, so that nothing of the request stays reachable once the
	// handler has returned.
	ownerID, id := strings.Clone(owner(c)), strings.Clone(c.Param("id"))
	log := s.Logger.With("request_id", strings.Clone(requestID(c)), "interview_id", id)
	// Refuse unknown and foreign interviews before the upgrade, as JSON.
	if _, err := s.Service.Get(r.Context(), ownerID, id); err != nil {
		return s.writeError(c, err)
	}
	hj := &leanHijacker{ResponseWriter: w}
	conn, err := websocket.Accept(hj, r, &websocket.AcceptOptions{OriginPatterns: s.OriginPatterns})
	if err != nil {
		// Accept has written the response (403 for a foreign Origin).
		log.Info("websocket refused", "err", err)
		return nil
	}
	conn.SetReadLimit(s.messageLimit())

	ctx, cancel := context.WithCancel(s.ctx)
	gen, err := s.Service.Store.Claim(ctx, id)
	if err != nil {
		s.Metrics.closedBeforeSession(refuseSession(ctx, conn, log, err))
		cancel()
		conn.CloseNow()
		return nil
	}
	sess := &session{srv: s, conn: conn, raw: hj.conn, ownerID: ownerID, id: id, gen: gen, log: log}
	sess.busy.Store(true) // until run has sent the session and the question
	if k := callerKey(c); k != nil {
		sess.keyID = strings.Clone(k.ID)
	}
	if !s.hub.add(sess) {
		sess.restart() // the server began shutting down during the upgrade
		cancel()
		conn.CloseNow()
		return nil
	}
	s.Metrics.sessionOpened()
	ip := strings.Clone(c.RealIP())
	s.wsPerIP.keep(ip)
	go sess.serve(ctx, cancel, ip)
	return nil
}

// serve runs the session on a goroutine of its own and cleans up after it.
// The upgrade's handler has returned by then, so net/http's connection
// state, its 4 KiB buffers, the request and the Echo context are freed
// instead of living as long as the connection; this goroutine, the reader,
// is the only one an idle session keeps. It holds the place ip took in
// WSPerIP until the connection ends.
func (s *session) serve(ctx context.Context, cancel context.CancelFunc, ip string) {
	defer s.srv.wsPerIP.release(ip)
	defer s.conn.CloseNow()
	defer cancel()
	defer s.srv.hub.remove(s)
	defer func() { s.srv.Metrics.sessionClosed(s.closeStatus()) }()
	defer func() {
		// Echo's Recover no longer covers this goroutine.
		if v := recover(); v != nil {
			s.log.Error("websocket session panic", "panic", v, "stack", string(debug.Stack()))
			s.closeCode.CompareAndSwap(0, int32(websocket.StatusInternalError))
		}
	}()
	s.run(ctx)
}

// Buffer sizes of a WebSocket's reader and writer. net/http would hand
// over its 4 KiB ones with the hijacked connection, and an idle session
// keeps its buffers as long as it lives; a frame larger than these is read
// or written mostly straight to the socket.
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 1024
)

// leanHijacker is the ResponseWriter the upgrade goes through: its Hijack
// hands coder/websocket the connection with small buffers of its own, and
// keeps the connection, which shutdown closes to cut a session at once.
type leanHijacker struct {
	http.ResponseWriter
	conn net.Conn
}

// Hijack takes the connection over from net/http.
func (h *leanHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack: %w", err)
	}
	if err := brw.Flush(); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("hijack: %w", err)
	}
	var r io.Reader = conn
	if n := brw.Reader.Buffered(); n > 0 {
		// Bytes the client sent right behind the handshake.
		b, _ := brw.Reader.Peek(n)
		r = io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)
	}
	h.conn = conn
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(r, wsReadBuffer), bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}

// run sends the session, (re)sends the pending question and then serves
// frames until the interview completes or the peer goes away.
func (s *session) run(ctx context.Context) {
	iv, err := s.srv.Service.Get(ctx, s.ownerID, s.id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if !s.write(ctx, sessionFrame{"session", iv}) {
		return
	}
	if iv.Status == agent.StatusComplete {
		s.close(websocket.StatusNormalClosure, "interview complete")
		return
	}
	if !s.advance(ctx, iv) {
		return
	}
	for {
		if s.endTurn() {
			s.restart()
			return
		}
		typ, data, err := s.read(ctx)
		if err != nil {
			s.readEnded(err)
			if !s.replaced.Load() && websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				s.log.Debug("websocket read", "err", err)
			}
			return
		}
		if !s.beginTurn() {
			s.drain(ctx)
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
	s.readAt = time.Now()
	if refused, keep := s.overFrameRate(ctx); refused {
		return keep
	}
	if typ != websocket.MessageText {
		return s.softError(ctx, errFrameNotJSON())
	}
	f, err := decodeFrame(data, s.srv.Service.AnswerLimit())
	if err != nil {
		return s.softError(ctx, err)
	}
	// decodeFrame lets through only the two types a client may send.
	if f.Type == "end" {
		s.iv = nil
		if err := s.srv.Service.End(ctx, s.ownerID, s.id, s.gen); err != nil {
			return s.softError(ctx, err)
		}
		return s.advance(ctx, nil)
	}
	t, iv, err := s.srv.Service.AnswerFrom(ctx, s.ownerID, s.id, s.iv, s.gen, f.Text, f.ClientID)
	s.iv = nil
	if err != nil {
		return s.softError(ctx, err)
	}
	s.srv.Metrics.ObserveAnswer(TransportWebSocket, s.id)
	if !s.write(ctx, ackFrame{"ack", t.Seq, t.ClientID}) {
		return false
	}
	return s.advance(ctx, iv)
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
		if !s.write(ctx, questionFrame{"question", *q}) {
			return false
		}
		s.iv = iv
		s.asked()
		return true
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
	s.close(websocket.StatusNormalClosure, "interview complete")
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
	return s.write(ctx, errorFrameOf(err))
}

// fail logs err, tells the client in an error frame with err's code and
// closes: with 1013 when the store failed in a way that may pass (see
// failStatus), with 1011 for an internal error.
func (s *session) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the server is shutting down
	}
	status, reason := failStatus(err)
	logFailure(s.log, "websocket session", err)
	s.write(ctx, failFrame(err))
	s.close(status, reason)
}

// supersede tells the client a newer connection took over and closes.
func (s *session) supersede() {
	if s.replaced.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	_ = wsjson.Write(ctx, s.conn, newErrorFrame(agent.ESUPERSEDED, "this interview was opened in another connection", 0))
	s.close(StatusSuperseded, "superseded by a newer connection")
}

// revoke tells the client its API key was revoked and closes.
func (s *session) revoke() {
	if s.replaced.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	_ = wsjson.Write(ctx, s.conn, newErrorFrame(agent.EKEYREVOKED, "the API key of this connection was revoked", 0))
	s.close(StatusKeyRevoked, "API key revoked")
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
	_ = wsjson.Write(ctx, s.conn, newErrorFrame(code, message, 0))
	s.close(status, reason)
}

// write sends one JSON frame with a deadline; it returns false when the
// connection is gone.
func (s *session) write(ctx context.Context, v any) bool {
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	if err := wsjson.Write(wctx, s.conn, v); err != nil {
		s.log.Debug("websocket write", "err", err)
		return false
	}
	return true
}

func (s *session) ping(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := s.conn.Ping(pctx); err != nil && !s.busy.Load() {
		// The reader was waiting all along and no pong came: the peer is gone.
		s.log.Debug("websocket ping failed", "err", err)
		s.conn.CloseNow()
	}
}

// beginTurn marks s busy serving a frame just read. It returns false once
// the server is shutting down: the frame is then dropped unserved, neither
// stored nor acknowledged, and the hub is already closing the connection.
func (s *session) beginTurn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.busy.Store(true)
	return true
}

// endTurn marks s idle before the reader waits for the next frame. It
// returns true when the server began shutting down during the turn, which
// leaves closing the connection to the reader.
func (s *session) endTurn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy.Store(false)
	return s.stopping
}

// stop asks s to end because the server is shutting down. An idle session
// is closed here; a busy one closes itself when its turn ends (endTurn).
func (s *session) stop() {
	s.mu.Lock()
	s.stopping = true
	idle := !s.busy.Load()
	s.mu.Unlock()
	if idle {
		s.restart()
	}
}

// restartWait bounds how long telling one client that the server is
// restarting may take, close handshake included: a peer that does not
// answer the close by then is cut, so that the closers of a shutdown keep
// moving.
const restartWait = time.Second

// restart tells the client the server is restarting and closes with 1012,
// within restartWait.
func (s *session) restart() {
	s.raw.SetDeadline(time.Now().Add(restartWait))
	s.closeWith(agent.ESERVERRESTARTING, "the server is restarting; reconnect in a moment",
		websocket.StatusServiceRestart, "server restarting")
}

// cut closes the connection at once, without a close handshake; one under
// way ends too, which CloseNow would wait for.
func (s *session) cut() {
	s.raw.Close()
}

// drain reads, and drops, what the peer still sends until the close
// another goroutine started ends the connection, so that the handler's
// CloseNow does not cut that close handshake short.
func (s *session) drain(ctx context.Context) {
	for {
		if _, _, err := s.conn.Read(ctx); err != nil {
			s.readEnded(err)
			return
		}
	}
}
