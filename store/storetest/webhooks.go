package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// hooks returns s as an agent.WebhookStore, failing the test when it is
// not one.
func hooks(t *testing.T, s Store) agent.WebhookStore {
	t.Helper()
	ws, ok := s.(agent.WebhookStore)
	if !ok {
		t.Fatalf("%T does not implement agent.WebhookStore", s)
	}
	return ws
}

// hookKey returns a key with a webhook, derived from id.
func hookKey(id, name string) *agent.APIKey {
	k := newKey(id, name, base)
	k.WebhookURL = "https://hooks.example.com/barraiser/" + id + "?token=t"
	k.WebhookSecret = "whsec_" + id
	return k
}

// debriefed creates interview id for owner and saves its debrief, created
// at at, and returns the debrief as stored.
func debriefed(t *testing.T, s Store, owner, id string, at time.Time) *agent.Debrief {
	t.Helper()
	create(t, s, newInterview(owner, id, base))
	appendTurn(t, s, id, turn(1, "ownership"))
	moveTo(t, s, id, agent.StatusGrading)
	d := &agent.Debrief{Recommendation: agent.Hire, Summary: "Owned the rollback.", GradedBy: "rules", CreatedAt: at,
		Principles: []agent.PrincipleGrade{{Principle: "ownership", Name: "Ownership", Score: intp(3), Rating: agent.Hire}}}
	if err := s.SaveDebrief(context.Background(), id, d); err != nil {
		t.Fatalf("SaveDebrief(%s): %v", id, err)
	}
	return get(t, s, owner, id).Debrief
}

// claim claims up to 100 deliveries due by now with lease, failing the
// test on error.
func claim(t *testing.T, ws agent.WebhookStore, now time.Time, lease time.Duration) []agent.WebhookDelivery {
	t.Helper()
	got, err := ws.ClaimDeliveries(context.Background(), now, lease, 100)
	if err != nil {
		t.Fatalf("ClaimDeliveries(%v): %v", now, err)
	}
	return got
}

// claimOne claims at now and wants exactly the delivery id, with attempts
// claims so far.
func claimOne(t *testing.T, ws agent.WebhookStore, now time.Time, lease time.Duration, id string, attempts int) agent.WebhookDelivery {
	t.Helper()
	got := claim(t, ws, now, lease)
	if len(got) != 1 || got[0].ID != id || got[0].Attempts != attempts {
		t.Fatalf("ClaimDeliveries(%v) = %s, want %s at attempt %d", now, show(got...), id, attempts)
	}
	return got[0]
}

// wantNone fails the test when a claim at now returns anything.
func wantNone(t *testing.T, ws agent.WebhookStore, now time.Time) {
	t.Helper()
	if got := claim(t, ws, now, time.Minute); len(got) != 0 {
		t.Fatalf("ClaimDeliveries(%v) = %s, want none", now, show(got...))
	}
}

// record records an attempt, failing the test on error.
func record(t *testing.T, ws agent.WebhookStore, id string, a agent.WebhookAttempt) {
	t.Helper()
	if err := ws.RecordAttempt(context.Background(), id, a); err != nil {
		t.Fatalf("RecordAttempt(%s, %+v): %v", id, a, err)
	}
}

// show formats deliveries for a failure message, with their bodies as
// text.
func show(ds ...agent.WebhookDelivery) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "{id=%s key=%s interview=%s status=%s attempts=%d created=%v next=%v last=%d %q finished=%v url=%q secret=%q revoked=%v body=%s}",
			d.ID, d.KeyID, d.InterviewID, d.Status, d.Attempts, d.CreatedAt, d.NextAttemptAt, d.LastStatus, d.LastError,
			d.FinishedAt, d.URL, d.Secret, d.KeyRevoked, d.Body)
	}
	return "[" + b.String() + "]"
}

// delivery loads a delivery, failing the test on error.
func delivery(t *testing.T, ws agent.WebhookStore, id string) agent.WebhookDelivery {
	t.Helper()
	d, err := ws.Delivery(context.Background(), id)
	if err != nil {
		t.Fatalf("Delivery(%s): %v", id, err)
	}
	return *d
}

func testWebhookKey(t *testing.T, s Store) {
	k := hookKey("k-hook", "ci")
	want := createKey(t, s, k)
	if want.WebhookURL == "" || want.WebhookSecret == "" {
		t.Fatal("hookKey has no webhook")
	}
	wantKey(t, s, want)
	plain := createKey(t, s, newKey("k-plain", "laptop", base.Add(time.Second)))
	wantKey(t, s, plain)
	keys, err := s.Keys(context.Background())
	if err != nil || len(keys) != 2 || !reflect.DeepEqual(keys[0], want) || keys[1].WebhookURL != "" {
		t.Errorf("Keys = %+v, %v", keys, err)
	}
}

// testWebhookSaveDebrief: SaveDebrief queues a delivery only when the
// interview's owner is a key in force with a webhook.
func testWebhookSaveDebrief(t *testing.T, s Store) {
	ctx := context.Background()
	ws := hooks(t, s)
	hook := hookKey("k-hook", "hooked")
	gone := hookKey("k-gone", "revoked")
	for _, k := range []*agent.APIKey{hook, gone, newKey("k-plain", "plain", base)} {
		createKey(t, s, k)
	}
	if _, err := s.RevokeKey(ctx, "revoked", base); err != nil {
		t.Fatal(err)
	}
	d := debriefed(t, s, hook.OwnerID, "iv-hook", base)
	debriefed(t, s, gone.OwnerID, "iv-gone", base)
	debriefed(t, s, "owner-of-k-plain", "iv-plain", base)
	debriefed(t, s, "alice", "iv-browser", base)
	// A debrief refused as a conflict queues nothing more.
	wantCode(t, "SaveDebrief again", s.SaveDebrief(ctx, "iv-hook", d), agent.ECONFLICT)

	now := base.Add(time.Hour)
	got := claim(t, ws, now, time.Minute)
	if len(got) != 1 {
		t.Fatalf("claimed %d deliveries, want 1 (iv-hook's): %s", len(got), show(got...))
	}
	c := got[0]
	want := agent.WebhookDelivery{
		ID: c.ID, KeyID: hook.ID, InterviewID: "iv-hook", Body: c.Body, Status: agent.DeliveryPending, Attempts: 1,
		CreatedAt: norm(base), NextAttemptAt: norm(now.Add(time.Minute)),
		URL: hook.WebhookURL, Secret: hook.WebhookSecret,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("claimed\n got %s\nwant %s", show(c), show(want))
	}
	var ev agent.WebhookEvent
	if err := json.Unmarshal(c.Body, &ev); err != nil {
		t.Fatalf("body %s: %v", c.Body, err)
	}
	wantEv := agent.WebhookEvent{ID: c.ID, Type: agent.EventDebriefReady, CreatedAt: norm(base), InterviewID: "iv-hook", Debrief: d}
	if !reflect.DeepEqual(ev, wantEv) {
		t.Errorf("event\n got %+v\nwant %+v", ev, wantEv)
	}
	want.URL, want.Secret = "", ""
	if got := delivery(t, ws, c.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("Delivery(%s)\n got %s\nwant %s", c.ID, show(got), show(want))
	}
	_, err := ws.Delivery(ctx, "no-such-delivery")
	wantCode(t, "Delivery(unknown)", err, agent.ENOTFOUND)
}

// testWebhookClaim: claims take what is due, earliest first, up to the
// limit, and leave it to no one else until the lease ends.
func testWebhookClaim(t *testing.T, s Store) {
	ctx := context.Background()
	ws := hooks(t, s)
	if got := claim(t, ws, base, time.Minute); len(got) != 0 {
		t.Fatalf("claim on an empty outbox = %s", show(got...))
	}
	for i, name := range []string{"c", "a", "b"} { // due in this order
		k := hookKey("k-"+name, name)
		createKey(t, s, k)
		debriefed(t, s, k.OwnerID, "iv-"+name, base.Add(time.Duration(i)*time.Second))
	}
	interviews := func(ds []agent.WebhookDelivery) []string {
		ids := []string{}
		for _, d := range ds {
			ids = append(ids, d.InterviewID)
		}
		return ids
	}
	wantNone(t, ws, base.Add(-time.Microsecond))
	now := base.Add(time.Hour)
	got, err := ws.ClaimDeliveries(ctx, now, time.Minute, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ids := interviews(got); !reflect.DeepEqual(ids, []string{"iv-c", "iv-a"}) {
		t.Fatalf("claim with limit 2 took %v, want the two due first, [iv-c iv-a]", ids)
	}
	for _, d := range got {
		if d.Attempts != 1 || !d.NextAttemptAt.Equal(norm(now.Add(time.Minute))) {
			t.Errorf("claimed %s, want attempt 1 leased for a minute", show(d))
		}
	}
	// Under their lease the first two are not due; the third is.
	if ids := interviews(claim(t, ws, now, time.Minute)); !reflect.DeepEqual(ids, []string{"iv-b"}) {
		t.Fatalf("second claim took %v, want [iv-b]", ids)
	}
	wantNone(t, ws, now.Add(time.Minute-time.Microsecond))
	if again := claim(t, ws, now.Add(time.Minute), time.Minute); len(again) != 3 {
		t.Fatalf("once the leases end, a claim took %v, want all three", interviews(again))
	}
}

// testWebhookLeaseExpiry: a claim whose lease ran out is claimed again, and
// the first claimer can no longer record its outcome.
func testWebhookLeaseExpiry(t *testing.T, s Store) {
	ctx := context.Background()
	ws := hooks(t, s)
	k := hookKey("k-1", "one")
	createKey(t, s, k)
	debriefed(t, s, k.OwnerID, "iv-1", base)
	first := claim(t, ws, base, time.Minute)
	if len(first) != 1 {
		t.Fatalf("claimed %s", show(first...))
	}
	id := first[0].ID
	wantNone(t, ws, base.Add(time.Minute-time.Microsecond))
	claimOne(t, ws, base.Add(time.Minute), time.Minute, id, 2)

	stale := agent.WebhookAttempt{Attempt: 1, At: base.Add(90 * time.Second), Delivered: true, Status: 200}
	wantCode(t, "RecordAttempt(stale attempt)", ws.RecordAttempt(ctx, id, stale), agent.ECONFLICT)
	if d := delivery(t, ws, id); d.Status != agent.DeliveryPending || d.Attempts != 2 {
		t.Fatalf("after a stale record: %s", show(d))
	}
	record(t, ws, id, agent.WebhookAttempt{Attempt: 2, At: base.Add(100 * time.Second), Delivered: true, Status: 200})
	if d := delivery(t, ws, id); d.Status != agent.DeliveryDelivered {
		t.Fatalf("after the current record: %s", show(d))
	}
}

// testWebhookSuccess: a delivered delivery is final.
func testWebhookSuccess(t *testing.T, s Store) {
	ctx := context.Background()
	ws := hooks(t, s)
	k := hookKey("k-1", "one")
	createKey(t, s, k)
	debriefed(t, s, k.OwnerID, "iv-1", base)
	c := claim(t, ws, base, time.Minute)[0]
	at := base.Add(3 * time.Second)
	record(t, ws, c.ID, agent.WebhookAttempt{Attempt: 1, At: at, Delivered: true, Status: 204})
	want := c
	want.URL, want.Secret = "", ""
	want.Status, want.LastStatus, want.FinishedAt = agent.DeliveryDelivered, 204, norm(at)
	if got := delivery(t, ws, c.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("Delivery\n got %s\nwant %s", show(got), show(want))
	}
	wantNone(t, ws, base.Add(48*time.Hour))
	again := agent.WebhookAttempt{Attempt: 1, At: at, NextAt: at.Add(time.Minute)}
	wantCode(t, "RecordAttempt(delivered)", ws.RecordAttempt(ctx, c.ID, again), agent.ECONFLICT)
	wantCode(t, "RecordAttempt(unknown)", ws.RecordAttempt(ctx, "no-such-delivery", again), agent.ENOTFOUND)
	if got := delivery(t, ws, c.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("a refused record changed the delivery: %s", show(got))
	}
}

// testWebhookRetrySchedule: a failed attempt is due again on the backoff
// schedule, and not before.
func testWebhookRetrySchedule(t *testing.T, s Store) {
	ws := hooks(t, s)
	k := hookKey("k-1", "one")
	createKey(t, s, k)
	debriefed(t, s, k.OwnerID, "iv-1", base)
	created := norm(base)
	c := claim(t, ws, created, time.Minute)[0]
	now := created
	wantDelays := []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute,
		15 * time.Minute, time.Hour, time.Hour}
	for i, delay := range wantDelays {
		attempt := i + 1
		failed := now.Add(2 * time.Second) // the attempt took two seconds
		next, ok := agent.NextWebhookAttempt(created, attempt, failed, agent.WebhookBackoffBase, agent.WebhookMaxAge)
		if !ok || next.Sub(failed) != delay {
			t.Fatalf("attempt %d: next %v (retry %v), want %v after %v", attempt, next, ok, delay, failed)
		}
		record(t, ws, c.ID, agent.WebhookAttempt{Attempt: attempt, At: failed, Status: 500, Error: "status 500", NextAt: next})
		d := delivery(t, ws, c.ID)
		if d.Status != agent.DeliveryPending || d.LastStatus != 500 || d.LastError != "status 500" ||
			!d.NextAttemptAt.Equal(next) || !d.FinishedAt.IsZero() {
			t.Fatalf("after attempt %d: %s", attempt, show(d))
		}
		wantNone(t, ws, next.Add(-time.Microsecond))
		c = claimOne(t, ws, next, time.Minute, c.ID, attempt+1)
		now = next
	}
}

// testWebhookGiveUp: retries stop 24 hours after the delivery was created,
// and the delivery is then failed for good.
func testWebhookGiveUp(t *testing.T, s Store) {
	ctx := context.Background()
	ws := hooks(t, s)
	k := hookKey("k-1", "one")
	createKey(t, s, k)
	debriefed(t, s, k.OwnerID, "iv-1", base)
	created := norm(base)
	id := claim(t, ws, created, time.Minute)[0].ID
	now, attempt := created, 1
	for {
		next, retry := agent.NextWebhookAttempt(created, attempt, now, agent.WebhookBackoffBase, agent.WebhookMaxAge)
		if !retry {
			break
		}
		if next.Sub(created) > agent.WebhookMaxAge {
			t.Fatalf("attempt %d is scheduled %v after creation", attempt+1, next.Sub(created))
		}
		record(t, ws, id, agent.WebhookAttempt{Attempt: attempt, At: now, Status: 503, Error: "status 503", NextAt: next})
		if attempt++; attempt > 100 {
			t.Fatal("the retries do not end")
		}
		claimOne(t, ws, next, time.Minute, id, attempt)
		now = next
	}
	// Attempts at 0, 10 s, 40 s, 1 min 40 s, 6 min 40 s, 21 min 40 s and
	// 1 h 21 min 40 s, then hourly up to 23 h 21 min 40 s: 29 in a day.
	if attempt != 29 || now.Sub(created) != 23*time.Hour+21*time.Minute+40*time.Second {
		t.Errorf("gave up after attempt %d, %v after creation; want attempt 29 at 23h21m40s", attempt, now.Sub(created))
	}
	record(t, ws, id, agent.WebhookAttempt{Attempt: attempt, At: now, Status: 503, Error: "status 503"})
	d := delivery(t, ws, id)
	if d.Status != agent.DeliveryFailed || !d.FinishedAt.Equal(now) || d.LastStatus != 503 || d.Attempts != 29 {
		t.Errorf("after giving up: %s", show(d))
	}
	wantNone(t, ws, created.Add(72*time.Hour))
	retry := agent.WebhookAttempt{Attempt: attempt, At: now, NextAt: now.Add(time.Hour)}
	wantCode(t, "RecordAttempt(failed)", ws.RecordAttempt(ctx, id, retry), agent.ECONFLICT)
}

// testWebhookConcurrentClaim: of 8 claimers racing for one delivery,
// exactly one gets it, round after round as the leases end.
func testWebhookConcurrentClaim(t *testing.T, s Store) {
	const claimers = 8
	ctx := context.Background()
	ws := hooks(t, s)
	k := hookKey("k-1", "one")
	createKey(t, s, k)
	debriefed(t, s, k.OwnerID, "iv-1", base)
	for round := range 3 {
		now := base.Add(time.Duration(round) * time.Minute)
		start := make(chan struct{})
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won []agent.WebhookDelivery
		)
		errs := make(chan error, claimers)
		for range claimers {
			wg.Go(func() {
				<-start
				got, err := ws.ClaimDeliveries(ctx, now, time.Minute, 10)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				won = append(won, got...)
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: ClaimDeliveries: %v", round, err)
		}
		if len(won) != 1 || won[0].Attempts != round+1 {
			t.Fatalf("round %d: the claimers got %s, want one delivery at attempt %d", round, show(won...), round+1)
		}
	}
}

// testWebhookDeleteDrops checks that deleting an interview, or all of an
// owner's, drops its pending deliveries with it.
func testWebhookDeleteDrops(t *testing.T, s Store) {
	ctx := context.Background()
	ws := hooks(t, s)
	k := hookKey("k-del", "del")
	createKey(t, s, k)
	debriefed(t, s, k.OwnerID, "iv-del-1", base)
	debriefed(t, s, k.OwnerID, "iv-del-2", base)
	debriefed(t, s, k.OwnerID, "iv-kept", base)
	now := base.Add(time.Hour)
	if err := s.DeleteInterview(ctx, k.OwnerID, "iv-del-1"); err != nil {
		t.Fatal(err)
	}
	got := claim(t, ws, now, time.Minute)
	if len(got) != 2 || got[0].InterviewID == "iv-del-1" || got[1].InterviewID == "iv-del-1" {
		t.Fatalf("after deleting iv-del-1 a claim took %s", show(got...))
	}
	if _, err := s.DeleteOwnerInterviews(ctx, k.OwnerID); err != nil {
		t.Fatal(err)
	}
	wantNone(t, ws, now.Add(time.Hour))
}
