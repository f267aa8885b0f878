package web

import (
	"net/http"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// exportBody is the document GET /api/v1/export returns: everything the
// owner has, each interview whole.
type exportBody struct {
	ExportedAt time.Time          `json:"exported_at"`
	Owner      meResponse         `json:"owner"`
	Interviews []*agent.Interview `json:"interviews"`
}

// ExportFileName is the file name a browser saves an export as.
const ExportFileName = "barraiser-export.json"

// handleExport answers GET /api/v1/export with all of the owner's data as
// a JSON attachment.
func (s *Server) handleExport(c echo.Context) error {
	ivs, err := s.Service.Export(c.Request().Context(), owner(c))
	if err != nil {
		return s.writeError(c, err)
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+ExportFileName+`"`)
	h.Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, exportBody{ExportedAt: s.Service.Now(), Owner: me(callerKey(c)), Interviews: ivs})
}

// handleEraseMe answers DELETE /api/v1/me: it erases every interview of
// the owner, with their share links, and closes their sockets on this
// process. A browser owner's cookie is cleared too; an API key stays valid.
func (s *Server) handleEraseMe(c echo.Context) error {
	ids, err := s.Service.EraseOwner(c.Request().Context(), owner(c))
	if err != nil {
		return s.writeError(c, err)
	}
	for _, id := range ids {
		s.hub.deleted(id)
	}
	if callerKey(c) == nil {
		c.SetCookie(&http.Cookie{Name: OwnerCookie, Value: "", Path: "/", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, MaxAge: -1, Secure: s.secureRequest(c)})
	}
	return c.NoContent(http.StatusNoContent)
}
