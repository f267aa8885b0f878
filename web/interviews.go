package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// createResponse is the body of 201 Created for a new interview.
type createResponse struct {
	ID         string                   `json:"id"`
	Status     agent.Status             `json:"status"`
	Role       agent.Role               `json:"role"`
	Level      agent.Level              `json:"level"`
	Focus      string                   `json:"focus"`
	Principles []agent.PlannedPrinciple `json:"principles"`
	WSURL      string                   `json:"ws_url"`
	CreatedAt  time.Time                `json:"created_at"`
}

func (s *Server) handleCreate(c echo.Context) error {
	var req agent.CreateRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		// Echo's own errors (a body over the limit) go to its error
		// handler, like any other.
		return err
	}
	iv, err := s.Service.Create(c.Request().Context(), owner(c), req)
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusCreated, createResponse{ID: iv.ID, Status: iv.Status, Role: iv.Role, Level: iv.Level,
		Focus: iv.Focus, Principles: iv.Principles, WSURL: "/api/v1/interviews/" + iv.ID + "/ws", CreatedAt: iv.CreatedAt})
}

func (s *Server) handleGet(c echo.Context) error {
	iv, err := s.Service.Get(c.Request().Context(), owner(c), c.Param("id"))
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusOK, iv)
}

// principleInfo is a principle as listed for clients choosing what to practise.
type principleInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) handlePrinciples(c echo.Context) error {
	var out []principleInfo
	for _, p := range s.Service.Retriever.Principles() {
		out = append(out, principleInfo{p.ID, p.Name, p.Description})
	}
	return c.JSON(http.StatusOK, map[string]any{"principles": out})
}

func (s *Server) handleInfo(c echo.Context) error {
	return c.JSON(http.StatusOK, s.Info)
}

// decodeJSON reads one JSON value from r into v; anything malformed, of the
// wrong type or followed by more data is invalid_json. An error of Echo's
// reading r (a body over BodyLimit, sent without a length) is returned as
// it is.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return agent.Errorf(agent.EINVALIDJSON, "body is not valid JSON for this request: %v", err)
	}
	// Anything but white space after the value is refused. Decoder.More
	// cannot tell: it reports no more data before a stray ']' or '}'.
	if err := dec.Decode(&json.RawMessage{}); err != io.EOF {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return agent.Errorf(agent.EINVALIDJSON, "body has data after the JSON object")
	}
	return nil
}
