package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// CreateKey stores k and ensures its owner exists, in one transaction. On
// success the timestamps of k are set to what was stored (UTC, truncated
// to the microsecond). It returns ECONFLICT when a key that is not revoked
// already has k.Name, or when k.ID is in use.
func (db *DB) CreateKey(ctx context.Context, k *agent.APIKey) (err error) {
	defer faultOf(&err)
	err = db.writeTx(ctx, func(tx *cachedTx) error {
		if _, err := tx.ExecContext(ctx, insertOwner, k.OwnerID, fmtTime(time.Now())); err != nil {
			return fmt.Errorf("sqlite: create key: ensure owner: %w", err)
		}
		// The webhook secret is stored in plain text: signing needs it.
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, name, owner_id, secret_hash, created_at,
				last_used_at, revoked_at, webhook_url, webhook_secret)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.Name, k.OwnerID, k.SecretHash, fmtTime(k.CreatedAt),
			fmtNullTime(k.LastUsedAt), fmtNullTime(k.RevokedAt), nullString(k.WebhookURL), nullString(k.WebhookSecret))
		if isPrimaryKey(err) {
			return agent.Errorf(agent.ECONFLICT, "An API key with id %s already exists.", k.ID)
		} else if isConstraint(err) {
			return agent.Errorf(agent.ECONFLICT, "An API key named %q already exists.", k.Name)
		} else if err != nil {
			return fmt.Errorf("sqlite: create key: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	k.CreatedAt = codec.NormTime(k.CreatedAt)
	k.LastUsedAt = normNullTime(k.LastUsedAt)
	k.RevokedAt = normNullTime(k.RevokedAt)
	return nil
}

// Key returns the key with public id id, revoked or not; ENOTFOUND when
// there is none.
func (db *DB) Key(ctx context.Context, id string) (_ *agent.APIKey, err error) {
	defer faultOf(&err)
	return scanKey(db.r.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id))
}

// KeyByOwner returns the key of owner ownerID: the oldest one not
// revoked, or else the oldest; ENOTFOUND when that owner has no key.
func (db *DB) KeyByOwner(ctx context.Context, ownerID string) (_ *agent.APIKey, err error) {
	defer faultOf(&err)
	return scanKey(db.r.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE owner_id = ?
		ORDER BY revoked_at IS NOT NULL, created_at, id LIMIT 1`, ownerID))
}

// Keys lists every key, revoked ones included, oldest first (ties by id).
// The slice is empty, not nil, when there are none.
func (db *DB) Keys(ctx context.Context) (_ []agent.APIKey, err error) {
	defer faultOf(&err)
	rows, err := db.r.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
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
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	return out, nil
}

// RevokeKey revokes, at time at (now when zero), the key named name that
// is not yet revoked, and returns it; ENOTFOUND when there is none.
func (db *DB) RevokeKey(ctx context.Context, name string, at time.Time) (_ *agent.APIKey, err error) {
	defer faultOf(&err)
	k, err := scanKey(db.w.QueryRowContext(ctx, `UPDATE api_keys SET revoked_at = ?
		WHERE name = ? AND revoked_at IS NULL
		RETURNING `+keyColumns, fmtTime(codec.Stamp(at)), name))
	if agent.ErrorCode(err) == agent.ENOTFOUND {
		return nil, agent.Errorf(agent.ENOTFOUND, "No API key named %q is in force.", name)
	}
	return k, err
}

// TouchKey records that key id was used at time at, unless a use less than
// agent.TouchInterval before at is already recorded. It is one conditional
// UPDATE, so it writes at most once per interval however many requests
// race. Touching is best effort: an unknown id returns nil, not ENOTFOUND,
// and so do a full disk and a read-only store, so that a key keeps
// reading what is stored when no write can succeed.
func (db *DB) TouchKey(ctx context.Context, id string, at time.Time) (err error) {
	defer faultOf(&err)
	if db.readOnly {
		return nil
	}
	_, err = db.w.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
		fmtTime(at), id, fmtTime(at.Add(-agent.TouchInterval)))
	if agent.ErrorCode(fault(err)) == agent.ESTORAGEFULL {
		return nil
	} else if err != nil {
		return fmt.Errorf("sqlite: touch key %s: %w", id, err)
	}
	return nil
}

// keyColumns are the columns scanKey reads, of api_keys.
const keyColumns = `id, name, owner_id, secret_hash, created_at, last_used_at, revoked_at,
	webhook_url, webhook_secret`

// scanKey reads the keyColumns of one row, mapping no row to ENOTFOUND.
func scanKey(row rowScanner) (*agent.APIKey, error) {
	var (
		k                agent.APIKey
		created          string
		lastUsed, revoke sql.NullString
		hook, hookKey    sql.NullString
	)
	err := row.Scan(&k.ID, &k.Name, &k.OwnerID, &k.SecretHash, &created, &lastUsed, &revoke, &hook, &hookKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "API key not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: read key: %w", err)
	}
	if k.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if k.LastUsedAt, err = parseNullTime(lastUsed); err != nil {
		return nil, err
	}
	if k.RevokedAt, err = parseNullTime(revoke); err != nil {
		return nil, err
	}
	k.WebhookURL, k.WebhookSecret = hook.String, hookKey.String
	return &k, nil
}

// CreateTicket stores a single-use WebSocket ticket. A hash already in use
// returns ECONFLICT.
func (db *DB) CreateTicket(ctx context.Context, t agent.Ticket) (err error) {
	defer faultOf(&err)
	_, err = db.w.ExecContext(ctx, `INSERT INTO ws_tickets (hash, interview_id, owner_id, key_id, expires_at)
		VALUES (?, ?, ?, ?, ?)`, t.Hash, t.InterviewID, t.OwnerID, t.KeyID, fmtTime(t.ExpiresAt))
	if isConstraint(err) {
		return agent.Errorf(agent.ECONFLICT, "This ticket already exists.")
	} else if err != nil {
		return fmt.Errorf("sqlite: create ticket: %w", err)
	}
	return nil
}

// RedeemTicket deletes and returns the ticket whose hash is hash, if it
// has not expired by now; ENOTFOUND otherwise. The deletion and the read
// are one statement, so of several callers at most one gets the ticket. In
// the same transaction it drops every ticket that has expired by now; that
// is committed even when no ticket is redeemed.
func (db *DB) RedeemTicket(ctx context.Context, hash []byte, now time.Time) (_ *agent.Ticket, err error) {
	defer faultOf(&err)
	var (
		t       *agent.Ticket
		missing error
	)
	err = db.writeTx(ctx, func(tx *cachedTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ws_tickets WHERE expires_at <= ?`, fmtTime(now)); err != nil {
			return fmt.Errorf("sqlite: purge expired tickets: %w", err)
		}
		var err error
		t, err = scanTicket(tx.QueryRowContext(ctx, `DELETE FROM ws_tickets WHERE hash = ? AND expires_at > ?
			RETURNING hash, interview_id, owner_id, key_id, expires_at`, hash, fmtTime(now)))
		if agent.ErrorCode(err) == agent.ENOTFOUND {
			missing = err // not a failure: keep the purge
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	} else if missing != nil {
		return nil, missing
	}
	return t, nil
}

// scanTicket reads a ticket's columns from one row, mapping no row to
// ENOTFOUND.
func scanTicket(row rowScanner) (*agent.Ticket, error) {
	var (
		t       agent.Ticket
		expires string
	)
	err := row.Scan(&t.Hash, &t.InterviewID, &t.OwnerID, &t.KeyID, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "Unknown or expired ticket.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: redeem ticket: %w", err)
	}
	if t.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	return &t, nil
}

// fmtNullTime formats t for a nullable column: NULL when t is zero.
func fmtNullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return fmtTime(t)
}

// nullString returns s as a query argument: NULL when s is empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parseNullTime parses a nullable timestamp; NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// normNullTime is codec.NormTime, except that the zero time stays zero.
func normNullTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return codec.NormTime(t)
}

// isPrimaryKey reports whether err is a PRIMARY KEY violation, as opposed
// to the violation of another unique index.
func isPrimaryKey(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
