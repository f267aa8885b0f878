package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// claim is one call of a WatchClaims callback.
type claim struct {
	id  string
	gen int64
}

// watch runs WatchClaims on db until the test ends and returns what it
// hears, and a channel closed with WatchClaims' result.
func watch(t *testing.T, db *DB) (<-chan claim, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan claim, 100)
	done := make(chan error, 1)
	go func() {
		done <- db.WatchClaims(ctx, func(id string, gen int64) { heard <- claim{id, gen} })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("WatchClaims did not return within 5s of its context ending")
		}
	})
	return heard, done
}

// claimUntilHeard claims id through db every 100 ms until the watcher
// hears one of those claims (the watcher may not be listening yet), and
// returns the generation heard.
func claimUntilHeard(t *testing.T, db *DB, id string, heard <-chan claim, within time.Duration) int64 {
	t.Helper()
	ctx := context.Background()
	deadline := time.After(within)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	claimed := map[int64]bool{}
	for {
		gen, err := db.Claim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		claimed[gen] = true
		select {
		case c := <-heard:
			if c.id != id || !claimed[c.gen] {
				t.Fatalf("heard claim %+v, want one of %s's claims %v", c, id, claimed)
			}
			return c.gen
		case <-deadline:
			t.Fatalf("no claim of %s heard within %v", id, within)
		case <-tick.C:
		}
	}
}

func TestWatchClaims(t *testing.T) {
	ctx := context.Background()
	a, b := twoStores(t, "iv 1")
	heard, _ := watch(t, a)
	claimUntilHeard(t, b, "iv 1", heard, 10*time.Second)
	// Drain claims heard after the first.
	time.Sleep(200 * time.Millisecond)
	for len(heard) > 0 {
		<-heard
	}

	// Now that it listens, each claim by the other process is heard, in
	// order, within a couple of seconds.
	for range 3 {
		gen, err := b.Claim(ctx, "iv 1")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-heard:
			if c != (claim{"iv 1", gen}) {
				t.Fatalf("heard %+v, want {iv 1 %d}", c, gen)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("claim %d not heard within 2s", gen)
		}
	}

	// A claim that fails (unknown id) notifies nothing.
	if _, err := b.Claim(ctx, "no-such-interview"); agent.ErrorCode(err) != agent.ENOTFOUND {
		t.Fatalf("Claim(unknown) = %v", err)
	}
	select {
	case c := <-heard:
		t.Fatalf("heard %+v after a failed claim", c)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestWatchClaimsReconnects(t *testing.T) {
	ctx := context.Background()
	a, b := twoStores(t, "iv-1")
	heard, done := watch(t, a)
	claimUntilHeard(t, b, "iv-1", heard, 10*time.Second)

	// Kill the listener's backend, as a failover or a restart would.
	var killed int
	if err := b.Pool().QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN %s'`, ClaimsChannel)).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listeners, want 1", killed)
	}
	for len(heard) > 0 {
		<-heard
	}
	claimUntilHeard(t, b, "iv-1", heard, 10*time.Second)
	select {
	case err := <-done:
		t.Fatalf("WatchClaims returned %v after losing its connection", err)
	default:
	}
}

func TestWatchClaimsStops(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- db.WatchClaims(ctx, func(string, int64) {}) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("WatchClaims = %v after its context ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchClaims did not return within 5s of its context ending")
	}
}
