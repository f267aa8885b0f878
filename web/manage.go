package web

import (
	"net/http"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// handleListPage answers GET /api/v1/interviews with one page of the
// owner's interviews, newest first, and the cursor of the next page.
func (s *Server) handleListPage(c echo.Context) error {
	q := agent.ListQuery{
		Limit: c.QueryParam("limit"), Cursor: c.QueryParam("cursor"), Status: c.QueryParam("status"),
		Principle: c.QueryParam("principle"), Role: c.QueryParam("role"),
		From: c.QueryParam("from"), To: c.QueryParam("to"),
	}
	page, err := s.Service.ListPage(c.Request().Context(), owner(c), q)
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusOK, page)
}

// endResponse is what POST …/end answers.
type endResponse struct {
	Status  agent.Status   `json:"status"`
	Debrief *agent.Debrief `json:"debrief"`
}

// handleEnd finishes an interview now and grades what was answered, as the
// socket's "end" frame does. It claims the interview first, like …/next,
// so a socket open on it is superseded. Ending an interview already
// complete returns its debrief.
func (s *Server) handleEnd(c echo.Context) error {
	ctx := c.Request().Context()
	ownerID, id := owner(c), c.Param("id")
	iv, err := s.Service.Get(ctx, ownerID, id)
	if err != nil {
		return s.writeError(c, err)
	}
	res := endResponse{Status: iv.Status, Debrief: iv.Debrief}
	if iv.Status == agent.StatusInProgress {
		gen, err := s.Service.Store.Claim(ctx, id)
		if err != nil {
			return s.writeError(c, err)
		}
		s.hub.claimed(id, gen)
		if err := s.Service.End(ctx, ownerID, id, gen); err != nil {
			return s.writeError(c, err)
		}
	}
	if iv.Status != agent.StatusComplete {
		res.Status, res.Debrief = s.awaitDebrief(ctx, ownerID, id)
	}
	return c.JSON(http.StatusOK, res)
}

// handleDelete erases an interview for good, with its transcript, debrief
// and share links, and closes its socket on this process.
func (s *Server) handleDelete(c echo.Context) error {
	id := c.Param("id")
	if err := s.Service.Delete(c.Request().Context(), owner(c), id); err != nil {
		return s.writeError(c, err)
	}
	s.hub.deleted(id)
	return c.NoContent(http.StatusNoContent)
}

// handleDebriefMarkdown answers GET …/debrief.md with the debrief as a
// Markdown document.
func (s *Server) handleDebriefMarkdown(c echo.Context) error {
	iv, err := s.Service.Get(c.Request().Context(), owner(c), c.Param("id"))
	if err != nil {
		return s.writeError(c, err)
	}
	if iv.Debrief == nil {
		return s.writeError(c, agent.Errorf(agent.ENODEBRIEF, "This interview is %s and has no debrief yet.", iv.Status))
	}
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", []byte(iv.Debrief.Markdown(iv)))
}

// handleProgress answers GET /api/v1/progress: for each principle, the
// owner's scores, oldest first, and the stories already used for it.
func (s *Server) handleProgress(c echo.Context) error {
	p, err := s.Service.Progress(c.Request().Context(), owner(c))
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusOK, p)
}
