package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Error is a request the server refused: the HTTP status and the code and
// message of its {"error":{"code","message"}} body. docs/protocol.md lists
// the codes of each status.
type Error struct {
	Status  int
	Code    string
	Message string
}

// CodeHTTP is the Code of an *Error whose response had no error body of
// the usual shape, as a proxy in front of the server might send.
const CodeHTTP = "http_error"

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message)
}

// ErrorCode returns the Code of the first *Error in err's chain, or ""
// when there is none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Codes the server uses for refusals that may succeed when sent again
// unchanged after a wait. An HTTP error of one of them carries a
// Retry-After header in seconds; an error frame of code busy leaves the
// WebSocket open, for the frame to be sent again on it.
const (
	// CodeBusy: the server had too many writes waiting; nothing was stored.
	CodeBusy = "busy"
	// CodeRateLimited: the owner sent too many requests.
	CodeRateLimited = "rate_limited"
	// CodeTooManyInterviews: the owner has too many interviews open; the
	// wait is until the oldest of them counts as abandoned.
	CodeTooManyInterviews = "too_many_interviews"
)

// Retryable reports whether code, of an *Error or of an error frame, is a
// refusal worth retrying unchanged after a wait. An answer resent with the
// same client_id is stored at most once, so retrying one is always safe.
func Retryable(code string) bool {
	switch code {
	case CodeBusy, CodeRateLimited, CodeTooManyInterviews:
		return true
	}
	return false
}

// errorFrom reads an error response into an *Error.
func errorFrom(resp *http.Response) *Error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{Status: resp.StatusCode}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) == nil && body.Error.Code != "" {
		e.Code, e.Message = body.Error.Code, body.Error.Message
		return e
	}
	e.Code = CodeHTTP
	e.Message = strings.TrimSpace(string(b))
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}
