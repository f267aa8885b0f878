package web

import (
	"encoding/hex"
	"net/http"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// OwnerCookie names the cookie that identifies a browser's owner.
const OwnerCookie = "br_owner"

const ownerKey = "owner"

// setOwnerCookie gives a browser an owner id if it has none yet.
func (s *Server) setOwnerCookie(c echo.Context) error {
	if _, ok := ownerFromCookie(c.Request()); ok {
		return nil
	}
	id := agent.NewID()
	if err := s.Service.Store.EnsureOwner(c.Request().Context(), id); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: OwnerCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: 400 * 24 * 3600, Secure: c.Scheme() == "https"})
	return nil
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

// requireOwner rejects API requests that carry no owner.
func (s *Server) requireOwner(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, ok := ownerFromCookie(c.Request())
		if !ok {
			return s.writeError(c, agent.Errorf(agent.EUNAUTHORIZED, "no owner: open the app at / first to get a session cookie"))
		}
		c.Set(ownerKey, id)
		return next(c)
	}
}

func owner(c echo.Context) string {
	id, _ := c.Get(ownerKey).(string)
	return id
}
