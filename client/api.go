package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// Me says who the server takes the caller to be.
type Me struct {
	// Kind is "api_key", or "browser" for a request with an owner cookie.
	Kind    string `json:"kind"`
	KeyName string `json:"key_name,omitempty"`
	KeyID   string `json:"key_id,omitempty"`
}

// Me returns who the key belongs to: GET /api/v1/me.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var out Me
	if err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// Principle is one Leadership Principle an interview can probe.
type Principle struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Principles lists the principles the server knows, in its order:
// GET /api/v1/principles.
func (c *Client) Principles(ctx context.Context) ([]Principle, error) {
	var out struct {
		Principles []Principle `json:"principles"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/principles", nil, nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return out.Principles, nil
}

// Info returns what the server runs with (version, model, embedder,
// store): GET /api/v1/info.
func (c *Client) Info(ctx context.Context) (map[string]string, error) {
	var out map[string]string
	if err := c.do(ctx, http.MethodGet, "/api/v1/info", nil, nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return out, nil
}

// Created is a new interview as the server plans it.
type Created struct {
	ID         string                   `json:"id"`
	Status     agent.Status             `json:"status"`
	Role       agent.Role               `json:"role"`
	Level      agent.Level              `json:"level"`
	Focus      string                   `json:"focus"`
	Principles []agent.PlannedPrinciple `json:"principles"`
	// WSURL is the path of the interview's WebSocket.
	WSURL     string    `json:"ws_url"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateInterview plans a new interview: POST /api/v1/interviews. No
// question is asked yet: whichever of Next or Dial comes first asks the
// opening one.
func (c *Client) CreateInterview(ctx context.Context, req agent.CreateRequest) (*Created, error) {
	var out Created
	if err := c.do(ctx, http.MethodPost, "/api/v1/interviews", nil, req, &out, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// Interview returns an interview with its transcript and, once graded, its
// debrief: GET /api/v1/interviews/{id}.
func (c *Client) Interview(ctx context.Context, id string) (*agent.Interview, error) {
	var out agent.Interview
	if err := c.do(ctx, http.MethodGet, interviewPath(id, ""), nil, nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOptions narrows and pages a list of interviews. Zero fields are not
// sent; a server that does not know a filter ignores it.
type ListOptions struct {
	// Limit is the most interviews to return.
	Limit int
	// Cursor is the NextCursor of the previous page.
	Cursor string
	// Status keeps interviews in that status.
	Status agent.Status
	// Principle keeps interviews that probe the principle with that id.
	Principle string
	// Role keeps interviews for that role.
	Role agent.Role
	// From and To keep interviews created in that span; they are sent as
	// RFC 3339 times in UTC.
	From, To time.Time
}

// query returns the options as query parameters.
func (o ListOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	set("cursor", o.Cursor)
	set("status", string(o.Status))
	set("principle", o.Principle)
	set("role", string(o.Role))
	for k, t := range map[string]time.Time{"from": o.From, "to": o.To} {
		if !t.IsZero() {
			q.Set(k, t.UTC().Format(time.RFC3339Nano))
		}
	}
	return q
}

// InterviewPage is one page of an owner's interviews, newest first.
type InterviewPage struct {
	Interviews []agent.InterviewSummary `json:"interviews"`
	// NextCursor, when not empty, fetches the following page as
	// ListOptions.Cursor.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Interviews lists the key's interviews, newest first: GET
// /api/v1/interviews. Without options it returns the first page; with
// them (only the first is used) it filters and pages as they say.
func (c *Client) Interviews(ctx context.Context, opts ...ListOptions) (*InterviewPage, error) {
	var q url.Values
	if len(opts) > 0 {
		q = opts[0].query()
	}
	var out InterviewPage
	if err := c.do(ctx, http.MethodGet, "/api/v1/interviews", q, nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// NextResult is the answer of POST /api/v1/interviews/{id}/next.
type NextResult struct {
	// Ack is the seq the answer was stored at; nil when no answer was sent.
	Ack *int `json:"ack"`
	// Question is the question waiting for an answer, if any.
	Question *agent.Turn `json:"question"`
	// Status is the interview's status after the call. It stays
	// StatusGrading when the server gave up waiting for the debrief;
	// call Next again, without an answer, to keep waiting.
	Status agent.Status `json:"status"`
	// Debrief is set once the interview is complete.
	Debrief *agent.Debrief `json:"debrief"`
}

// Next plays one turn over HTTP: POST /api/v1/interviews/{id}/next. With a
// nil answer it returns the pending question, asking it first if needed;
// calling it again returns the same question. With an answer it stores it
// and returns its ack with the next question, or the debrief after the
// last one. A repeated answer carrying an earlier non-empty clientID is
// stored once and acknowledged again, so a call whose response was lost
// can simply be repeated. Each call supersedes a WebSocket open on the
// interview.
func (c *Client) Next(ctx context.Context, id string, answer *string, clientID string) (*NextResult, error) {
	body := struct {
		Answer   *string `json:"answer,omitempty"`
		ClientID string  `json:"client_id,omitempty"`
	}{answer, clientID}
	var out NextResult
	if err := c.do(ctx, http.MethodPost, interviewPath(id, "next"), nil, body, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// Ticket is a single-use pass for one WebSocket upgrade without headers.
type Ticket struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
	// WSURL is the path of the interview's WebSocket with the ticket
	// already in its query.
	WSURL string `json:"ws_url"`
}

// Ticket asks for a WebSocket ticket for interview id, valid for about a
// minute: POST /api/v1/interviews/{id}/ws-ticket. It is for clients, such
// as a page holding a key, that cannot send a header on the upgrade; Dial
// does not need one.
func (c *Client) Ticket(ctx context.Context, id string) (*Ticket, error) {
	var out Ticket
	if err := c.do(ctx, http.MethodPost, interviewPath(id, "ws-ticket"), nil, nil, &out, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}
