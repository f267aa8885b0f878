package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/sqlite"
)

// outbox opens a store holding one pending delivery to url and returns
// the store, the key and the delivery's id.
func outbox(t *testing.T, url string) (*sqlite.DB, *agent.APIKey, string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	k, _, err := agent.NewAPIKey("hooked", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k.WebhookURL, k.WebhookSecret = url, agent.NewWebhookSecret()
	if err := db.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	iv := &agent.Interview{ID: "iv-1", OwnerID: k.OwnerID, Role: agent.RoleSDE, Level: "L5", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateInterview(ctx, iv); err != nil {
		t.Fatal(err)
	}
	if err := db.SetStatus(ctx, iv.ID, 0, agent.StatusInProgress, agent.StatusGrading); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDebrief(ctx, iv.ID, &agent.Debrief{Recommendation: agent.Hire, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	ds, err := db.ClaimDeliveries(ctx, now, 0, 10) // a zero lease leaves it due
	if err != nil || len(ds) != 1 {
		t.Fatalf("the outbox holds %d deliveries, %v", len(ds), err)
	}
	return db, k, ds[0].ID
}

func quietWorker(db agent.WebhookStore) *Worker {
	w := NewWorker(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Poll, w.Backoff = 5*time.Millisecond, 10*time.Millisecond
	return w
}

// waitFor polls until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestWorkerDropsRevokedKeys(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	db, k, id := outbox(t, srv.URL)
	if _, err := db.RevokeKey(context.Background(), k.Name, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := quietWorker(db)
	w.Start()
	defer w.Close()
	waitFor(t, "the delivery to fail", func() bool {
		d, err := db.Delivery(context.Background(), id)
		return err == nil && d.Status == agent.DeliveryFailed
	})
	if n := hits.Load(); n != 0 {
		t.Errorf("a revoked key's webhook got %d requests", n)
	}
}

func TestWorkerCloseInterruptsSends(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		arrived <- struct{}{}
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()
	db, _, id := outbox(t, srv.URL)
	w := quietWorker(db)
	w.Start()
	<-arrived
	start := time.Now()
	w.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	d, err := db.Delivery(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// Due again at once rather than at the end of the minute's lease.
	if d.Status != agent.DeliveryPending || d.LastError == "" || d.NextAttemptAt.After(time.Now()) {
		t.Errorf("after Close the delivery is %s, due %v (%q)", d.Status, d.NextAttemptAt, d.LastError)
	}
}

func TestWorkerRetriesThenDelivers(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	db, _, id := outbox(t, srv.URL)
	w := quietWorker(db)
	w.Start()
	defer w.Close()
	waitFor(t, "the delivery", func() bool {
		d, err := db.Delivery(context.Background(), id)
		return err == nil && d.Status == agent.DeliveryDelivered
	})
	d, _ := db.Delivery(context.Background(), id)
	if n := calls.Load(); n != 3 || d.Attempts != 4 || d.LastStatus != 200 { // the outbox helper claimed once
		t.Errorf("%d requests, delivery %+v", n, d)
	}
}
