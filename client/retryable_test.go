package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/client"
)

// TestRetryable checks which of the server's codes the client calls
// retryable, by the server's own constants so that a renamed code fails.
func TestRetryable(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{agent.EBUSY, true},
		{agent.ERATELIMITED, true},
		{agent.ECONFLICT, false},
		{agent.ESUPERSEDED, false},
		{agent.EINTERNAL, false},
		{agent.ETOOMANYINTERVIEWS, true},
		{agent.ESTOREUNAVAILABLE, true},
		{agent.ESTORAGEFULL, false},
		{agent.EREADONLY, false},
		{client.CodeHTTP, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := client.Retryable(tt.code); got != tt.want {
			t.Errorf("Retryable(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// TestRetryDelay checks the wait RetryDelay picks: the server's when it
// sent one, the fallback for a retryable code without one, none for the
// rest.
func TestRetryDelay(t *testing.T) {
	const fallback = 3 * time.Second
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"server's wait", &client.Error{Code: agent.ESTOREUNAVAILABLE, RetryAfter: 2 * time.Second}, 2 * time.Second},
		{"retryable without a wait", &client.Error{Code: agent.EBUSY}, fallback},
		{"not retryable", &client.Error{Code: agent.EINVALIDROLE}, 0},
		{"not an *Error", errors.New("dial: refused"), 0},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		if got := client.RetryDelay(tt.err, fallback); got != tt.want {
			t.Errorf("%s: RetryDelay = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestErrorRetryAfter checks that an HTTP refusal's Retry-After reaches
// Error.RetryAfter, and that a refusal without one leaves it zero.
func TestErrorRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{{"2", 2 * time.Second}, {"", 0}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.header != "" {
				w.Header().Set("Retry-After", tt.header)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"code":"store_unavailable","message":"down"}}`))
		}))
		_, err := client.New(srv.URL, "key").Principles(context.Background())
		srv.Close()
		var e *client.Error
		if !errors.As(err, &e) || e.Code != agent.ESTOREUNAVAILABLE || e.RetryAfter != tt.want {
			t.Errorf("Retry-After %q: err = %#v, want %s with RetryAfter %s", tt.header, err, agent.ESTOREUNAVAILABLE, tt.want)
		}
	}
}

// TestFrameRetryAfter decodes error frames with and without
// retry_after_ms.
func TestFrameRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		frame string
		want  time.Duration
	}{
		{`{"type":"error","code":"busy","message":"wait","retry_after_ms":1500}`, 1500 * time.Millisecond},
		{`{"type":"error","code":"empty_answer","message":"say something"}`, 0},
	} {
		var f client.Frame
		if err := json.Unmarshal([]byte(tt.frame), &f); err != nil {
			t.Fatal(err)
		}
		if got := f.RetryAfter(); got != tt.want {
			t.Errorf("RetryAfter of %s = %s, want %s", tt.frame, got, tt.want)
		}
	}
}
