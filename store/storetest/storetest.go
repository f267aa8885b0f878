// Package storetest is a conformance suite for implementations of
// agent.Store, agent.EmbeddingStore and agent.KeyStore. Each store's tests
// call Run with a function that opens a fresh, empty store.
//
// Besides what the interface documentation says, the suite pins down a few
// details that callers rely on, so that every store behaves the same:
//
//   - timestamps come back in UTC, truncated to the microsecond;
//   - Interview.Turns is never nil, Interview.Debrief is nil until a debrief
//     is saved, and Principles and the Debrief round-trip exactly (a nil
//     slice stays nil, an empty one stays empty);
//   - CreateInterview stores an empty Status as in_progress;
//   - Interviews returns a non-nil slice, ordered by created_at descending
//     and then by id ascending;
//   - the first Claim returns 1 and each later one returns one more;
//   - AddUsage on an unknown interview returns ENOTFOUND;
//   - OwnerHistory returns non-nil maps;
//   - SyncCorpus also drops the embeddings of the entries it removes;
//   - Keys returns a non-nil slice, ordered by created_at and then by id,
//     and a zero LastUsedAt or RevokedAt round-trips as the zero time;
//   - TouchKey on an unknown key returns nil;
//   - a ticket hash stored twice returns ECONFLICT, and RedeemTicket drops
//     the tickets that have expired by now even when it redeems none.
package storetest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// Store is what the suite tests: every store interface on one value.
type Store = interface {
	agent.Store
	agent.EmbeddingStore
	agent.KeyStore
}

// Run runs the conformance suite. open must return a fresh, empty store
// and arrange, with t.Cleanup, for it to be closed; it is called once per
// subtest.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateDuplicate", testCreateDuplicate},
		{"EnsureOwner", testEnsureOwner},
		{"TurnsOrdering", testTurnsOrdering},
		{"OwnerIsolation", testOwnerIsolation},
		{"NewestFirst", testNewestFirst},
		{"IdempotentResend", testIdempotentResend},
		{"SeqConflict", testSeqConflict},
		{"AppendTurns", testAppendTurns},
		{"StatusConflicts", testStatusConflicts},
		{"GenerationFencing", testGenerationFencing},
		{"SaveDebrief", testSaveDebrief},
		{"Usage", testUsage},
		{"InterviewIDsByStatus", testInterviewIDsByStatus},
		{"OwnerHistory", testOwnerHistory},
		{"CorpusAndEmbeddings", testCorpusAndEmbeddings},
		{"Concurrency", testConcurrency},
		{"KeyCreateAndGet", testKeyCreateAndGet},
		{"KeyConflicts", testKeyConflicts},
		{"KeyOwner", testKeyOwner},
		{"KeysOldestFirst", testKeysOldestFirst},
		{"RevokeKey", testRevokeKey},
		{"TouchKey", testTouchKey},
		{"Tickets", testTickets},
		{"TicketConcurrentRedeem", testTicketConcurrentRedeem},
		{"ListInterviews", testListInterviews},
		{"ListKeyset", testListKeyset},
		{"OwnerInterviews", testOwnerInterviews},
		{"DeleteInterview", testDeleteInterview},
		{"DeleteOwnerInterviews", testDeleteOwnerInterviews},
		{"Shares", testShares},
		{"WebhookKey", testWebhookKey},
		{"WebhookSaveDebrief", testWebhookSaveDebrief},
		{"WebhookClaim", testWebhookClaim},
		{"WebhookLeaseExpiry", testWebhookLeaseExpiry},
		{"WebhookSuccess", testWebhookSuccess},
		{"WebhookRetrySchedule", testWebhookRetrySchedule},
		{"WebhookGiveUp", testWebhookGiveUp},
		{"WebhookConcurrentClaim", testWebhookConcurrentClaim},
		{"WebhookDeleteDrops", testWebhookDeleteDrops},
		{"OpenInterviews", testOpenInterviews},
		{"StoryTitles", testStoryTitles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

// base is an arbitrary instant with nanoseconds, in a zone that is not
// UTC, so that normalisation is exercised everywhere.
var base = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("UTC+5:30", 5*3600+1800))

// norm is what a store returns for t.
func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// plan is a two-principle interview plan.
var plan = []agent.PlannedPrinciple{
	{ID: "ownership", Name: "Ownership", QuestionID: "q-own-1"},
	{ID: "dive_deep", Name: "Dive Deep", QuestionID: "q-dd-3"},
}

// newInterview returns an interview that createInterview can store.
func newInterview(owner, id string, created time.Time) *agent.Interview {
	return &agent.Interview{
		ID: id, OwnerID: owner, Role: agent.RoleSDE, Level: "L5", Focus: "payments",
		Principles: slices.Clone(plan), CreatedAt: created, UpdatedAt: created,
	}
}

// create stores iv, failing the test on error.
func create(t *testing.T, s Store, iv *agent.Interview) {
	t.Helper()
	if err := s.CreateInterview(context.Background(), iv); err != nil {
		t.Fatalf("CreateInterview(%s): %v", iv.ID, err)
	}
}

// get loads an interview, failing the test on error.
func get(t *testing.T, s Store, owner, id string) *agent.Interview {
	t.Helper()
	iv, err := s.Interview(context.Background(), owner, id)
	if err != nil {
		t.Fatalf("Interview(%q, %s): %v", owner, id, err)
	}
	return iv
}

// turn returns turn seq of a conversation that alternates interviewer
// questions (odd seq) and candidate answers (even seq, with a client id).
func turn(seq int, principle string) agent.Turn {
	t := agent.Turn{Seq: seq, Principle: principle, At: base.Add(time.Duration(seq) * time.Second)}
	if seq%2 == 1 {
		t.Speaker, t.Kind = agent.SpeakerInterviewer, agent.KindOpening
		if seq > 1 {
			t.Kind, t.FollowUp, t.Probe = agent.KindFollowUp, 1, "metrics"
		}
		t.Text = fmt.Sprintf("Question %d?", seq)
	} else {
		t.Speaker, t.Kind = agent.SpeakerCandidate, agent.KindAnswer
		t.Text = fmt.Sprintf("Answer %d.", seq)
		t.ClientID = fmt.Sprintf("client-%d", seq)
	}
	return t
}

// normTurn is what a store returns for t.
func normTurn(t agent.Turn) agent.Turn {
	t.At = norm(t.At)
	return t
}

// appendTurn appends t with gen 0 and expects it to be created.
func appendTurn(t *testing.T, s Store, id string, tr agent.Turn) agent.Turn {
	t.Helper()
	stored, created, err := agent.AppendTurn(context.Background(), s, id, 0, tr)
	if err != nil || !created {
		t.Fatalf("AppendTurn(%s, seq %d) = created %v, %v; want created", id, tr.Seq, created, err)
	}
	return stored
}

// wantCode fails the test unless err carries code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := agent.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func testCreateAndGet(t *testing.T, s Store) {
	ctx := context.Background()
	tests := []struct {
		name string
		iv   agent.Interview
	}{
		{"full", agent.Interview{
			ID: "iv-full", OwnerID: "alice", Role: agent.RoleEM, Level: "L7",
			Focus:      "Leading a migration — \"quotes\", émojis 🚀 and\nnewlines",
			Principles: slices.Clone(plan),
			CreatedAt:  base, UpdatedAt: base.Add(90 * time.Minute),
		}},
		{"nil principles", agent.Interview{
			ID: "iv-nil", OwnerID: "alice", Role: agent.RoleSDE, Level: "L4",
			CreatedAt: base.Add(time.Hour), UpdatedAt: base.Add(time.Hour),
		}},
		{"empty principles", agent.Interview{
			ID: "iv-empty", OwnerID: "bob", Role: agent.RolePM, Level: "L6",
			Principles: []agent.PlannedPrinciple{},
			CreatedAt:  time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2023, 1, 2, 3, 4, 5, 999, time.UTC),
		}},
		{"principle without question", agent.Interview{
			ID: "iv-noq", OwnerID: "bob", Role: agent.RoleGeneral, Level: "L8",
			Principles: []agent.PlannedPrinciple{{ID: "bias_for_action", Name: "Bias for Action"}},
			CreatedAt:  base.Local(), UpdatedAt: base.Local(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv := tt.iv
			if err := s.CreateInterview(ctx, &iv); err != nil {
				t.Fatalf("CreateInterview: %v", err)
			}
			want := tt.iv
			want.Status = agent.StatusInProgress
			want.Turns = []agent.Turn{}
			want.CreatedAt, want.UpdatedAt = norm(want.CreatedAt), norm(want.UpdatedAt)
			for _, owner := range []string{tt.iv.OwnerID, ""} {
				got := get(t, s, owner, tt.iv.ID)
				if !reflect.DeepEqual(got, &want) {
					t.Errorf("Interview(%q, %s)\n got %#v\nwant %#v", owner, tt.iv.ID, got, &want)
				}
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, err := s.Interview(ctx, "", "no-such-interview")
		wantCode(t, "Interview(unknown)", err, agent.ENOTFOUND)
	})
}

func testCreateDuplicate(t *testing.T, s Store) {
	create(t, s, newInterview("alice", "iv-1", base))
	err := s.CreateInterview(context.Background(), newInterview("bob", "iv-1", base))
	wantCode(t, "CreateInterview(duplicate id)", err, agent.ECONFLICT)
	if got := get(t, s, "", "iv-1"); got.OwnerID != "alice" {
		t.Errorf("owner after duplicate create = %q, want alice", got.OwnerID)
	}
}

func testEnsureOwner(t *testing.T, s Store) {
	ctx := context.Background()
	for range 3 {
		if err := s.EnsureOwner(ctx, "alice"); err != nil {
			t.Fatalf("EnsureOwner: %v", err)
		}
	}
	// CreateInterview ensures the owner itself, before or after EnsureOwner.
	create(t, s, newInterview("alice", "iv-a", base))
	create(t, s, newInterview("carol", "iv-c", base))
	if err := s.EnsureOwner(ctx, "carol"); err != nil {
		t.Fatalf("EnsureOwner after CreateInterview: %v", err)
	}
	list, err := s.Interviews(ctx, "dave")
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("Interviews(unknown owner) = %#v, %v; want empty non-nil slice", list, err)
	}
}

func testTurnsOrdering(t *testing.T, s Store) {
	create(t, s, newInterview("alice", "iv-1", base))
	var want []agent.Turn
	for seq := 1; seq <= 7; seq++ {
		tr := turn(seq, plan[(seq-1)/4].ID)
		stored := appendTurn(t, s, "iv-1", tr)
		if !reflect.DeepEqual(stored, normTurn(tr)) {
			t.Errorf("AppendTurn returned %#v, want %#v", stored, normTurn(tr))
		}
		want = append(want, normTurn(tr))
	}
	iv := get(t, s, "alice", "iv-1")
	if !reflect.DeepEqual(iv.Turns, want) {
		t.Errorf("turns\n got %#v\nwant %#v", iv.Turns, want)
	}
	if last := want[len(want)-1].At; iv.UpdatedAt.Before(last) {
		t.Errorf("UpdatedAt %v is before the last turn at %v", iv.UpdatedAt, last)
	}
}

func testOwnerIsolation(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-alice", base))
	create(t, s, newInterview("bob", "iv-bob", base))

	_, err := s.Interview(ctx, "bob", "iv-alice")
	wantCode(t, "Interview(bob, alice's interview)", err, agent.ENOTFOUND)
	_, err = s.Interview(ctx, "mallory", "iv-alice")
	wantCode(t, "Interview(mallory, alice's interview)", err, agent.ENOTFOUND)

	for owner, want := range map[string][]string{"alice": {"iv-alice"}, "bob": {"iv-bob"}, "mallory": {}} {
		list, err := s.Interviews(ctx, owner)
		if err != nil {
			t.Fatalf("Interviews(%s): %v", owner, err)
		}
		if got := summaryIDs(list); !slices.Equal(got, want) {
			t.Errorf("Interviews(%s) = %v, want %v", owner, got, want)
		}
	}
}

// summaryIDs returns the ids of a list of summaries, in order.
func summaryIDs(list []agent.InterviewSummary) []string {
	ids := []string{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func testNewestFirst(t *testing.T, s Store) {
	ctx := context.Background()
	whole := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, c := range []struct {
		id string
		at time.Time
	}{
		{"iv-whole", whole},                                 // a whole second sorts before
		{"iv-half", whole.Add(500 * time.Millisecond)},      // a later fraction of it
		{"iv-tie-b", whole.Add(2 * time.Hour)},              // ties are broken by id
		{"iv-tie-a", whole.Add(2 * time.Hour)},              //
		{"iv-day", whole.Add(24 * time.Hour)},               //
		{"iv-old", whole.Add(-365 * 24 * time.Hour)},        //
		{"iv-micro", whole.Add(500*time.Millisecond + 1e3)}, // one microsecond later
	} {
		create(t, s, newInterview("alice", c.id, c.at))
	}
	create(t, s, newInterview("bob", "iv-bob", whole.Add(time.Hour)))

	// A debrief's recommendation shows in the list.
	if err := s.SetStatus(ctx, "iv-day", 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDebrief(ctx, "iv-day", &agent.Debrief{Recommendation: agent.Hire, CreatedAt: whole}); err != nil {
		t.Fatal(err)
	}

	list, err := s.Interviews(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"iv-day", "iv-tie-a", "iv-tie-b", "iv-micro", "iv-half", "iv-whole", "iv-old"}
	if got := summaryIDs(list); !slices.Equal(got, want) {
		t.Fatalf("Interviews order = %v, want %v", got, want)
	}
	for _, sum := range list {
		iv := get(t, s, "alice", sum.ID)
		if !reflect.DeepEqual(sum, iv.Summary()) {
			t.Errorf("summary of %s\n got %#v\nwant %#v", sum.ID, sum, iv.Summary())
		}
	}
	if list[0].Recommendation != string(agent.Hire) || list[1].Recommendation != "" {
		t.Errorf("recommendations = %q, %q; want %q, \"\"", list[0].Recommendation, list[1].Recommendation, agent.Hire)
	}
}

func testIdempotentResend(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	appendTurn(t, s, "iv-1", turn(1, "ownership"))
	answer := appendTurn(t, s, "iv-1", turn(2, "ownership"))

	// check resends the answer (possibly with another seq and text) and
	// expects the stored turn back, not created, with gen.
	check := func(t *testing.T, gen int64, resend agent.Turn, wantTurns int) {
		t.Helper()
		got, created, err := agent.AppendTurn(ctx, s, "iv-1", gen, resend)
		if err != nil || created {
			t.Fatalf("resend = created %v, %v; want not created, nil", created, err)
		}
		if !reflect.DeepEqual(got, answer) {
			t.Errorf("resend returned %#v, want the stored %#v", got, answer)
		}
		if n := len(get(t, s, "alice", "iv-1").Turns); n != wantTurns {
			t.Errorf("%d turns stored after resend, want %d", n, wantTurns)
		}
	}
	later := turn(2, "ownership")
	later.Seq, later.Text, later.At = 9, "retyped", base.Add(time.Hour)

	t.Run("immediately", func(t *testing.T) { check(t, 0, turn(2, "ownership"), 2) })
	t.Run("twice", func(t *testing.T) { check(t, 0, turn(2, "ownership"), 2) })
	appendTurn(t, s, "iv-1", turn(3, "ownership"))
	appendTurn(t, s, "iv-1", turn(4, "ownership"))
	t.Run("after later turns", func(t *testing.T) { check(t, 0, turn(2, "ownership"), 4) })
	t.Run("with another seq", func(t *testing.T) { check(t, 0, later, 4) })

	gen, err := s.Claim(ctx, "iv-1")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("with current gen", func(t *testing.T) { check(t, gen, turn(2, "ownership"), 4) })
	if err := s.SetStatus(ctx, "iv-1", gen, agent.StatusInProgress, agent.StatusGrading); err != nil {
		t.Fatal(err)
	}
	t.Run("after the interview moved on", func(t *testing.T) { check(t, gen, turn(2, "ownership"), 4) })

	t.Run("stale gen is refused first", func(t *testing.T) {
		if _, err := s.Claim(ctx, "iv-1"); err != nil {
			t.Fatal(err)
		}
		_, _, err := agent.AppendTurn(ctx, s, "iv-1", gen, turn(2, "ownership"))
		wantCode(t, "resend with a stale gen", err, agent.ESUPERSEDED)
	})

	t.Run("client ids are per interview", func(t *testing.T) {
		create(t, s, newInterview("alice", "iv-2", base))
		appendTurn(t, s, "iv-2", turn(1, "ownership"))
		stored := appendTurn(t, s, "iv-2", turn(2, "ownership")) // same client id as iv-1's answer
		if stored.ClientID != answer.ClientID {
			t.Fatalf("client id %q, want %q", stored.ClientID, answer.ClientID)
		}
	})
}

func testSeqConflict(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	appendTurn(t, s, "iv-1", turn(1, "ownership"))
	appendTurn(t, s, "iv-1", turn(2, "ownership"))

	fresh := turn(3, "ownership")
	tests := []struct {
		name string
		id   string
		seq  int
		code string
	}{
		{"zero", "iv-1", 0, agent.ECONFLICT},
		{"repeated last", "iv-1", 2, agent.ECONFLICT},
		{"repeated first", "iv-1", 1, agent.ECONFLICT},
		{"gap", "iv-1", 4, agent.ECONFLICT},
		{"far ahead", "iv-1", 100, agent.ECONFLICT},
		{"unknown interview", "no-such-interview", 1, agent.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := fresh
			tr.Seq = tt.seq
			_, created, err := agent.AppendTurn(ctx, s, tt.id, 0, tr)
			wantCode(t, fmt.Sprintf("AppendTurn(seq %d)", tt.seq), err, tt.code)
			if created {
				t.Error("created is true on error")
			}
		})
	}
	iv := get(t, s, "alice", "iv-1")
	if len(iv.Turns) != 2 {
		t.Fatalf("%d turns after conflicts, want 2", len(iv.Turns))
	}
	appendTurn(t, s, "iv-1", fresh)
}

func testStatusConflicts(t *testing.T, s Store) {
	ctx := context.Background()
	// Each case starts from a fresh interview moved to status at.
	tests := []struct {
		name string
		at   agent.Status
		op   func(id string) error
		code string
	}{
		{"set from wrong status", agent.StatusInProgress, func(id string) error {
			return s.SetStatus(ctx, id, 0, agent.StatusGrading, agent.StatusComplete)
		}, agent.ECONFLICT},
		{"set from wrong status after move", agent.StatusGrading, func(id string) error {
			return s.SetStatus(ctx, id, 0, agent.StatusInProgress, agent.StatusGrading)
		}, agent.ECONFLICT},
		{"append while grading", agent.StatusGrading, func(id string) error {
			_, _, err := agent.AppendTurn(ctx, s, id, 0, turn(2, "ownership"))
			return err
		}, agent.ECONFLICT},
		{"append when complete", agent.StatusComplete, func(id string) error {
			_, _, err := agent.AppendTurn(ctx, s, id, 0, turn(2, "ownership"))
			return err
		}, agent.ECONFLICT},
		{"debrief while in progress", agent.StatusInProgress, func(id string) error {
			return s.SaveDebrief(ctx, id, &agent.Debrief{Recommendation: agent.Hire, CreatedAt: base})
		}, agent.ECONFLICT},
		{"debrief when complete", agent.StatusComplete, func(id string) error {
			return s.SaveDebrief(ctx, id, &agent.Debrief{Recommendation: agent.NoHire, CreatedAt: base})
		}, agent.ECONFLICT},
		{"set status unknown", "", func(string) error {
			return s.SetStatus(ctx, "no-such-interview", 0, agent.StatusInProgress, agent.StatusGrading)
		}, agent.ENOTFOUND},
		{"debrief unknown", "", func(string) error {
			return s.SaveDebrief(ctx, "no-such-interview", &agent.Debrief{Recommendation: agent.Hire})
		}, agent.ENOTFOUND},
		{"claim unknown", "", func(string) error {
			_, err := s.Claim(ctx, "no-such-interview")
			return err
		}, agent.ENOTFOUND},
		{"set and move on", agent.StatusInProgress, func(id string) error {
			return s.SetStatus(ctx, id, 0, agent.StatusInProgress, agent.StatusGrading)
		}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("iv-%d", i)
			create(t, s, newInterview("alice", id, base))
			appendTurn(t, s, id, turn(1, "ownership"))
			moveTo(t, s, id, tt.at)
			before := get(t, s, "alice", id)
			err := tt.op(id)
			wantCode(t, tt.name, err, tt.code)
			after := get(t, s, "alice", id)
			if tt.code != "" && !reflect.DeepEqual(before, after) {
				t.Errorf("a failed write changed the interview\nbefore %#v\n after %#v", before, after)
			}
		})
	}
	t.Run("SetStatus updates", func(t *testing.T) {
		create(t, s, newInterview("alice", "iv-set", base))
		if err := s.SetStatus(ctx, "iv-set", 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
			t.Fatal(err)
		}
		iv := get(t, s, "alice", "iv-set")
		if iv.Status != agent.StatusGrading {
			t.Errorf("status %s, want grading", iv.Status)
		}
		if iv.UpdatedAt.Before(iv.CreatedAt) {
			t.Errorf("UpdatedAt %v before CreatedAt %v", iv.UpdatedAt, iv.CreatedAt)
		}
	})
}

// moveTo moves an in-progress interview on to status to ("" stays).
func moveTo(t *testing.T, s Store, id string, to agent.Status) {
	t.Helper()
	ctx := context.Background()
	if to == agent.StatusGrading || to == agent.StatusComplete {
		if err := s.SetStatus(ctx, id, 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
			t.Fatal(err)
		}
	}
	if to == agent.StatusComplete {
		if err := s.SaveDebrief(ctx, id, &agent.Debrief{Recommendation: agent.Hire, CreatedAt: base}); err != nil {
			t.Fatal(err)
		}
	}
}

func testGenerationFencing(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	g1, err := s.Claim(ctx, "iv-1")
	if err != nil || g1 != 1 {
		t.Fatalf("first Claim = %d, %v; want 1", g1, err)
	}
	if _, _, err := agent.AppendTurn(ctx, s, "iv-1", g1, turn(1, "ownership")); err != nil {
		t.Fatalf("AppendTurn with the current gen: %v", err)
	}
	g2, err := s.Claim(ctx, "iv-1")
	if err != nil || g2 != g1+1 {
		t.Fatalf("second Claim = %d, %v; want %d", g2, err, g1+1)
	}

	// Writes with the old generation fail and change nothing.
	_, _, err = agent.AppendTurn(ctx, s, "iv-1", g1, turn(2, "ownership"))
	wantCode(t, "AppendTurn(old gen)", err, agent.ESUPERSEDED)
	err = s.SetStatus(ctx, "iv-1", g1, agent.StatusInProgress, agent.StatusGrading)
	wantCode(t, "SetStatus(old gen)", err, agent.ESUPERSEDED)
	// The generation is checked before the status.
	err = s.SetStatus(ctx, "iv-1", g1, agent.StatusComplete, agent.StatusGrading)
	wantCode(t, "SetStatus(old gen, wrong status)", err, agent.ESUPERSEDED)
	// A generation from the future is not current either.
	_, _, err = agent.AppendTurn(ctx, s, "iv-1", g2+1, turn(2, "ownership"))
	wantCode(t, "AppendTurn(future gen)", err, agent.ESUPERSEDED)
	if iv := get(t, s, "alice", "iv-1"); len(iv.Turns) != 1 || iv.Status != agent.StatusInProgress {
		t.Fatalf("after fenced writes: %d turns, status %s; want 1, in_progress", len(iv.Turns), iv.Status)
	}

	// The new generation and gen 0 both write.
	if _, _, err := agent.AppendTurn(ctx, s, "iv-1", g2, turn(2, "ownership")); err != nil {
		t.Fatalf("AppendTurn(new gen): %v", err)
	}
	if _, _, err := agent.AppendTurn(ctx, s, "iv-1", 0, turn(3, "ownership")); err != nil {
		t.Fatalf("AppendTurn(gen 0): %v", err)
	}
	if err := s.SetStatus(ctx, "iv-1", g2, agent.StatusInProgress, agent.StatusGrading); err != nil {
		t.Fatalf("SetStatus(new gen): %v", err)
	}
	if err := s.SetStatus(ctx, "iv-1", 0, agent.StatusGrading, agent.StatusInProgress); err != nil {
		t.Fatalf("SetStatus(gen 0): %v", err)
	}
	// Generations are per interview.
	create(t, s, newInterview("alice", "iv-2", base))
	if g, err := s.Claim(ctx, "iv-2"); err != nil || g != 1 {
		t.Fatalf("Claim(iv-2) = %d, %v; want 1", g, err)
	}
}

// intp returns a pointer to n.
func intp(n int) *int { return &n }

func testSaveDebrief(t *testing.T, s Store) {
	ctx := context.Background()
	tests := []struct {
		name string
		d    agent.Debrief
	}{
		{"full", agent.Debrief{
			Recommendation: agent.NoHire, BarRaiserVeto: true,
			Summary:  "Strong ownership, \"thin\" on data.\nSee below — ✓",
			GradedBy: "llm:some-model",
			Usage:    agent.Usage{PromptTokens: 1200, CachedPromptTokens: 800, CompletionTokens: 300},
			Principles: []agent.PrincipleGrade{
				{
					Principle: "ownership", Name: "Ownership", Score: intp(3), Rating: agent.Hire,
					Evidence:  []agent.Evidence{{Seq: 2, Quote: "I owned the rollback"}, {Seq: 4, Quote: "paged myself"}},
					Strengths: []string{"took the pager"}, Concerns: []string{},
					STAR:   agent.STAR{Situation: true, Task: true, Action: true},
					Advice: "Quantify the result.", GradedBy: "rules", DroppedQuotes: 2,
				},
				{
					Principle: "dive_deep", Name: "Dive Deep", Score: intp(1), Rating: agent.StrongNoHire,
					RedFlag: "blames others", RedFlags: []string{"blames others", "implausible_claims"},
				},
				{Principle: "invent_and_simplify", Name: "Invent and Simplify", Rating: agent.NotAssessed},
			},
			CreatedAt: base.Add(time.Hour),
		}},
		{"minimal", agent.Debrief{Recommendation: agent.StrongHire, CreatedAt: base}},
		{"empty slices", agent.Debrief{
			Recommendation: agent.Hire, Principles: []agent.PrincipleGrade{},
			CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		}},
		{"nested empty slices", agent.Debrief{
			Recommendation: agent.Hire,
			Principles: []agent.PrincipleGrade{{
				Principle: "ownership", Score: intp(0), Evidence: []agent.Evidence{}, Strengths: []string{},
			}},
			CreatedAt: base.Add(-time.Hour),
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("iv-%d", i)
			create(t, s, newInterview("alice", id, base))
			appendTurn(t, s, id, turn(1, "ownership"))
			moveTo(t, s, id, agent.StatusGrading)
			before := get(t, s, "alice", id)
			if before.Debrief != nil {
				t.Fatalf("debrief before SaveDebrief = %#v, want nil", before.Debrief)
			}

			d := tt.d
			if err := s.SaveDebrief(ctx, id, &d); err != nil {
				t.Fatalf("SaveDebrief: %v", err)
			}
			want := tt.d
			want.CreatedAt = norm(want.CreatedAt)
			iv := get(t, s, "alice", id)
			if !reflect.DeepEqual(iv.Debrief, &want) {
				t.Errorf("debrief\n got %#v\nwant %#v", iv.Debrief, &want)
			}
			if iv.Status != agent.StatusComplete {
				t.Errorf("status %s, want complete", iv.Status)
			}
			if !reflect.DeepEqual(iv.Turns, before.Turns) {
				t.Errorf("turns changed by SaveDebrief")
			}
			list, err := s.Interviews(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			for _, sum := range list {
				if sum.ID == id && sum.Recommendation != string(tt.d.Recommendation) {
					t.Errorf("listed recommendation %q, want %q", sum.Recommendation, tt.d.Recommendation)
				}
			}
			wantCode(t, "SaveDebrief again", s.SaveDebrief(ctx, id, &d), agent.ECONFLICT)
		})
	}
}

func testUsage(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	create(t, s, newInterview("alice", "iv-2", base))
	var want agent.Usage
	for _, u := range []agent.Usage{
		{PromptTokens: 100, CachedPromptTokens: 40, CompletionTokens: 20},
		{},
		{PromptTokens: 7, CompletionTokens: 1},
		{PromptTokens: 1 << 30, CachedPromptTokens: 1 << 29, CompletionTokens: 1 << 28},
	} {
		if err := s.AddUsage(ctx, "iv-1", u); err != nil {
			t.Fatalf("AddUsage: %v", err)
		}
		want = want.Add(u)
	}
	if got := get(t, s, "alice", "iv-1").Usage; got != want {
		t.Errorf("usage %+v, want %+v", got, want)
	}
	if got := get(t, s, "alice", "iv-2").Usage; got != (agent.Usage{}) {
		t.Errorf("usage of untouched interview %+v, want zero", got)
	}
	wantCode(t, "AddUsage(unknown)", s.AddUsage(ctx, "no-such-interview", agent.Usage{PromptTokens: 1}), agent.ENOTFOUND)
}

func testInterviewIDsByStatus(t *testing.T, s Store) {
	ctx := context.Background()
	statuses := map[string]agent.Status{
		"a-1": agent.StatusInProgress, "a-2": agent.StatusGrading, "a-3": agent.StatusComplete,
		"b-1": agent.StatusGrading, "b-2": agent.StatusInProgress, "c-1": agent.StatusGrading,
	}
	for id, st := range statuses {
		create(t, s, newInterview(id[:1], id, base))
		moveTo(t, s, id, st)
	}
	for _, st := range []agent.Status{agent.StatusInProgress, agent.StatusGrading, agent.StatusComplete, "no-such-status"} {
		ids, err := s.InterviewIDsByStatus(ctx, st)
		if err != nil {
			t.Fatalf("InterviewIDsByStatus(%s): %v", st, err)
		}
		want := []string{}
		for id, s := range statuses {
			if s == st {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		got := slices.Sorted(slices.Values(ids))
		if !slices.Equal(got, want) {
			t.Errorf("InterviewIDsByStatus(%s) = %v, want %v", st, got, want)
		}
	}
}

func testOwnerHistory(t *testing.T, s Store) {
	ctx := context.Background()
	mk := func(owner, id string, plan []agent.PlannedPrinciple, turns ...agent.Turn) {
		iv := newInterview(owner, id, base)
		iv.Principles = plan
		create(t, s, iv)
		for _, tr := range turns {
			appendTurn(t, s, id, tr)
		}
	}
	ownership := agent.PlannedPrinciple{ID: "ownership", Name: "Ownership", QuestionID: "q-own-1"}
	diveDeep := agent.PlannedPrinciple{ID: "dive_deep", Name: "Dive Deep", QuestionID: "q-dd-3"}

	// Two answers about ownership, one about dive_deep; dive_deep's
	// question was asked but never answered.
	mk("alice", "a-1", []agent.PlannedPrinciple{ownership, diveDeep},
		turn(1, "ownership"), turn(2, "ownership"), turn(3, "ownership"), turn(4, "ownership"), turn(5, "dive_deep"))
	// Another interview with ownership, a different question, answered.
	mk("alice", "a-2", []agent.PlannedPrinciple{{ID: "ownership", Name: "Ownership", QuestionID: "q-own-2"}, diveDeep},
		turn(1, "ownership"), turn(2, "ownership"), turn(3, "dive_deep"), turn(4, "dive_deep"))
	// Only a question so far: its plan counts as asked, nothing practised.
	mk("alice", "a-3", []agent.PlannedPrinciple{{ID: "frugality", Name: "Frugality", QuestionID: "q-fr-1"}},
		turn(1, "frugality"))
	// No turns: nothing asked.
	mk("alice", "a-4", []agent.PlannedPrinciple{{ID: "earn_trust", Name: "Earn Trust", QuestionID: "q-et-1"}})
	// No question ids and nil plans are fine.
	mk("alice", "a-5", []agent.PlannedPrinciple{{ID: "bias_for_action", Name: "Bias for Action"}},
		turn(1, "bias_for_action"), turn(2, "bias_for_action"))
	mk("alice", "a-6", nil, turn(1, "customer_obsession"))
	// Another owner's interviews do not count.
	mk("bob", "b-1", []agent.PlannedPrinciple{{ID: "ownership", Name: "Ownership", QuestionID: "q-own-9"}},
		turn(1, "ownership"), turn(2, "ownership"))

	h, err := s.OwnerHistory(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := agent.History{
		AskedQuestions: map[string]bool{"q-own-1": true, "q-dd-3": true, "q-own-2": true, "q-fr-1": true},
		Practised:      map[string]int{"ownership": 2, "dive_deep": 1, "bias_for_action": 1},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("OwnerHistory(alice)\n got %#v\nwant %#v", h, want)
	}

	h, err = s.OwnerHistory(ctx, "nobody")
	if err != nil {
		t.Fatal(err)
	}
	if h.AskedQuestions == nil || h.Practised == nil || len(h.AskedQuestions)+len(h.Practised) != 0 {
		t.Errorf("OwnerHistory(nobody) = %#v, want empty non-nil maps", h)
	}
}

func testCorpusAndEmbeddings(t *testing.T, s Store) {
	ctx := context.Background()
	corpus := []agent.CorpusEntry{
		{ID: "ownership", Kind: "principle", Text: "Leaders are owners.", Hash: "h-own"},
		{ID: "q-own-1", Kind: "question", Text: "Tell me about a time…", Hash: "h-q1"},
		{ID: "q-dd-3", Kind: "question", Text: "Dig into a metric.", Hash: "h-q3"},
	}
	if err := s.SyncCorpus(ctx, corpus); err != nil {
		t.Fatalf("SyncCorpus: %v", err)
	}
	if err := s.SyncCorpus(ctx, corpus); err != nil {
		t.Fatalf("SyncCorpus again: %v", err)
	}
	// Vectors with values a text or float64 round trip would mangle.
	awkward := []float32{
		0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, math.SmallestNonzeroFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00001), 0.1, 1.0 / 3,
	}
	dim := len(awkward)
	vec := func(seed float32) []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = seed * float32(i+1) / 7
		}
		return v
	}
	first := []agent.Embedding{
		{EntryID: "ownership", Hash: "h-own", Vector: awkward},
		{EntryID: "q-own-1", Hash: "h-q1", Vector: vec(1)},
		{EntryID: "q-dd-3", Hash: "h-q3", Vector: vec(2)},
	}
	if err := s.SaveEmbeddings(ctx, "e-big", dim, first); err != nil {
		t.Fatalf("SaveEmbeddings: %v", err)
	}
	small := []agent.Embedding{{EntryID: "ownership", Hash: "h-own", Vector: []float32{0.5, -0.25}},
		{EntryID: "q-dd-3", Hash: "h-q3", Vector: []float32{1e-30, 3e30}}}
	if err := s.SaveEmbeddings(ctx, "e-small", 2, small); err != nil {
		t.Fatalf("SaveEmbeddings: %v", err)
	}
	checkEmbeddings(t, s, "e-big", first)
	checkEmbeddings(t, s, "e-small", small)
	checkEmbeddings(t, s, "e-none", nil)

	// Upsert: a changed entry is re-embedded in place.
	corpus[1].Text, corpus[1].Hash = "Tell me about a time you owned it.", "h-q1b"
	if err := s.SyncCorpus(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	first[1] = agent.Embedding{EntryID: "q-own-1", Hash: "h-q1b", Vector: vec(3)}
	if err := s.SaveEmbeddings(ctx, "e-big", dim, first[1:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEmbeddings(ctx, "e-big", dim, nil); err != nil {
		t.Fatalf("SaveEmbeddings(none): %v", err)
	}
	checkEmbeddings(t, s, "e-big", first)

	// Re-sync without an entry: its embeddings go, for every embedder.
	if err := s.SyncCorpus(ctx, []agent.CorpusEntry{corpus[0], corpus[1]}); err != nil {
		t.Fatal(err)
	}
	checkEmbeddings(t, s, "e-big", first[:2])
	checkEmbeddings(t, s, "e-small", small[:1])
	if err := s.SyncCorpus(ctx, nil); err != nil {
		t.Fatalf("SyncCorpus(nil): %v", err)
	}
	checkEmbeddings(t, s, "e-big", nil)
	checkEmbeddings(t, s, "e-small", nil)
}

// checkEmbeddings compares an embedder's stored vectors bit for bit.
func checkEmbeddings(t *testing.T, s Store, embedder string, want []agent.Embedding) {
	t.Helper()
	got, err := s.Embeddings(context.Background(), embedder)
	if err != nil {
		t.Fatalf("Embeddings(%s): %v", embedder, err)
	}
	if got == nil {
		t.Fatalf("Embeddings(%s) is nil, want a map", embedder)
	}
	if len(got) != len(want) {
		t.Errorf("Embeddings(%s) has %d entries, want %d", embedder, len(got), len(want))
	}
	bits := func(v []float32) []uint32 {
		b := make([]uint32, len(v))
		for i, x := range v {
			b[i] = math.Float32bits(x)
		}
		return b
	}
	for _, w := range want {
		g, ok := got[w.EntryID]
		if !ok {
			t.Errorf("Embeddings(%s) lacks %s", embedder, w.EntryID)
			continue
		}
		if g.EntryID != w.EntryID || g.Hash != w.Hash || !slices.Equal(bits(g.Vector), bits(w.Vector)) {
			t.Errorf("Embeddings(%s)[%s]\n got %+v\nwant %+v", embedder, w.EntryID, g, w)
		}
	}
}

func testConcurrency(t *testing.T, s Store) {
	const (
		interviews = 50
		turns      = 10
	)
	ctx := context.Background()
	id := func(i int) string { return fmt.Sprintf("iv-%02d", i) }
	for i := range interviews {
		create(t, s, newInterview(fmt.Sprintf("owner-%d", i%5), id(i), base.Add(time.Duration(i)*time.Second)))
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, interviews*(turns+2))
	for i := range interviews {
		wg.Go(func() {
			<-start
			gen, err := s.Claim(ctx, id(i))
			if err != nil {
				errs <- fmt.Errorf("Claim(%s): %w", id(i), err)
				return
			}
			for seq := 1; seq <= turns; seq++ {
				if _, created, err := agent.AppendTurn(ctx, s, id(i), gen, turn(seq, "ownership")); err != nil || !created {
					errs <- fmt.Errorf("AppendTurn(%s, %d) = created %v, %w", id(i), seq, created, err)
					return
				}
				if seq%2 == 0 { // a reader and a resend alongside the writers
					if _, err := s.Interview(ctx, "", id(i)); err != nil {
						errs <- fmt.Errorf("Interview(%s): %w", id(i), err)
						return
					}
					if _, created, err := agent.AppendTurn(ctx, s, id(i), gen, turn(seq, "ownership")); err != nil || created {
						errs <- fmt.Errorf("resend(%s, %d) = created %v, %w", id(i), seq, created, err)
						return
					}
				}
			}
			if err := s.AddUsage(ctx, id(i), agent.Usage{PromptTokens: 1}); err != nil {
				errs <- fmt.Errorf("AddUsage(%s): %w", id(i), err)
			}
		})
	}
	// Readers that list while the writers run.
	for o := range 5 {
		wg.Go(func() {
			<-start
			for range 10 {
				if _, err := s.Interviews(ctx, fmt.Sprintf("owner-%d", o)); err != nil {
					errs <- fmt.Errorf("Interviews: %w", err)
					return
				}
				if _, err := s.OwnerHistory(ctx, fmt.Sprintf("owner-%d", o)); err != nil {
					errs <- fmt.Errorf("OwnerHistory: %w", err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	for i := range interviews {
		iv := get(t, s, "", id(i))
		if len(iv.Turns) != turns {
			t.Errorf("%s has %d turns, want %d", id(i), len(iv.Turns), turns)
			continue
		}
		for j, tr := range iv.Turns {
			if want := normTurn(turn(j+1, "ownership")); !reflect.DeepEqual(tr, want) {
				t.Errorf("%s turn %d = %#v, want %#v", id(i), j+1, tr, want)
			}
		}
		if iv.Usage.PromptTokens != 1 {
			t.Errorf("%s usage %+v, want 1 prompt token", id(i), iv.Usage)
		}
	}
}
