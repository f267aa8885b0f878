package agent

import (
	"errors"
	"fmt"
	"time"
)

// Error codes shared by every adapter. The web package maps them to HTTP
// statuses in one place; clients see the code and the message.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	ESUPERSEDED   = "superseded"

	// Validation codes for creating an interview.
	EINVALIDJSON       = "invalid_json"
	EINVALIDROLE       = "invalid_role"
	EINVALIDLEVEL      = "invalid_level"
	EUNKNOWNPRINCIPLE  = "unknown_principle"
	EINVALIDPRINCIPLES = "invalid_principles"
	EINVALIDCOUNT      = "invalid_count"
	EFOCUSTOOLONG      = "focus_too_long"
	EINVALIDTEXT       = "invalid_text"

	// Codes for frames sent during an interview.
	EUNKNOWNTYPE       = "unknown_type"
	EANSWERTOOLONG     = "answer_too_long"
	EEMPTYANSWER       = "empty_answer"
	ENOPENDINGQUESTION = "no_pending_question"
	EINVALIDCLIENTID   = "invalid_client_id"

	// Codes of API keys.
	EKEYREVOKED     = "key_revoked"
	EINVALIDKEYNAME = "invalid_key_name"

	// Codes of the limits on each owner.
	ERATELIMITED       = "rate_limited"
	ETOOMANYINTERVIEWS = "too_many_interviews"

	// Codes of listing interviews.
	EINVALIDLIMIT  = "invalid_limit"
	EINVALIDCURSOR = "invalid_cursor"
	EINVALIDSTATUS = "invalid_status"
	EINVALIDDATE   = "invalid_date"

	// ENODEBRIEF answers a request for the debrief of an interview that
	// has none yet.
	ENODEBRIEF = "no_debrief"

	// EINTERVIEWDELETED tells a WebSocket that its interview was deleted.
	EINTERVIEWDELETED = "interview_deleted"

	// EUNSUPPORTEDMEDIA answers a body in a content type a route does not take.
	EUNSUPPORTEDMEDIA = "unsupported_media_type"
)

// Error is a failure the caller can act on: a machine-readable code and a
// human-readable message. Anything that is not an *Error is internal.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when set, is how long the caller should wait before
	// trying again.
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("agent error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorRetryAfter returns the RetryAfter of the first *Error in err's
// chain, or zero.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic text for internal errors so that their details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
