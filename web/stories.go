package web

import (
	"mime"
	"net/http"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// handleStories answers GET /api/v1/stories with the owner's story bank:
// every story of their complete interviews, the best score per principle,
// the principles with no good story yet and which of them to practise next.
func (s *Server) handleStories(c echo.Context) error {
	bank, err := s.Service.StoryBank(c.Request().Context(), owner(c))
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusOK, bank)
}

// renameRequest is the body of PATCH /api/v1/stories/{interview_id}/{principle}.
type renameRequest struct {
	Title string `json:"title"`
}

// handleRenameStory answers PATCH /api/v1/stories/{interview_id}/{principle}:
// it gives the story the candidate's own title and returns the story.
func (s *Server) handleRenameStory(c echo.Context) error {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != "application/json" {
		return s.writeError(c, agent.Errorf(agent.EUNSUPPORTEDMEDIA, "Send the title as a JSON body with Content-Type: application/json."))
	}
	var req renameRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	st, err := s.Service.RenameStory(c.Request().Context(), owner(c), c.Param("interview_id"), c.Param("principle"), req.Title)
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusOK, st)
}
