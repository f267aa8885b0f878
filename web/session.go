package web

import (
	"mime"
	"net/http"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// meResponse says who the caller is: an API key, by name, or a browser,
// with the key whose interviews it shows if it took one on.
type meResponse struct {
	Kind    string `json:"kind"` // "api_key" or "browser"
	KeyName string `json:"key_name,omitempty"`
	KeyID   string `json:"key_id,omitempty"`
}

// handleMe says who is calling. A browser that took on a key's owner
// with POST /session is named with that key.
func (s *Server) handleMe(c echo.Context) error {
	if k := callerKey(c); k != nil {
		return c.JSON(http.StatusOK, me(k))
	}
	res := meResponse{Kind: "browser"}
	if s.Keys != nil {
		k, err := s.Keys.KeyByOwner(c.Request().Context(), owner(c))
		if err != nil && agent.ErrorCode(err) != agent.ENOTFOUND {
			return s.writeError(c, err)
		}
		if k != nil {
			res.KeyName, res.KeyID = k.Name, k.ID
		}
	}
	return c.JSON(http.StatusOK, res)
}

func me(k *agent.APIKey) meResponse {
	return meResponse{Kind: "api_key", KeyName: k.Name, KeyID: k.ID}
}

// sessionRequest is the body of POST /api/v1/session.
type sessionRequest struct {
	Key string `json:"key"`
}

// handleSession makes the browser the owner of an API key, so that a person
// who practises from a terminal or a tool can review the same interviews
// in the page. Only a JSON body is accepted, which a form on another site
// cannot send without the browser asking first.
func (s *Server) handleSession(c echo.Context) error {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != "application/json" {
		return s.writeError(c, agent.Errorf(agent.EUNSUPPORTEDMEDIA, "Send the key as a JSON body with Content-Type: application/json."))
	}
	var req sessionRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	if s.Keys == nil {
		return s.writeError(c, agent.Errorf(agent.EUNAUTHORIZED, "This server has no API keys."))
	}
	k, err := agent.Authenticate(c.Request().Context(), s.Keys, req.Key, s.Service.Now())
	if err != nil {
		return s.writeError(c, err)
	}
	s.writeOwnerCookie(c, k.OwnerID)
	return c.JSON(http.StatusOK, me(k))
}
