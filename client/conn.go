package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
)

// The types of the frames a server sends.
const (
	// FrameSession opens every connection and carries the whole interview.
	FrameSession = "session"
	// FrameQuestionDelta is a chunk of a question a model is still writing.
	FrameQuestionDelta = "question_delta"
	// FrameQuestion is the stored question waiting for an answer.
	FrameQuestion = "question"
	// FrameAck says an answer is stored, at Seq.
	FrameAck = "ack"
	// FrameGrading says no question is left and the debrief is being written.
	FrameGrading = "grading"
	// FrameDebrief carries the debrief; a normal close follows.
	FrameDebrief = "debrief"
	// FrameError reports a problem; Code and Message say which.
	FrameError = "error"
)

// Close statuses a server ends a connection with.
const (
	// StatusNormal ends a connection whose interview is complete.
	StatusNormal = int(websocket.StatusNormalClosure)
	// StatusGoingAway ends the connections of a server shutting down.
	StatusGoingAway = int(websocket.StatusGoingAway)
	// StatusTooBig ends a connection that sent or received a frame over
	// its read limit.
	StatusTooBig = int(websocket.StatusMessageTooBig)
	// StatusInternal ends a connection after a failure of the server.
	StatusInternal = int(websocket.StatusInternalError)
	// StatusTryAgainLater ends a connection that could not start because
	// the server's store failed (unreachable, busy, full or read-only);
	// the error frame before it says which, and may carry a wait.
	StatusTryAgainLater = int(websocket.StatusTryAgainLater)
	// StatusSuperseded ends a connection that a newer one, or an HTTP
	// turn, took the interview from.
	StatusSuperseded = 4001
	// StatusKeyRevoked ends the connections of a key when it is revoked.
	StatusKeyRevoked = 4003
)

// Frame is any frame the server sends; Type says which fields are set.
type Frame struct {
	Type string `json:"type"`
	// Interview is the interview as it stands, on FrameSession.
	Interview *agent.Interview `json:"interview,omitempty"`
	// Turn is the question, on FrameQuestion.
	Turn *agent.Turn `json:"turn,omitempty"`
	// Seq is the seq the question will be stored at, on
	// FrameQuestionDelta, or the stored answer's, on FrameAck.
	Seq int `json:"seq,omitempty"`
	// Text is the chunk of a FrameQuestionDelta.
	Text string `json:"text,omitempty"`
	// ClientID is the acknowledged answer's client id, on FrameAck.
	ClientID string `json:"client_id,omitempty"`
	// Debrief is the grading, on FrameDebrief.
	Debrief *agent.Debrief `json:"debrief,omitempty"`
	// Code and Message describe a FrameError.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// RetryAfterMS, on a FrameError, is how many milliseconds to wait
	// before sending the same frame again, or reconnecting; zero when the
	// server suggests no wait. RetryAfter gives it as a duration.
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
}

// RetryAfter returns the wait a FrameError suggests, or zero.
func (f Frame) RetryAfter() time.Duration {
	return time.Duration(f.RetryAfterMS) * time.Millisecond
}

// CloseError is what Recv returns once the server has closed the
// connection: its close status, such as StatusSuperseded, and reason.
type CloseError struct {
	Status int
	Reason string
}

// Error implements the error interface.
func (e *CloseError) Error() string {
	return fmt.Sprintf("client: the server closed the connection with status %d (%s)", e.Status, e.Reason)
}

// CloseStatus returns the close status of the first *CloseError in err's
// chain, or -1 when there is none.
func CloseStatus(err error) int {
	var e *CloseError
	if errors.As(err, &e) {
		return e.Status
	}
	return -1
}

// Conn is one WebSocket connection driving one interview. Recv must be
// called from one goroutine at a time; Answer, End and the Close methods
// may be called from any.
type Conn struct {
	ws *websocket.Conn
	mu sync.Mutex // serializes writes
}

// Dial opens the WebSocket of interview id: GET
// /api/v1/interviews/{id}/ws with the client's key. ctx bounds only the
// handshake. A refusal (401, 404) is returned as an *Error. The first
// frame Recv returns is FrameSession. Opening a connection supersedes any
// other connection to the interview.
func (c *Client) Dial(ctx context.Context, id string) (*Conn, error) {
	h := http.Header{}
	c.authorize(h)
	ws, resp, err := websocket.Dial(ctx, c.base+interviewPath(id, "ws"), &websocket.DialOptions{HTTPClient: c.http, HTTPHeader: h})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, errorFrom(resp)
		}
		return nil, fmt.Errorf("client: dial interview %s: %w", id, err)
	}
	ws.SetReadLimit(c.readLimit)
	return &Conn{ws: ws}, nil
}

// Recv returns the next frame from the server. Once the server has closed
// the connection it returns a *CloseError; other failures are returned
// wrapped. The connection is closed if ctx ends while Recv waits, so a
// caller that wants to give up waiting without closing should read in a
// goroutine of its own.
func (c *Conn) Recv(ctx context.Context) (Frame, error) {
	typ, data, err := c.ws.Read(ctx)
	if err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return Frame{}, &CloseError{Status: int(ce.Code), Reason: ce.Reason}
		}
		return Frame{}, fmt.Errorf("client: read frame: %w", err)
	}
	var f Frame
	if typ != websocket.MessageText {
		return Frame{}, fmt.Errorf("client: the server sent a binary frame")
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Frame{}, fmt.Errorf("client: decode frame: %w", err)
	}
	return f, nil
}

// Answer answers the pending question. A clientID, unique per answer,
// lets the answer be sent again after a lost connection without being
// stored twice; the server acknowledges it with FrameAck.
func (c *Conn) Answer(ctx context.Context, text, clientID string) error {
	return c.write(ctx, struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		ClientID string `json:"client_id,omitempty"`
	}{"answer", text, clientID})
}

// End asks the server to finish the interview now: FrameGrading and
// FrameDebrief follow, with principles never asked not assessed.
func (c *Conn) End(ctx context.Context) error {
	return c.write(ctx, struct {
		Type string `json:"type"`
	}{"end"})
}

// write sends one JSON text frame, one writer at a time.
func (c *Conn) write(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("client: encode frame: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("client: write frame: %w", err)
	}
	return nil
}

// Close closes the connection normally, waiting briefly for the server to
// answer the close. The interview stays where it is and can be resumed.
func (c *Conn) Close() error {
	return c.ws.Close(websocket.StatusNormalClosure, "")
}

// CloseNow closes the connection at once, without the closing handshake.
// It is safe to call after Close, for use in a defer.
func (c *Conn) CloseNow() error {
	return c.ws.CloseNow()
}
