package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// testAppendTurns checks that AppendTurns stores its turns together or
// not at all, with its checks made on the first.
func testAppendTurns(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	appendTurn(t, s, "iv-1", turn(1, "ownership"))

	answer, question := turn(2, "ownership"), turn(3, "ownership")
	stored, created, err := s.AppendTurns(ctx, "iv-1", 0, answer, question)
	if err != nil || !created || len(stored) != 2 {
		t.Fatalf("AppendTurns(2, 3) = %d turns, created %v, %v; want 2 created", len(stored), created, err)
	}
	for i, want := range []agent.Turn{normTurn(answer), normTurn(question)} {
		if stored[i] != want {
			t.Errorf("stored[%d] = %+v, want %+v", i, stored[i], want)
		}
	}
	iv := get(t, s, "alice", "iv-1")
	if len(iv.Turns) != 3 || iv.Turns[2] != normTurn(question) {
		t.Fatalf("after AppendTurns the interview has %d turns (%+v), want 3 ending with the question", len(iv.Turns), iv.Turns)
	}
	if !iv.UpdatedAt.Equal(norm(question.At)) {
		t.Errorf("updated_at = %v, want the last turn's %v", iv.UpdatedAt, norm(question.At))
	}

	t.Run("a resent answer stores nothing", func(t *testing.T) {
		resent := answer
		resent.At = base.Add(time.Hour)
		got, created, err := s.AppendTurns(ctx, "iv-1", 0, resent, turn(3, "ownership"))
		if err != nil || created || len(got) != 1 || got[0] != normTurn(answer) {
			t.Fatalf("resend = %+v, created %v, %v; want the stored answer alone, not created", got, created, err)
		}
		if n := len(get(t, s, "alice", "iv-1").Turns); n != 3 {
			t.Fatalf("%d turns after the resend, want 3", n)
		}
	})

	bad := turn(5, "ownership")
	bad.FollowUp = agent.MaxFollowUps + 1
	gap := turn(6, "ownership")
	tests := []struct {
		name string
		id   string
		ts   []agent.Turn
		code string // "" for an error with no code
	}{
		{"nothing", "iv-1", nil, agent.EINTERNAL},
		{"the second fails its check", "iv-1", []agent.Turn{turn(4, "ownership"), bad}, agent.EINTERNAL},
		{"seqs not consecutive", "iv-1", []agent.Turn{turn(4, "ownership"), gap}, agent.EINTERNAL},
		{"the first is not next", "iv-1", []agent.Turn{turn(5, "ownership"), turn(6, "ownership")}, agent.ECONFLICT},
		{"unknown interview", "no-such-interview", []agent.Turn{turn(1, "ownership"), turn(2, "ownership")}, agent.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, created, err := s.AppendTurns(ctx, tt.id, 0, tt.ts...)
			if err == nil {
				t.Fatalf("AppendTurns = %+v, created %v; want an error", got, created)
			}
			wantCode(t, "AppendTurns", err, tt.code)
			if created || got != nil {
				t.Errorf("on error: stored %+v, created %v; want nil, false", got, created)
			}
			if n := len(get(t, s, "alice", "iv-1").Turns); n != 3 {
				t.Fatalf("%d turns after a refused AppendTurns, want 3: nothing of it may be stored", n)
			}
		})
	}
}
