package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/coder/websocket"
)

// TestErrorFrameOf checks the error frame of each kind of error: its own
// code, a generic message for an internal one, and retry_after_ms only
// when the error suggests a wait, rounded up to a whole millisecond.
func TestErrorFrameOf(t *testing.T) {
	wait := func(code string, d time.Duration) error {
		e := agent.Errorf(code, "m")
		e.RetryAfter = d
		return fmt.Errorf("wrapped: %w", e)
	}
	tests := []struct {
		name     string
		err      error
		code     string
		retryMS  int64
		omitted  bool
		internal bool
	}{
		{"store unavailable", wait(agent.ESTOREUNAVAILABLE, 2*time.Second), agent.ESTOREUNAVAILABLE, 2000, false, false},
		{"busy, part of a millisecond", wait(agent.EBUSY, 1500*time.Microsecond), agent.EBUSY, 2, false, false},
		{"validation", agent.Errorf(agent.EEMPTYANSWER, "m"), agent.EEMPTYANSWER, 0, true, false},
		{"read only", agent.Errorf(agent.EREADONLY, "m"), agent.EREADONLY, 0, true, false},
		{"internal", errors.New("disk on fire"), agent.EINTERNAL, 0, true, true},
	}
	for _, tt := range tests {
		f := errorFrameOf(tt.err)
		if f.Type != "error" || f.Code != tt.code || f.RetryAfterMS != tt.retryMS {
			t.Errorf("%s: frame %+v, want code %s and retry_after_ms %d", tt.name, f, tt.code, tt.retryMS)
		}
		if tt.internal && strings.Contains(f.Message, "fire") {
			t.Errorf("%s: the frame leaks the error: %q", tt.name, f.Message)
		}
		b, _ := json.Marshal(f)
		if got := strings.Contains(string(b), `"retry_after_ms"`); got == tt.omitted {
			t.Errorf("%s: %s, want retry_after_ms omitted: %v", tt.name, b, tt.omitted)
		}
	}
}

// TestFailStatus checks the close status of a connection that ends on
// each kind of error.
func TestFailStatus(t *testing.T) {
	tests := []struct {
		err  error
		want websocket.StatusCode
	}{
		{agent.Errorf(agent.ESTOREUNAVAILABLE, "m"), websocket.StatusTryAgainLater},
		{agent.Errorf(agent.EBUSY, "m"), websocket.StatusTryAgainLater},
		{agent.Errorf(agent.ESTORAGEFULL, "m"), websocket.StatusTryAgainLater},
		{fmt.Errorf("claim: %w", agent.Errorf(agent.EREADONLY, "m")), websocket.StatusTryAgainLater},
		{agent.Errorf(agent.ENOTFOUND, "m"), StatusInterviewDeleted},
		{errors.New("boom"), websocket.StatusInternalError},
		{agent.Errorf(agent.EINTERNAL, "m"), websocket.StatusInternalError},
	}
	for _, tt := range tests {
		if got, _ := failStatus(tt.err); got != tt.want {
			t.Errorf("failStatus(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestFailFrame checks that an interview gone at connect is reported with
// the code that goes with close 4004, and other errors with their own.
func TestFailFrame(t *testing.T) {
	if f := failFrame(agent.Errorf(agent.ENOTFOUND, "m")); f.Code != agent.EINTERVIEWDELETED {
		t.Errorf("not found: frame %+v, want %s", f, agent.EINTERVIEWDELETED)
	}
	if f := failFrame(agent.Errorf(agent.EREADONLY, "m")); f.Code != agent.EREADONLY {
		t.Errorf("read only: frame %+v, want %s", f, agent.EREADONLY)
	}
}
