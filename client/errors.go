package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is a request the server refused: the HTTP status and the code and
// message of its {"error":{"code","message"}} body. docs/protocol.md lists
// the codes of each status.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is the wait the response's Retry-After header asked
	// for, or zero when it had none.
	RetryAfter time.Duration
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
// Retry-After header in seconds (Error.RetryAfter), an error frame its
// retry_after_ms (Frame.RetryAfter). An error frame of code busy or
// store_unavailable during an interview leaves the WebSocket open, for
// the frame to be sent again on it; one that ends a connection before the
// interview starts comes with close status StatusTryAgainLater.
const (
	// CodeBusy: the server had too many writes waiting; nothing was stored.
	CodeBusy = "busy"
	// CodeRateLimited: the owner sent too many requests.
	CodeRateLimited = "rate_limited"
	// CodeTooManyInterviews: the owner has too many interviews open; the
	// wait is until the oldest of them counts as abandoned.
	CodeTooManyInterviews = "too_many_interviews"
	// CodeStoreUnavailable: the server's database could not be reached.
	// An answer refused so may have been stored after all; resending it
	// with the same client_id never stores it twice.
	CodeStoreUnavailable = "store_unavailable"
)

// Retryable reports whether code, of an *Error or of an error frame, is a
// refusal worth retrying unchanged after a wait. An answer resent with the
// same client_id is stored at most once, so retrying one is always safe.
func Retryable(code string) bool {
	switch code {
	case CodeBusy, CodeRateLimited, CodeTooManyInterviews, CodeStoreUnavailable:
		return true
	}
	return false
}

// errorFrom reads an error response into an *Error.
func errorFrom(resp *http.Response) *Error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{Status: resp.StatusCode}
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && n > 0 {
		e.RetryAfter = time.Duration(n) * time.Second
	}
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

// RetryDelay returns how long to wait before sending again what err
// refused: the wait the server asked for when err is an *Error that
// carries one, else fallback when its code is Retryable, else zero, for an
// error not worth retrying unchanged.
func RetryDelay(err error, fallback time.Duration) time.Duration {
	var e *Error
	if !errors.As(err, &e) {
		return 0
	}
	if e.RetryAfter > 0 {
		return e.RetryAfter
	}
	if Retryable(e.Code) {
		return fallback
	}
	return 0
}
