package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

//go:embed templates
var templateFS embed.FS

// shareTemplate renders the read-only page of a shared interview. Being
// html/template, it escapes every value for the context it lands in.
var shareTemplate = template.Must(template.New("share.html").Funcs(template.FuncMap{
	"rating": func(r agent.Rating) string { return r.Label() },
	"date":   func(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") },
	"role": func(r agent.Role) string {
		if r == agent.RoleGeneral {
			return "General"
		}
		return strings.ToUpper(string(r))
	},
	"speaker": func(sp agent.Speaker) string {
		if sp == agent.SpeakerCandidate {
			return "Candidate"
		}
		return "Interviewer"
	},
}).ParseFS(templateFS, "templates/share.html"))

// shareResponse is the body of POST …/share. Token is shown this once;
// only its hash is stored.
type shareResponse struct {
	URL       string    `json:"url"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
}

// handleShare makes a new read-only link to one of the owner's interviews.
func (s *Server) handleShare(c echo.Context) error {
	token, sh, err := s.Service.ShareInterview(c.Request().Context(), owner(c), c.Param("id"))
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusCreated, shareResponse{URL: "/share/" + token, Token: token, CreatedAt: sh.CreatedAt})
}

// handleUnshare revokes every share link of one of the owner's interviews.
func (s *Server) handleUnshare(c echo.Context) error {
	if err := s.Service.Unshare(c.Request().Context(), owner(c), c.Param("id")); err != nil {
		return s.writeError(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// sharedHeaders keeps a shared view out of caches, so that a revoked link
// stops working at once, out of search engines, and its token out of any
// Referer header.
func sharedHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

// handleSharedJSON answers the public GET /api/v1/shared/{token} with the
// interview the link opens, read-only and without owner ids.
func (s *Server) handleSharedJSON(c echo.Context) error {
	sharedHeaders(c)
	iv, err := s.Service.Shared(c.Request().Context(), c.Param("token"))
	if err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusOK, map[string]*agent.Interview{"interview": iv})
}

// sharePage is what the share template renders: the interview, or nil
// for a link that is unknown or revoked.
type sharePage struct {
	Interview *agent.Interview
}

// handleSharedPage answers the public GET /share/{token} with a small
// HTML page of the debrief and the transcript. It needs no script; its
// policy lets it load nothing but its own style sheet.
func (s *Server) handleSharedPage(c echo.Context) error {
	sharedHeaders(c)
	c.Response().Header().Set("Content-Security-Policy",
		"default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	status := http.StatusOK
	iv, err := s.Service.Shared(c.Request().Context(), c.Param("token"))
	if agent.ErrorCode(err) == agent.ENOTFOUND {
		status = http.StatusNotFound
	} else if err != nil {
		return s.writeError(c, err)
	}
	var b bytes.Buffer
	if err := shareTemplate.Execute(&b, sharePage{Interview: iv}); err != nil {
		return s.writeError(c, err)
	}
	return c.HTMLBlob(status, b.Bytes())
}
