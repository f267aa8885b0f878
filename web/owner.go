package web

import (
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// OwnerCookie names the cookie that identifies a browser's owner.
const OwnerCookie = "br_owner"

// Keys of what requireOwner leaves in the echo.Context.
const (
	ownerKey  = "owner"
	apiKeyKey = "api_key"
)

// setOwnerCookie gives a browser an owner id if it has none yet.
func (s *Server) setOwnerCookie(c echo.Context) error {
	if _, ok := ownerFromCookie(c.Request()); ok {
		return nil
	}
	id := agent.NewID()
	if err := s.Service.Store.EnsureOwner(c.Request().Context(), id); err != nil {
		return err
	}
	s.writeOwnerCookie(c, id)
	return nil
}

// writeOwnerCookie makes id the browser's owner.
func (s *Server) writeOwnerCookie(c echo.Context, id string) {
	c.SetCookie(&http.Cookie{Name: OwnerCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: 400 * 24 * 3600, Secure: s.secureRequest(c)})
}

// secureRequest reports whether the browser reached the server over
// HTTPS: on a TLS connection, or, with TrustProxy only, through a proxy
// that says so in X-Forwarded-Proto. Echo's Scheme would believe that
// header from anyone.
func (s *Server) secureRequest(c echo.Context) bool {
	r := c.Request()
	if r.TLS != nil {
		return true
	}
	return s.TrustProxy && strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https")
}

func ownerFromCookie(r *http.Request) (string, bool) {
	ck, err := r.Cookie(OwnerCookie)
	if err != nil || len(ck.Value) != 32 {
		return "", false
	}
	if _, err := hex.DecodeString(ck.Value); err != nil {
		return "", false
	}
	return ck.Value, true
}

// requireOwner finds who is calling: the key of an Authorization: Bearer
// header, which alone decides when present, or else the owner cookie.
// Anyone else gets 401.
func (s *Server) requireOwner(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if h := r.Header.Get("Authorization"); h != "" {
			k, err := s.bearerKey(c, h)
			if err != nil {
				return s.writeError(c, err)
			}
			c.Set(apiKeyKey, k)
			return s.asOwner(c, k.OwnerID, next)
		}
		id, ok := ownerFromCookie(r)
		if !ok {
			return s.writeError(c, agent.Errorf(agent.EUNAUTHORIZED,
				"No owner: send Authorization: Bearer with an API key, or open the app at / for a session cookie."))
		}
		return s.asOwner(c, id, next)
	}
}

// asOwner serves the request as owner's, within owner's request rate.
func (s *Server) asOwner(c echo.Context, owner string, next echo.HandlerFunc) error {
	if err := s.limitRate(c, owner); err != nil {
		return s.writeError(c, err)
	}
	c.Set(ownerKey, owner)
	return next(c)
}

// bearerKey reads and checks the key of an Authorization header.
func (s *Server) bearerKey(c echo.Context, header string) (*agent.APIKey, error) {
	scheme, text, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") || text == "" {
		return nil, agent.Errorf(agent.EUNAUTHORIZED, "The Authorization header must be \"Bearer\" and an API key.")
	}
	if s.Keys == nil {
		return nil, agent.Errorf(agent.EUNAUTHORIZED, "This server has no API keys.")
	}
	return agent.Authenticate(c.Request().Context(), s.Keys, strings.TrimSpace(text), s.Service.Now())
}

func owner(c echo.Context) string {
	id, _ := c.Get(ownerKey).(string)
	return id
}

// callerKey returns the API key the request was made with, or nil for a
// browser owner.
func callerKey(c echo.Context) *agent.APIKey {
	k, _ := c.Get(apiKeyKey).(*agent.APIKey)
	return k
}
