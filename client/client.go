// Package client is a Go client for the Bar Raiser API described in
// docs/protocol.md: the JSON routes under /api/v1 and the interview
// WebSocket. It authenticates with an API key, sent on every request as
// "Authorization: Bearer <key>", and turns the server's error bodies into
// *Error values.
//
// A whole interview takes either one call per turn over HTTP (Client.Next)
// or one WebSocket connection (Client.Dial), and a tool may switch between
// the two: each takes over the interview from the other.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultReadLimit is the largest server frame a Conn accepts unless
// WithReadLimit says otherwise: 64 KiB, the limit the server puts on the
// frames it reads.
const DefaultReadLimit = 64 << 10

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Client calls one Bar Raiser server with one API key. It is safe for
// concurrent use.
type Client struct {
	base      string
	key       string
	http      *http.Client
	readLimit int64
}

// An Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests, WebSocket handshakes
// included, through hc instead of http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.http = hc }
}

// WithReadLimit sets the largest frame, in bytes, that connections made by
// Dial accept; a larger one closes the connection with status 1009. The
// session frame holds the whole transcript, so a tool resuming very long
// interviews may need more than DefaultReadLimit.
func WithReadLimit(n int64) Option {
	return func(c *Client) { c.readLimit = n }
}

// New returns a Client for the server at baseURL (such as
// "http://127.0.0.1:8080") that authenticates with the API key key. An
// empty key sends no Authorization header, and the server then answers
// 401 unauthorized.
func New(baseURL, key string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), key: key, http: http.DefaultClient, readLimit: DefaultReadLimit}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL returns the server's base URL, as given to New without any
// trailing slash.
func (c *Client) BaseURL() string { return c.base }

// authorize adds the key to a request's headers.
func (c *Client) authorize(h http.Header) {
	if c.key != "" {
		h.Set("Authorization", "Bearer "+c.key)
	}
}

// do sends one request and decodes a response of status want into out,
// when out is not nil. A body that is not nil is sent as JSON. A response
// of any other status is returned as an *Error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any, want int) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("client: encode %s %s: %w", method, path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	c.authorize(req.Header)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return errorFrom(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: decode %s %s: %w", method, path, err)
	}
	return nil
}

// interviewPath returns the path of an interview, or of one of its
// sub-resources when suffix is not empty.
func interviewPath(id, suffix string) string {
	p := "/api/v1/interviews/" + url.PathEscape(id)
	if suffix != "" {
		p += "/" + suffix
	}
	return p
}
