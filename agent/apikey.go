package agent

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"
)

// APIKey lets a tool act as an owner through the API. Its text, "br_" +
// ID + "_" + a secret, is shown once when it is created; stores keep only
// the SHA-256 of the secret. Every key has an owner of its own, isolated
// from other keys and from browser owners. A key may name a webhook, to
// which the server sends the debriefs of the key's interviews.
type APIKey struct {
	ID         string    `json:"id"` // public, 16 hex digits
	Name       string    `json:"name"`
	OwnerID    string    `json:"owner_id"`
	SecretHash []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"` // zero until first used
	RevokedAt  time.Time `json:"revoked_at"`   // zero while the key is valid
	// WebhookURL receives the key's debriefs; empty for none.
	WebhookURL string `json:"webhook_url,omitempty"`
	// WebhookSecret signs the deliveries (see Sign). Unlike the key's own
	// secret it is kept as is, since the server needs it to sign; it is
	// shown once, when the key is created, and never logged.
	WebhookSecret string `json:"-"`
}

// Revoked reports whether the key was revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// TouchInterval is how often at most a key's last use is written.
const TouchInterval = time.Minute

// KeyStore keeps API keys and WebSocket tickets. Both stores implement it.
// Nothing about a key is cached: every request reads it, so a revocation
// takes effect at once on every process sharing the store.
type KeyStore interface {
	// CreateKey stores k and creates its owner. It returns ECONFLICT when a
	// key that is not revoked already has k.Name.
	CreateKey(ctx context.Context, k *APIKey) error

	// Key returns the key with public id id, revoked or not; ENOTFOUND
	// when there is none.
	Key(ctx context.Context, id string) (*APIKey, error)

	// KeyByOwner returns the key of owner ownerID: the oldest one not
	// revoked, or else the oldest; ENOTFOUND when that owner has no key.
	KeyByOwner(ctx context.Context, ownerID string) (*APIKey, error)

	// Keys lists every key, revoked ones included, oldest first.
	Keys(ctx context.Context) ([]APIKey, error)

	// RevokeKey revokes, at time at, the key named name that is not yet
	// revoked, and returns it; ENOTFOUND when there is none.
	RevokeKey(ctx context.Context, name string, at time.Time) (*APIKey, error)

	// TouchKey records that key id was used at time at, unless a use less
	// than TouchInterval before at is already recorded.
	TouchKey(ctx context.Context, id string, at time.Time) error

	// CreateTicket stores a single-use WebSocket ticket.
	CreateTicket(ctx context.Context, t Ticket) error

	// RedeemTicket deletes and returns the ticket whose hash is hash, if
	// it has not expired by now; ENOTFOUND otherwise. A ticket is redeemed
	// at most once, whichever process asks.
	RedeemTicket(ctx context.Context, hash []byte, now time.Time) (*Ticket, error)
}

// Ticket lets one WebSocket upgrade in without headers, as a browser must:
// a key holder asks for one and passes it as ?ticket= on the upgrade.
type Ticket struct {
	Hash        []byte // SHA-256 of the ticket's text
	InterviewID string
	OwnerID     string
	KeyID       string
	ExpiresAt   time.Time
}

// TicketTTL is how long a ticket stays valid.
const TicketTTL = 60 * time.Second

// Limits on key names.
const maxKeyName = 64

// keyPrefix starts every key's text.
const keyPrefix = "br_"

// NewAPIKey returns a new key named name, with a new owner, created at
// now, and the key's text, which is shown once and never stored.
func NewAPIKey(name string, now time.Time) (*APIKey, string, error) {
	if err := validKeyName(name); err != nil {
		return nil, "", err
	}
	id := randomHex(8)
	secret := randomHex(32)
	k := &APIKey{ID: id, Name: name, OwnerID: NewID(), SecretHash: Hash(secret), CreatedAt: now}
	return k, keyPrefix + id + "_" + secret, nil
}

// validKeyName accepts 1 to 64 letters, digits, dots, dashes and
// underscores, so that a name can be typed on a command line.
func validKeyName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > maxKeyName {
		return Errorf(EINVALIDKEYNAME, "A key name has 1 to %d characters.", maxKeyName)
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == '_') {
			return Errorf(EINVALIDKEYNAME, "A key name holds only letters, digits, '.', '-' and '_'.")
		}
	}
	return nil
}

// ParseAPIKey splits a key's text into its public id and its secret. A
// text of the wrong shape returns EUNAUTHORIZED.
func ParseAPIKey(text string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(text, keyPrefix)
	id, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || !isHex(id, 16) || !isHex(secret, 64) {
		return "", "", Errorf(EUNAUTHORIZED, "That is not a Bar Raiser API key (br_…).")
	}
	return id, secret, nil
}

// Verify reports, in constant time, whether secret is the key's secret.
func (k *APIKey) Verify(secret string) bool {
	return subtle.ConstantTimeCompare(Hash(secret), k.SecretHash) == 1
}

// NewTicketText returns the text of a new ticket.
func NewTicketText() string { return randomHex(32) }

// Hash returns the SHA-256 of a secret, as stores keep it.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Authenticate returns the key whose text is text. A malformed, unknown
// or wrong key returns EUNAUTHORIZED, a revoked one EKEYREVOKED. It records
// the key's use at most once per TouchInterval.
func Authenticate(ctx context.Context, ks KeyStore, text string, now time.Time) (*APIKey, error) {
	id, secret, err := ParseAPIKey(text)
	if err != nil {
		return nil, err
	}
	k, err := ks.Key(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(EUNAUTHORIZED, "Unknown API key.")
	} else if err != nil {
		return nil, err
	}
	if !k.Verify(secret) {
		return nil, Errorf(EUNAUTHORIZED, "Unknown API key.")
	}
	if k.Revoked() {
		return nil, Errorf(EKEYREVOKED, "This API key was revoked.")
	}
	if now.Sub(k.LastUsedAt) >= TouchInterval {
		if err := ks.TouchKey(ctx, k.ID, now); err != nil {
			return nil, err
		}
	}
	return k, nil
}
