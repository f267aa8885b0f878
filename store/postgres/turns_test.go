package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// TestAppendTurnRace appends every turn of an interview from two stores
// with their own pools, as two server processes would, racing on each
// seq: exactly one wins each seq. For an interviewer turn the loser gets
// ECONFLICT; for a candidate answer resent with the same client id the
// loser gets the winner's turn back, not created.
func TestAppendTurnRace(t *testing.T) {
	ctx := context.Background()
	var dbs [2]*DB
	dbs[0], dbs[1] = twoStores(t, "iv-1")
	const turns = 40
	winners := map[int]int{}
	for seq := 1; seq <= turns; seq++ {
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			stored  [2]agent.Turn
			created [2]bool
			errs    [2]error
		)
		for p := range dbs {
			tr := agent.Turn{Seq: seq, Speaker: agent.SpeakerInterviewer, Kind: agent.KindFollowUp, Principle: "ownership",
				Text: fmt.Sprintf("question %d from %d", seq, p)}
			if seq%2 == 0 {
				tr.Speaker, tr.Kind, tr.ClientID = agent.SpeakerCandidate, agent.KindAnswer, fmt.Sprintf("c-%d", seq)
				tr.Text = fmt.Sprintf("answer %d from %d", seq, p)
			}
			wg.Go(func() {
				<-start
				stored[p], created[p], errs[p] = agent.AppendTurn(ctx, dbs[p], "iv-1", 0, tr)
			})
		}
		close(start)
		wg.Wait()
		if created[0] == created[1] {
			t.Fatalf("seq %d: created %v, errors %v; want exactly one created", seq, created, errs)
		}
		w, l := 0, 1
		if created[1] {
			w, l = 1, 0
		}
		winners[seq] = w
		if errs[w] != nil {
			t.Fatalf("seq %d: winner error %v", seq, errs[w])
		}
		if seq%2 == 1 {
			if agent.ErrorCode(errs[l]) != agent.ECONFLICT {
				t.Fatalf("seq %d: loser error %v, want ECONFLICT", seq, errs[l])
			}
		} else if errs[l] != nil || stored[l] != stored[w] {
			t.Fatalf("seq %d: loser got %+v, %v; want the winner's %+v", seq, stored[l], errs[l], stored[w])
		}
	}
	iv, err := dbs[1].Interview(ctx, "", "iv-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(iv.Turns) != turns {
		t.Fatalf("%d turns stored, want %d", len(iv.Turns), turns)
	}
	wins := [2]int{}
	for _, tr := range iv.Turns {
		w := winners[tr.Seq]
		wins[w]++
		if want := fmt.Sprintf(" %d from %d", tr.Seq, w); len(tr.Text) < len(want) || tr.Text[len(tr.Text)-len(want):] != want {
			t.Errorf("turn %d is %q, not the winner's (%d)", tr.Seq, tr.Text, w)
		}
	}
	t.Logf("wins per process: %v", wins)
}

// TestAppendTurnUniqueFallback stores a turn behind AppendTurn's back, as
// a writer that skipped the row lock would, and checks that the unique
// indexes still give the contract: ECONFLICT for a taken seq, the stored
// turn for a taken client id.
func TestAppendTurnUniqueFallback(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := db.CreateInterview(ctx, &agent.Interview{ID: "iv-1", OwnerID: "alice", Role: agent.RoleSDE,
		Level: "L5", CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	// An interviewer turn holding client id c-2 and seq 1: the dedupe
	// lookup (candidate turns only) does not see it, the index does.
	if _, err := db.Pool().Exec(ctx, `INSERT INTO turns (interview_id, seq, speaker, kind, text, client_id, at)
		VALUES ('iv-1', 1, 'interviewer', 'opening', 'q', 'c-2', $1)`, at); err != nil {
		t.Fatal(err)
	}
	_, created, err := agent.AppendTurn(ctx, db, "iv-1", 0, agent.Turn{Seq: 2, Speaker: agent.SpeakerCandidate,
		Kind: agent.KindAnswer, Text: "a", ClientID: "c-2", At: at})
	if agent.ErrorCode(err) != agent.ECONFLICT || created {
		t.Fatalf("AppendTurn with a client id held by an interviewer turn = %v, %v; want ECONFLICT", created, err)
	}
}
