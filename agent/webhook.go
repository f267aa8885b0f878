package agent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// An API key may name a webhook: an https (or http) URL to which the server
// POSTs each debrief of the key's interviews once it is ready. Deliveries
// follow the outbox pattern: the store writes a pending delivery in the
// transaction that saves the debrief, and a worker sends it afterwards,
// retrying with backoff, so that a delivery survives a crash or a restart.

// EventDebriefReady is the type of the event sent when a debrief is saved.
const EventDebriefReady = "debrief.ready"

// EINVALIDWEBHOOKURL answers a webhook URL that is not an absolute http or
// https URL with a host.
const EINVALIDWEBHOOKURL = "invalid_webhook_url"

// Webhook limits and defaults.
const (
	// WebhookMaxAge is how long after its creation a delivery is retried;
	// a failure after that marks it failed for good.
	WebhookMaxAge = 24 * time.Hour
	// WebhookBackoffBase is the first retry delay of the schedule.
	WebhookBackoffBase = 10 * time.Second
	// maxWebhookURL bounds the length of a webhook URL.
	maxWebhookURL = 2048
	// webhookSecretPrefix starts every webhook secret's text.
	webhookSecretPrefix = "whsec_"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The statuses of a delivery. Pending ones are sent; the others are final.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// WebhookDelivery is one event to send to one key's webhook.
type WebhookDelivery struct {
	ID          string // also the event's id, sent as X-BarRaiser-Delivery
	KeyID       string
	InterviewID string
	// Body is the JSON event, the same bytes on every attempt.
	Body   []byte
	Status DeliveryStatus
	// Attempts counts the attempts claimed so far, the current one
	// included. It fences a worker whose lease ran out: RecordAttempt
	// takes the value the claim returned.
	Attempts      int
	CreatedAt     time.Time
	NextAttemptAt time.Time // due time while pending; the lease's end once claimed
	LastStatus    int       // HTTP status of the last attempt; 0 for none
	LastError     string    // short reason of the last failure
	FinishedAt    time.Time // zero while pending

	// Set by ClaimDeliveries from the key. The secret must never be logged.
	URL        string
	Secret     string
	KeyRevoked bool // the key was revoked since: the delivery is not sent
}

// WebhookAttempt is the outcome of one claimed attempt to send a delivery.
type WebhookAttempt struct {
	// Attempt is the delivery's Attempts as claimed.
	Attempt   int
	At        time.Time
	Delivered bool
	Status    int    // HTTP status; 0 when no response came
	Error     string // short reason of a failure, never a body or a secret
	// NextAt is when to try again after a failure; zero gives up and marks
	// the delivery failed.
	NextAt time.Time
}

// WebhookStore keeps webhook deliveries. Both stores implement it; their
// SaveDebrief writes a pending delivery, in its own transaction, when the
// interview's owner is a key in force with a webhook URL.
type WebhookStore interface {
	// ClaimDeliveries claims up to limit pending deliveries due by now,
	// earliest first: it counts an attempt on each and pushes its next
	// attempt to now+lease, so that no other caller claims it before the
	// lease ends, and a claimer that dies leaves it to be claimed again.
	// It returns them with the URL and secret of their key.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]WebhookDelivery, error)

	// RecordAttempt records the outcome of the attempt a.Attempt of
	// delivery id: delivered, retried at a.NextAt, or failed. It returns
	// ECONFLICT when the delivery is no longer pending or was claimed
	// again since (the attempt's lease ran out), and changes nothing then.
	RecordAttempt(ctx context.Context, id string, a WebhookAttempt) error

	// Delivery returns the delivery with id id, without its key's URL and
	// secret; ENOTFOUND when there is none.
	Delivery(ctx context.Context, id string) (*WebhookDelivery, error)
}

// WebhookEvent is the JSON body of a delivery.
type WebhookEvent struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	CreatedAt   time.Time `json:"created_at"`
	InterviewID string    `json:"interview_id"`
	Debrief     *Debrief  `json:"debrief"`
}

// NewDebriefEvent returns a new delivery id and the body of the
// debrief.ready event for interview interviewID, created at at.
func NewDebriefEvent(interviewID string, d *Debrief, at time.Time) (id string, body []byte, err error) {
	id = NewID()
	body, err = json.Marshal(WebhookEvent{ID: id, Type: EventDebriefReady, CreatedAt: at.UTC(), InterviewID: interviewID, Debrief: d})
	if err != nil {
		return "", nil, fmt.Errorf("agent: encode webhook event: %w", err)
	}
	return id, body, nil
}

// ValidateWebhookURL checks that raw is an absolute http or https URL with
// a host, and returns it trimmed; otherwise EINVALIDWEBHOOKURL.
func ValidateWebhookURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxWebhookURL {
		return "", Errorf(EINVALIDWEBHOOKURL, "A webhook URL has 1 to %d characters.", maxWebhookURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", Errorf(EINVALIDWEBHOOKURL, "The webhook URL %q does not parse.", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", Errorf(EINVALIDWEBHOOKURL, "A webhook URL starts with https:// or http://, not %q.", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", Errorf(EINVALIDWEBHOOKURL, "The webhook URL %q has no host.", raw)
	}
	if u.User != nil {
		return "", Errorf(EINVALIDWEBHOOKURL, "A webhook URL carries no user or password; the signature authenticates the server.")
	}
	if u.Fragment != "" {
		return "", Errorf(EINVALIDWEBHOOKURL, "A webhook URL has no #fragment.")
	}
	return raw, nil
}

// NewWebhookSecret returns a new secret to sign a key's deliveries with:
// "whsec_" and 32 random bytes in hex.
func NewWebhookSecret() string { return webhookSecretPrefix + randomHex(32) }

// Sign returns the X-BarRaiser-Signature header of body sent at time t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body keyed with secret>".
// Binding the time into the MAC lets a receiver refuse replays.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

// signature is the hex HMAC-SHA256 of ts + "." + body.
func signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a signature header as a receiver should: one of
// its v1 values is the MAC of body at its t, compared in constant time, and
// t is within tolerance of now.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("agent: malformed webhook signature %q", header)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("agent: webhook signature time %d is %s away from now", sec, d.Round(time.Second))
	}
	want := signature(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("agent: webhook signature does not match")
}

// backoffSteps are the retry delays in units of the base: with the default
// base of 10 s, 10 s, 30 s, 1 min, 5 min, 15 min and then every hour.
var backoffSteps = []time.Duration{1, 3, 6, 30, 90, 360}

// WebhookBackoff is the delay after failed attempt number attempt (1 for
// the first) before the next one, for a schedule starting at base.
func WebhookBackoff(attempt int, base time.Duration) time.Duration {
	i := min(max(attempt, 1), len(backoffSteps)) - 1
	return backoffSteps[i] * base
}

// NextWebhookAttempt returns when to retry a delivery created at created
// whose attempt number attempt failed at now, and false to give up: when
// that retry would fall more than maxAge after created.
func NextWebhookAttempt(created time.Time, attempt int, now time.Time, base, maxAge time.Duration) (time.Time, bool) {
	next := now.Add(WebhookBackoff(attempt, base))
	if next.Sub(created) > maxAge {
		return time.Time{}, false
	}
	return next, true
}
