package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// activeNameIndex is the partial unique index on the names of the keys in
// force (migrations/postgres/00005_api_keys.sql).
const activeNameIndex = "api_keys_active_name"

// CreateKey stores k and ensures its owner exists, in one transaction. On
// success the timestamps of k are set to what was stored (UTC, truncated
// to the microsecond). It returns ECONFLICT when a key that is not revoked
// already has k.Name, or when k.ID is in use.
func (db *DB) CreateKey(ctx context.Context, k *agent.APIKey) (err error) {
	defer faultOf(ctx, &err)
	created := codec.NormTime(k.CreatedAt)
	lastUsed, revoked := normNullTime(k.LastUsedAt), normNullTime(k.RevokedAt)
	err = db.writeTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, insertOwner, k.OwnerID, codec.NormTime(time.Now())); err != nil {
			return fmt.Errorf("postgres: create key: ensure owner: %w", err)
		}
		// The webhook secret is stored in plain text: signing needs it.
		_, err := tx.Exec(ctx, `INSERT INTO api_keys (id, name, owner_id, secret_hash, created_at,
				last_used_at, revoked_at, webhook_url, webhook_secret)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			k.ID, k.Name, k.OwnerID, k.SecretHash, created, nullTime(lastUsed), nullTime(revoked),
			nullString(k.WebhookURL), nullString(k.WebhookSecret))
		if constraint, ok := uniqueViolation(err); ok && constraint == activeNameIndex {
			return agent.Errorf(agent.ECONFLICT, "An API key named %q already exists.", k.Name)
		} else if ok {
			return agent.Errorf(agent.ECONFLICT, "An API key with id %s already exists.", k.ID)
		} else if err != nil {
			return fmt.Errorf("postgres: create key: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = created, lastUsed, revoked
	return nil
}

// Key returns the key with public id id, revoked or not; ENOTFOUND when
// there is none.
func (db *DB) Key(ctx context.Context, id string) (_ *agent.APIKey, err error) {
	defer faultOf(ctx, &err)
	return scanKey(db.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, id))
}

// KeyByOwner returns the key of owner ownerID: the oldest one not
// revoked, or else the oldest; ENOTFOUND when that owner has no key.
func (db *DB) KeyByOwner(ctx context.Context, ownerID string) (_ *agent.APIKey, err error) {
	defer faultOf(ctx, &err)
	return scanKey(db.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE owner_id = $1
		ORDER BY revoked_at IS NOT NULL, created_at, id LIMIT 1`, ownerID))
}

// Keys lists every key, revoked ones included, oldest first (ties by id,
// compared byte-wise). The slice is empty, not nil, when there are none.
func (db *DB) Keys(ctx context.Context) (_ []agent.APIKey, err error) {
	defer faultOf(ctx, &err)
	rows, err := db.pool.Query(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
	}
	defer rows.Close()
	out := []agent.APIKey{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", err)
	}
	return out, nil
}

// RevokeKey revokes, at time at (now when zero), the key named name that
// is not yet revoked, and returns it; ENOTFOUND when there is none. Of two
// processes revoking one key together, the second gets ENOTFOUND.
func (db *DB) RevokeKey(ctx context.Context, name string, at time.Time) (_ *agent.APIKey, err error) {
	defer faultOf(ctx, &err)
	k, err := scanKey(db.pool.QueryRow(ctx, `UPDATE api_keys SET revoked_at = $1
		WHERE name = $2 AND revoked_at IS NULL
		RETURNING `+keyColumns, codec.Stamp(at), name))
	if agent.ErrorCode(err) == agent.ENOTFOUND {
		return nil, agent.Errorf(agent.ENOTFOUND, "No API key named %q is in force.", name)
	}
	return k, err
}

// TouchKey records that key id was used at time at, unless a use less than
// agent.TouchInterval before at is already recorded. It is one conditional
// UPDATE, so it writes at most once per interval however many processes
// race. Touching is best effort: an unknown id returns nil, not ENOTFOUND.
func (db *DB) TouchKey(ctx context.Context, id string, at time.Time) (err error) {
	defer faultOf(ctx, &err)
	at = codec.NormTime(at)
	_, err = db.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = $1
		WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`,
		at, id, at.Add(-agent.TouchInterval))
	if err != nil {
		return fmt.Errorf("postgres: touch key %s: %w", id, err)
	}
	return nil
}

// keyColumns are the columns scanKey reads, of api_keys.
const keyColumns = `id, name, owner_id, secret_hash, created_at, last_used_at, revoked_at,
	webhook_url, webhook_secret`

// scanKey reads the keyColumns of one row, mapping no row to ENOTFOUND.
func scanKey(row pgx.Row) (*agent.APIKey, error) {
	var (
		k                 agent.APIKey
		lastUsed, revoked *time.Time
		hook, hookKey     *string
	)
	err := row.Scan(&k.ID, &k.Name, &k.OwnerID, &k.SecretHash, &k.CreatedAt, &lastUsed, &revoked, &hook, &hookKey)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "API key not found.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: read key: %w", err)
	}
	k.CreatedAt = k.CreatedAt.UTC()
	if lastUsed != nil {
		k.LastUsedAt = lastUsed.UTC()
	}
	if revoked != nil {
		k.RevokedAt = revoked.UTC()
	}
	if hook != nil {
		k.WebhookURL = *hook
	}
	if hookKey != nil {
		k.WebhookSecret = *hookKey
	}
	return &k, nil
}

// CreateTicket stores a single-use WebSocket ticket. A hash already in use
// returns ECONFLICT.
func (db *DB) CreateTicket(ctx context.Context, t agent.Ticket) (err error) {
	defer faultOf(ctx, &err)
	_, err = db.pool.Exec(ctx, `INSERT INTO ws_tickets (hash, interview_id, owner_id, key_id, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, t.Hash, t.InterviewID, t.OwnerID, t.KeyID, codec.NormTime(t.ExpiresAt))
	if _, ok := uniqueViolation(err); ok {
		return agent.Errorf(agent.ECONFLICT, "This ticket already exists.")
	} else if err != nil {
		return fmt.Errorf("postgres: create ticket: %w", err)
	}
	return nil
}

// RedeemTicket deletes and returns the ticket whose hash is hash, if it
// has not expired by now; ENOTFOUND otherwise. The deletion and the read
// are one statement: when several callers race, the row lock lets one
// delete the ticket and the others then find it gone. The same statement
// drops the tickets that have expired by now, skipping any another caller
// holds locked, so that purges never wait on one another.
func (db *DB) RedeemTicket(ctx context.Context, hash []byte, now time.Time) (_ *agent.Ticket, err error) {
	defer faultOf(ctx, &err)
	var t agent.Ticket
	err = db.pool.QueryRow(ctx, `WITH purged AS (
			DELETE FROM ws_tickets WHERE hash IN (
				SELECT hash FROM ws_tickets WHERE expires_at <= $2 FOR UPDATE SKIP LOCKED)
		)
		DELETE FROM ws_tickets WHERE hash = $1 AND expires_at > $2
		RETURNING hash, interview_id, owner_id, key_id, expires_at`, hash, codec.NormTime(now)).
		Scan(&t.Hash, &t.InterviewID, &t.OwnerID, &t.KeyID, &t.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "Unknown or expired ticket.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: redeem ticket: %w", err)
	}
	t.ExpiresAt = t.ExpiresAt.UTC()
	return &t, nil
}

// normNullTime is codec.NormTime, except that the zero time stays zero.
func normNullTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return codec.NormTime(t)
}

// nullString returns s as a query argument: NULL when s is empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullTime returns t as a query argument: NULL when t is zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
