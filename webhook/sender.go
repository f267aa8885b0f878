// Package webhook sends the debrief events of API keys to their webhooks
// over HTTP: a Sender posts one signed delivery, and a Worker drains the
// store's outbox of pending deliveries, retrying with backoff.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// Headers of a delivery.
const (
	HeaderDelivery  = "X-BarRaiser-Delivery"
	HeaderSignature = "X-BarRaiser-Signature"
)

// Timeout bounds one delivery attempt, from connecting to reading the
// response.
const Timeout = 10 * time.Second

// maxResponse is the most of a response body read (and discarded) so
// that the connection can be reused; the rest is dropped with it.
const maxResponse = 64 << 10

// Sender posts deliveries. Its zero value is not usable: call NewSender.
type Sender struct {
	// Client sends the requests. NewSender's follows no redirects: a
	// 3xx answer is a failed attempt, so an event never goes elsewhere.
	Client    *http.Client
	UserAgent string
}

// NewSender returns a Sender whose client times out after Timeout and
// follows no redirects.
func NewSender() *Sender {
	return &Sender{
		Client: &http.Client{
			Timeout: Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		UserAgent: "BarRaiser-Webhook/1",
	}
}

// Send posts d.Body to d.URL, signed with d.Secret at time now, and
// returns the response's status (0 when none came). Any status but 2xx is
// an error. The errors name neither the URL, which may carry a token, nor
// the secret, nor the body, so that they can be logged.
func (s *Sender) Send(ctx context.Context, d agent.WebhookDelivery, now time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.UserAgent)
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderSignature, agent.Sign(d.Secret, now, d.Body))
	resp, err := s.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the method and URL
		}
		return 0, fmt.Errorf("send: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("status %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
