package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// statusCodes maps agent error codes to HTTP statuses. Every other *Error
// is a client mistake and maps to 400; anything that is not an *Error is 500.
var statusCodes = map[string]int{
	agent.ENOTFOUND:     http.StatusNotFound,
	agent.EUNAUTHORIZED: http.StatusUnauthorized,
	agent.EKEYREVOKED:   http.StatusUnauthorized,
	agent.ECONFLICT:     http.StatusConflict,
	agent.ESUPERSEDED:   http.StatusConflict,
	// An answer with no question waiting: the caller is out of step.
	agent.ENOPENDINGQUESTION: http.StatusConflict,
	// A debrief asked for before there is one.
	agent.ENODEBRIEF:         http.StatusConflict,
	agent.EINTERNAL:          http.StatusInternalServerError,
	agent.EUNSUPPORTEDMEDIA:  http.StatusUnsupportedMediaType,
	agent.ERATELIMITED:       http.StatusTooManyRequests,
	agent.ETOOMANYINTERVIEWS: http.StatusTooManyRequests,
	// The store's write queue is full; writeError adds Retry-After.
	agent.EBUSY: http.StatusServiceUnavailable,
	// The database cannot be reached for now; with Retry-After too.
	agent.ESTOREUNAVAILABLE: http.StatusServiceUnavailable,
	// The embedded store's disk is full: no retry helps until space is
	// freed, which is what 507 says.
	agent.ESTORAGEFULL: http.StatusInsufficientStorage,
	// The server runs on a read-only store and serves reads only.
	agent.EREADONLY: http.StatusServiceUnavailable,
}

// ErrorStatus returns the HTTP status for err.
func ErrorStatus(err error) int {
	if s, ok := statusCodes[agent.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusBadRequest
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError sends err as {"error":{"code","message"}} with its status. It
// logs internal errors, whose details never reach the client, and the
// store's failures (unreachable, disk full) as warnings.
func (s *Server) writeError(c echo.Context, err error) error {
	code := agent.ErrorCode(err)
	switch code {
	case agent.EINTERNAL:
		s.Logger.Error("request failed", "request_id", requestID(c), "method", c.Request().Method, "path", c.Path(), "err", err)
	case agent.ESTOREUNAVAILABLE, agent.ESTORAGEFULL:
		// The operator has to act on these; the client sees only the code.
		s.Logger.Warn("request refused by the store", "method", c.Request().Method, "path", c.Path(), "code", code, "err", err)
	}
	if d := agent.ErrorRetryAfter(err); d > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
	return c.JSON(ErrorStatus(err), errorBody{errorDetail{code, agent.ErrorMessage(err)}})
}

// echoCodes maps the statuses of Echo's own errors to error codes.
var echoCodes = map[int]string{
	http.StatusNotFound:              agent.ENOTFOUND,
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
}

// httpErrorHandler turns Echo's own errors (unknown route, wrong method,
// body too large) into the same JSON shape.
func (s *Server) httpErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := echoCodes[he.Code]
		if code == "" {
			code = "http_error"
		}
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		_ = c.JSON(he.Code, errorBody{errorDetail{code, msg}})
		return
	}
	_ = s.writeError(c, err)
}
