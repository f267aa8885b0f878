package web

import (
	"net/http"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/labstack/echo/v4"
)

// ticketResponse is the body of POST /api/v1/interviews/{id}/ws-ticket.
type ticketResponse struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
	WSURL     string    `json:"ws_url"`
}

// handleTicket gives the caller a single-use ticket for the interview's
// WebSocket, for clients such as browsers that cannot send a header on the
// upgrade. Only the ticket's hash is stored.
func (s *Server) handleTicket(c echo.Context) error {
	ctx := c.Request().Context()
	ownerID, id := owner(c), c.Param("id")
	if _, err := s.Service.Get(ctx, ownerID, id); err != nil {
		return s.writeError(c, err)
	}
	if s.Keys == nil {
		return s.writeError(c, agent.Errorf(agent.EUNAUTHORIZED, "This server has no API keys."))
	}
	text := agent.NewTicketText()
	t := agent.Ticket{Hash: agent.Hash(text), InterviewID: id, OwnerID: ownerID, ExpiresAt: s.Service.Now().Add(agent.TicketTTL)}
	if k := callerKey(c); k != nil {
		t.KeyID = k.ID
	}
	if err := s.Keys.CreateTicket(ctx, t); err != nil {
		return s.writeError(c, err)
	}
	return c.JSON(http.StatusCreated, ticketResponse{Ticket: text, ExpiresAt: t.ExpiresAt,
		WSURL: "/api/v1/interviews/" + id + "/ws?ticket=" + text})
}

// requireOwnerOrTicket admits a WebSocket upgrade that carries a ticket
// for this interview, and otherwise asks for an owner as requireOwner does.
// A ticket is spent by the attempt, valid or not.
func (s *Server) requireOwnerOrTicket(next echo.HandlerFunc) echo.HandlerFunc {
	withOwner := s.requireOwner(next)
	return func(c echo.Context) error {
		text := c.QueryParam("ticket")
		if text == "" {
			return withOwner(c)
		}
		ctx := c.Request().Context()
		if s.Keys == nil {
			return s.writeError(c, agent.Errorf(agent.EUNAUTHORIZED, "This server has no API keys."))
		}
		t, err := s.Keys.RedeemTicket(ctx, agent.Hash(text), s.Service.Now())
		if agent.ErrorCode(err) == agent.ENOTFOUND || err == nil && t.InterviewID != c.Param("id") {
			return s.writeError(c, agent.Errorf(agent.EUNAUTHORIZED, "The ticket is unknown, used or expired; ask for a new one."))
		} else if err != nil {
			return s.writeError(c, err)
		}
		if t.KeyID != "" {
			k, err := s.Keys.Key(ctx, t.KeyID)
			if err != nil {
				return s.writeError(c, err)
			}
			if k.Revoked() {
				return s.writeError(c, agent.Errorf(agent.EKEYREVOKED, "This API key was revoked."))
			}
			c.Set(apiKeyKey, k)
		}
		return s.asOwner(c, t.OwnerID, next)
	}
}
