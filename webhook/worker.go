package webhook

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// Defaults of a Worker's settings.
const (
	DefaultPoll  = time.Second
	DefaultLease = time.Minute
	DefaultBatch = 16
)

// Worker drains the outbox: it claims the deliveries that are due, sends
// them and records each outcome, retrying a failure on the schedule of
// agent.WebhookBackoff until agent.WebhookMaxAge after the delivery was
// created. Every server process runs one; the store's claim makes sure a
// delivery goes to one of them at a time. Set the fields, then call Start;
// zero fields take their defaults.
type Worker struct {
	Store  agent.WebhookStore
	Sender *Sender
	Logger *slog.Logger

	// Poll is how long the worker waits before looking again once the
	// outbox has nothing due.
	Poll time.Duration
	// Backoff is the base of the retry schedule (agent.WebhookBackoffBase).
	Backoff time.Duration
	// Lease is how long a claimed delivery is kept from other workers. It
	// must exceed the sender's timeout.
	Lease time.Duration
	// MaxAge is how long after its creation a delivery is retried.
	MaxAge time.Duration
	// Batch is how many deliveries one claim takes; they are sent
	// concurrently.
	Batch int
	// Now returns the current time; time.Now when nil.
	Now func() time.Time

	cancel context.CancelFunc
	done   chan struct{}
}

// NewWorker returns a worker on store with a NewSender and the defaults.
func NewWorker(store agent.WebhookStore, logger *slog.Logger) *Worker {
	return &Worker{Store: store, Sender: NewSender(), Logger: logger}
}

// Start fills in the defaults and runs the worker in the background until
// Close.
func (w *Worker) Start() {
	if w.Poll <= 0 {
		w.Poll = DefaultPoll
	}
	if w.Backoff <= 0 {
		w.Backoff = agent.WebhookBackoffBase
	}
	if w.Lease <= 0 {
		w.Lease = DefaultLease
	}
	if w.MaxAge <= 0 {
		w.MaxAge = agent.WebhookMaxAge
	}
	if w.Batch <= 0 {
		w.Batch = DefaultBatch
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Sender == nil {
		w.Sender = NewSender()
	}
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go w.run(ctx)
}

// Close stops the worker and waits for it. Sends in flight are cut short
// and recorded as failures due again at once, so that the next worker to
// start, here or elsewhere, retries them at once rather than when the
// lease ends.
func (w *Worker) Close() error {
	if w.cancel == nil {
		return nil
	}
	w.cancel()
	<-w.done
	w.cancel = nil
	return nil
}

// run claims and sends until ctx ends, pausing for Poll whenever a claim
// comes back short of a full batch.
func (w *Worker) run(ctx context.Context) {
	defer close(w.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		n, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.Logger.Warn("webhook: claim deliveries", "err", err)
		}
		if err == nil && n == w.Batch {
			timer.Reset(0) // more may be due
		} else {
			timer.Reset(w.Poll)
		}
	}
}

// RunOnce claims one batch of due deliveries, sends them concurrently and
// records their outcomes. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	batch, err := w.Store.ClaimDeliveries(ctx, w.Now(), w.Lease, w.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, d := range batch {
		wg.Go(func() { w.deliver(ctx, d) })
	}
	wg.Wait()
	return len(batch), nil
}

// deliver makes one attempt at d and records it. It logs a failure at
// warn with the delivery's id and the response status, never the URL, the
// secret or the body.
func (w *Worker) deliver(ctx context.Context, d agent.WebhookDelivery) {
	log := w.Logger.With("delivery", d.ID, "key", d.KeyID, "interview", d.InterviewID, "attempt", d.Attempts)
	a := agent.WebhookAttempt{Attempt: d.Attempts}
	if d.KeyRevoked || d.URL == "" {
		a.At, a.Error = w.Now(), "the key was revoked"
		log.Warn("webhook delivery dropped: the key was revoked")
		w.record(ctx, log, d, a)
		return
	}
	status, err := w.Sender.Send(ctx, d, w.Now())
	a.At, a.Status = w.Now(), status
	switch {
	case err == nil:
		a.Delivered = true
		log.Info("webhook delivered", "status", status)
	case ctx.Err() != nil:
		// Shutting down: due again now, for whichever worker runs next.
		a.Error, a.NextAt = "interrupted by shutdown", a.At
		log.Info("webhook delivery interrupted by shutdown")
	default:
		a.Error = truncate(err.Error(), 200)
		next, retry := agent.NextWebhookAttempt(d.CreatedAt, d.Attempts, a.At, w.Backoff, w.MaxAge)
		if retry {
			a.NextAt = next
			log.Warn("webhook delivery failed", "status", status, "err", a.Error, "retry_at", next)
		} else {
			log.Warn("webhook delivery failed for good", "status", status, "err", a.Error, "created", d.CreatedAt)
		}
	}
	w.record(ctx, log, d, a)
}

// record stores an attempt's outcome, even when ctx has just ended.
func (w *Worker) record(ctx context.Context, log *slog.Logger, d agent.WebhookDelivery, a agent.WebhookAttempt) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := w.Store.RecordAttempt(ctx, d.ID, a)
	switch agent.ErrorCode(err) {
	case "":
	case agent.ECONFLICT:
		// The lease ran out and another worker claimed it: its outcome stands.
		log.Warn("webhook attempt outlived its lease", "err", err)
	default:
		log.Error("webhook: record attempt", "err", err)
	}
}

// truncate cuts s to at most n bytes, dropping a rune cut in two.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
