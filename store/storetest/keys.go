package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// newKey returns a key that CreateKey can store, with an owner and a
// secret hash of its own derived from id.
func newKey(id, name string, created time.Time) *agent.APIKey {
	return &agent.APIKey{
		ID: id, Name: name, OwnerID: "owner-of-" + id,
		SecretHash: agent.Hash("secret-" + id), CreatedAt: created,
	}
}

// normKey is what a store returns for k.
func normKey(k agent.APIKey) agent.APIKey {
	k.CreatedAt = norm(k.CreatedAt)
	if !k.LastUsedAt.IsZero() {
		k.LastUsedAt = norm(k.LastUsedAt)
	}
	if !k.RevokedAt.IsZero() {
		k.RevokedAt = norm(k.RevokedAt)
	}
	return k
}

// createKey stores a copy of k, failing the test on error, and returns
// what the store should give back for it.
func createKey(t *testing.T, s Store, k *agent.APIKey) agent.APIKey {
	t.Helper()
	c := *k
	if err := s.CreateKey(context.Background(), &c); err != nil {
		t.Fatalf("CreateKey(%s, %q): %v", k.ID, k.Name, err)
	}
	return normKey(*k)
}

// getKey loads a key, failing the test on error.
func getKey(t *testing.T, s Store, id string) agent.APIKey {
	t.Helper()
	k, err := s.Key(context.Background(), id)
	if err != nil {
		t.Fatalf("Key(%s): %v", id, err)
	}
	return *k
}

// wantKey fails the test unless the stored key with want's id is want.
func wantKey(t *testing.T, s Store, want agent.APIKey) {
	t.Helper()
	if got := getKey(t, s, want.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("Key(%s)\n got %#v\nwant %#v", want.ID, got, want)
	}
}

func testKeyCreateAndGet(t *testing.T, s Store) {
	ctx := context.Background()
	tests := []struct {
		name string
		k    agent.APIKey
	}{
		{"new", *newKey("k-new", "ci", base)},
		{"used", agent.APIKey{
			ID: "k-used", Name: "laptop.cli", OwnerID: "owner-used", SecretHash: agent.Hash("s1"),
			CreatedAt: base.Add(time.Hour), LastUsedAt: base.Add(2 * time.Hour),
		}},
		{"revoked", agent.APIKey{
			ID: "k-revoked", Name: "old_deploy-2", OwnerID: "owner-revoked", SecretHash: agent.Hash("s2"),
			CreatedAt: base.Local(), LastUsedAt: base.Add(time.Minute).Local(), RevokedAt: base.Add(time.Hour),
		}},
		{"hash with awkward bytes", agent.APIKey{
			ID: "k-bytes", Name: "bytes", OwnerID: "owner-bytes", SecretHash: []byte{0, 0xff, 0, 1, 0x80, 0},
			CreatedAt: time.Date(2023, 1, 2, 3, 4, 5, 999, time.UTC),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.k
			if err := s.CreateKey(ctx, &k); err != nil {
				t.Fatalf("CreateKey: %v", err)
			}
			want := normKey(tt.k)
			if !reflect.DeepEqual(k, want) {
				t.Errorf("CreateKey left\n%#v\nwant %#v", k, want)
			}
			wantKey(t, s, want)
			stored := getKey(t, s, tt.k.ID)
			if got := stored.Revoked(); got != !tt.k.RevokedAt.IsZero() {
				t.Errorf("Revoked() = %v", got)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, err := s.Key(ctx, "no-such-key")
		wantCode(t, "Key(unknown)", err, agent.ENOTFOUND)
	})
}

func testKeyConflicts(t *testing.T, s Store) {
	ctx := context.Background()
	ci := createKey(t, s, newKey("k-1", "ci", base))
	// Each step runs on what the steps before it left.
	tests := []struct {
		name string
		op   func() error
		code string
	}{
		{"same name", func() error {
			return s.CreateKey(ctx, newKey("k-2", "ci", base.Add(time.Second)))
		}, agent.ECONFLICT},
		{"same id", func() error {
			return s.CreateKey(ctx, newKey("k-1", "other", base.Add(time.Second)))
		}, agent.ECONFLICT},
		{"same id and name", func() error {
			return s.CreateKey(ctx, newKey("k-1", "ci", base))
		}, agent.ECONFLICT},
		{"name differs in case", func() error {
			return s.CreateKey(ctx, newKey("k-3", "CI", base.Add(time.Second)))
		}, ""},
		{"revoke", func() error {
			_, err := s.RevokeKey(ctx, "ci", base.Add(time.Minute))
			return err
		}, ""},
		{"same name after revoke", func() error {
			return s.CreateKey(ctx, newKey("k-4", "ci", base.Add(2*time.Minute)))
		}, ""},
		{"same name again", func() error {
			return s.CreateKey(ctx, newKey("k-5", "ci", base.Add(3*time.Minute)))
		}, agent.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.name, tt.op(), tt.code)
		})
	}

	// The message names what clashed, and nothing was stored.
	err := s.CreateKey(ctx, newKey("k-6", "ci", base))
	if msg := agent.ErrorMessage(err); !strings.Contains(msg, `"ci"`) {
		t.Errorf("message %q does not name the key", msg)
	}
	err = s.CreateKey(ctx, newKey("k-1", "fresh-name", base))
	if msg := agent.ErrorMessage(err); !strings.Contains(msg, "k-1") || strings.Contains(msg, "fresh-name") {
		t.Errorf("message %q does not blame the id", msg)
	}
	for _, id := range []string{"k-2", "k-5", "k-6"} {
		_, err := s.Key(ctx, id)
		wantCode(t, fmt.Sprintf("Key(%s) after a refused CreateKey", id), err, agent.ENOTFOUND)
	}
	ci.RevokedAt = norm(base.Add(time.Minute))
	wantKey(t, s, ci)
}

func testKeyOwner(t *testing.T, s Store) {
	ctx := context.Background()
	// api_keys.owner_id references owners, so CreateKey itself fails
	// unless it created the owner.
	a := createKey(t, s, newKey("k-a", "a", base))
	b := createKey(t, s, newKey("k-b", "b", base))
	if err := s.EnsureOwner(ctx, a.OwnerID); err != nil {
		t.Fatalf("EnsureOwner(key owner): %v", err)
	}
	create(t, s, newInterview(a.OwnerID, "iv-a", base))
	for _, tt := range []struct {
		owner string
		want  int
	}{{a.OwnerID, 1}, {b.OwnerID, 0}} {
		list, err := s.Interviews(ctx, tt.owner)
		if err != nil {
			t.Fatalf("Interviews(%s): %v", tt.owner, err)
		}
		if len(list) != tt.want {
			t.Errorf("Interviews(%s) has %d interviews, want %d", tt.owner, len(list), tt.want)
		}
	}
	// A key may belong to an owner that already exists.
	c := newKey("k-c", "c", base.Add(time.Second))
	c.OwnerID = a.OwnerID
	createKey(t, s, c)

	// KeyByOwner gives the oldest key in force, or else the oldest.
	byOwner := func(owner, want string) {
		t.Helper()
		k, err := s.KeyByOwner(ctx, owner)
		if err != nil || k.ID != want {
			t.Errorf("KeyByOwner(%s) = %+v, %v; want %s", owner, k, err, want)
		}
	}
	byOwner(a.OwnerID, "k-a")
	if _, err := s.RevokeKey(ctx, "a", base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	byOwner(a.OwnerID, "k-c")
	if _, err := s.RevokeKey(ctx, "c", base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	byOwner(a.OwnerID, "k-a")
	byOwner(b.OwnerID, "k-b")
	_, err := s.KeyByOwner(ctx, "nobody")
	wantCode(t, "KeyByOwner(nobody)", err, agent.ENOTFOUND)
}

func testKeysOldestFirst(t *testing.T, s Store) {
	ctx := context.Background()
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	if keys == nil || len(keys) != 0 {
		t.Fatalf("Keys of an empty store = %#v, want an empty slice", keys)
	}

	// Stored out of order; ties on created_at go by id, byte-wise.
	in := []*agent.APIKey{
		newKey("k-z", "newest", base.Add(time.Hour)),
		newKey("k-a", "tie-1", base),
		newKey("k-B", "tie-2", base),
		newKey("k-_", "tie-3", base),
		newKey("k-y", "oldest", base.Add(-time.Hour)),
		newKey("k-r", "revoked", base.Add(time.Minute)),
	}
	byID := map[string]agent.APIKey{}
	for _, k := range in {
		byID[k.ID] = createKey(t, s, k)
	}
	r := byID["k-r"]
	if _, err := s.RevokeKey(ctx, r.Name, base.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	r.RevokedAt = norm(base.Add(2 * time.Minute))
	byID["k-r"] = r

	keys, err = s.Keys(ctx)
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	var want []agent.APIKey
	for _, id := range []string{"k-y", "k-B", "k-_", "k-a", "k-r", "k-z"} {
		want = append(want, byID[id])
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("Keys\n got %#v\nwant %#v", keys, want)
	}
}

func testRevokeKey(t *testing.T, s Store) {
	ctx := context.Background()
	old := createKey(t, s, newKey("k-1", "ci", base))
	deploy := createKey(t, s, newKey("k-2", "deploy", base))

	at := base.Add(time.Hour)
	got, err := s.RevokeKey(ctx, "ci", at)
	if err != nil {
		t.Fatalf("RevokeKey(ci): %v", err)
	}
	old.RevokedAt = norm(at)
	if !reflect.DeepEqual(*got, old) {
		t.Errorf("RevokeKey(ci)\n got %#v\nwant %#v", *got, old)
	}
	wantKey(t, s, old)
	wantKey(t, s, deploy)

	for _, name := range []string{"ci", "no-such-key", "", "CI"} {
		_, err := s.RevokeKey(ctx, name, at.Add(time.Minute))
		wantCode(t, fmt.Sprintf("RevokeKey(%q)", name), err, agent.ENOTFOUND)
	}
	wantKey(t, s, old)

	// With the name in use again, only the key in force is revoked.
	fresh := createKey(t, s, newKey("k-3", "ci", base.Add(2*time.Hour)))
	got, err = s.RevokeKey(ctx, "ci", base.Add(3*time.Hour))
	if err != nil {
		t.Fatalf("RevokeKey(ci) again: %v", err)
	}
	fresh.RevokedAt = norm(base.Add(3 * time.Hour))
	if !reflect.DeepEqual(*got, fresh) {
		t.Errorf("RevokeKey(ci) again\n got %#v\nwant %#v", *got, fresh)
	}
	wantKey(t, s, old)
	wantKey(t, s, fresh)
}

func testTouchKey(t *testing.T, s Store) {
	ctx := context.Background()
	k := createKey(t, s, newKey("k-1", "ci", base))
	other := createKey(t, s, newKey("k-2", "other", base))
	t0 := base.Add(time.Hour)
	t1 := t0.Add(agent.TouchInterval)
	// Each step touches k at at, then expects k's last use to be want.
	tests := []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"first use", t0, t0},
		{"half an interval later", t0.Add(30 * time.Second), t0},
		{"a microsecond short", t1.Add(-time.Microsecond), t0},
		{"a whole interval later", t1, t1},
		{"earlier clock", t1.Add(-10 * time.Minute), t1},
		{"same instant", t1, t1},
		{"61 seconds later", t1.Add(61 * time.Second), t1.Add(61 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.TouchKey(ctx, k.ID, tt.at); err != nil {
				t.Fatalf("TouchKey: %v", err)
			}
			k.LastUsedAt = norm(tt.want)
			wantKey(t, s, k)
		})
	}
	wantKey(t, s, other)
	if err := s.TouchKey(ctx, "no-such-key", t0); err != nil {
		t.Errorf("TouchKey(unknown) = %v, want nil", err)
	}

	// A revoked key keeps its last use, and touching it is harmless.
	r, err := s.RevokeKey(ctx, "ci", t1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.LastUsedAt, k.LastUsedAt) {
		t.Errorf("revoked key's last use %v, want %v", r.LastUsedAt, k.LastUsedAt)
	}
}

// newTicket returns a ticket whose hash derives from text, expiring at
// expires.
func newTicket(text string, expires time.Time) agent.Ticket {
	return agent.Ticket{
		Hash: agent.Hash(text), InterviewID: "iv-1", OwnerID: "owner-of-k-1", KeyID: "k-1", ExpiresAt: expires,
	}
}

// redeem redeems the ticket with hash at now and checks the outcome: the
// ticket want, or an error with code.
func redeem(t *testing.T, s Store, hash []byte, now time.Time, want agent.Ticket, code string) {
	t.Helper()
	got, err := s.RedeemTicket(context.Background(), hash, now)
	wantCode(t, "RedeemTicket", err, code)
	if code != "" {
		return
	}
	want.ExpiresAt = norm(want.ExpiresAt)
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("RedeemTicket\n got %#v\nwant %#v", *got, want)
	}
}

func testTickets(t *testing.T, s Store) {
	ctx := context.Background()
	expires := base.Add(agent.TicketTTL)
	tests := []struct {
		name string
		now  time.Time
		code string
	}{
		{"fresh", base, ""},
		{"a microsecond before expiry", expires.Add(-time.Microsecond), ""},
		{"at expiry", expires, agent.ENOTFOUND},
		{"after expiry", expires.Add(time.Hour), agent.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTicket(tt.name, expires)
			if err := s.CreateTicket(ctx, tk); err != nil {
				t.Fatalf("CreateTicket: %v", err)
			}
			redeem(t, s, tk.Hash, tt.now, tk, tt.code)
			// Redeemed or dropped as expired, it is gone either way.
			redeem(t, s, tk.Hash, base, tk, agent.ENOTFOUND)
		})
	}
	t.Run("unknown", func(t *testing.T) {
		redeem(t, s, agent.Hash("no-such-ticket"), base, agent.Ticket{}, agent.ENOTFOUND)
	})
	t.Run("same hash twice", func(t *testing.T) {
		tk := newTicket("twice", expires)
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		wantCode(t, "CreateTicket again", s.CreateTicket(ctx, tk), agent.ECONFLICT)
		redeem(t, s, tk.Hash, base, tk, "")
	})
	t.Run("expired ones purged", func(t *testing.T) {
		stale, live := newTicket("stale", base), newTicket("live", expires)
		for _, tk := range []agent.Ticket{stale, live} {
			if err := s.CreateTicket(ctx, tk); err != nil {
				t.Fatalf("CreateTicket: %v", err)
			}
		}
		// Redeeming any ticket after stale expired deletes stale, so that
		// even a clock that reads earlier afterwards cannot bring it back.
		redeem(t, s, live.Hash, base.Add(time.Second), live, "")
		redeem(t, s, stale.Hash, base.Add(-time.Second), stale, agent.ENOTFOUND)
	})
}

func testTicketConcurrentRedeem(t *testing.T, s Store) {
	const (
		tickets   = 10
		redeemers = 8
	)
	ctx := context.Background()
	for i := range tickets {
		tk := newTicket(fmt.Sprintf("race-%d", i), base.Add(agent.TicketTTL))
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		var (
			wins  atomic.Int32
			wg    sync.WaitGroup
			start = make(chan struct{})
		)
		for range redeemers {
			wg.Go(func() {
				<-start
				got, err := s.RedeemTicket(ctx, tk.Hash, base)
				switch {
				case err == nil && got.InterviewID == tk.InterviewID:
					wins.Add(1)
				case agent.ErrorCode(err) != agent.ENOTFOUND:
					t.Errorf("RedeemTicket = %#v, %v; want the ticket or ENOTFOUND", got, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("ticket %d redeemed %d times by %d racing callers, want once", i, n, redeemers)
		}
	}
}
