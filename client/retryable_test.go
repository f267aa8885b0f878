package client_test

import (
	"testing"

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
		{client.CodeHTTP, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := client.Retryable(tt.code); got != tt.want {
			t.Errorf("Retryable(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
