package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/barraiser/barraiser/agent"
)

var _ agent.WebhookStore = (*DB)(nil)

// insertDelivery queues the webhook delivery of an interview's debrief:
// ?1 the delivery id, ?2 the event, ?3 its time, ?4 the interview. It
// inserts nothing unless the interview's owner is a key in force with a
// webhook URL. SaveDebrief runs it in its transaction.
const insertDelivery = `INSERT INTO webhook_deliveries (id, key_id, interview_id, body, created_at, next_attempt_at)
	SELECT ?1, k.id, i.id, ?2, ?3, ?3
	FROM interviews i JOIN api_keys k ON k.owner_id = i.owner_id
	WHERE i.id = ?4 AND k.webhook_url IS NOT NULL AND k.revoked_at IS NULL`

// deliveryColumns are the columns scanDelivery reads, of webhook_deliveries.
const deliveryColumns = `id, key_id, interview_id, body, status, attempts, created_at, next_attempt_at,
	last_status, last_error, finished_at`

// ClaimDeliveries claims up to limit pending deliveries due by now. The
// claim is one UPDATE … RETURNING, which counts an attempt and moves the
// next attempt to the lease's end; SQLite's single writer makes it atomic
// against every other claimer, in this process or another. The keys' URLs
// and secrets are read in the same transaction.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []agent.WebhookDelivery, err error) {
	defer faultOf(&err)
	if db.readOnly {
		return nil, nil // no attempt could be recorded
	}
	// Workers poll often and the outbox is mostly empty: a read first
	// keeps them off the single writer connection the requests share.
	var due bool
	if err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries
		WHERE status = 'pending' AND next_attempt_at <= ?)`, fmtTime(now)).Scan(&due); err != nil {
		return nil, fmt.Errorf("sqlite: look for due deliveries: %w", err)
	} else if !due {
		return nil, nil
	}
	var out []agent.WebhookDelivery
	err = db.writeTx(ctx, func(tx *cachedTx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?1
			WHERE id IN (SELECT id FROM webhook_deliveries
				WHERE status = 'pending' AND next_attempt_at <= ?2
				ORDER BY next_attempt_at, id LIMIT ?3)
			RETURNING `+deliveryColumns, fmtTime(now.Add(lease)), fmtTime(now), limit)
		if err != nil {
			return fmt.Errorf("sqlite: claim deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, *d)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: claim deliveries: %w", err)
		}
		rows.Close()
		for i := range out {
			d := &out[i]
			var hook, secret, revoked sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT webhook_url, webhook_secret, revoked_at FROM api_keys WHERE id = ?`,
				d.KeyID).Scan(&hook, &secret, &revoked)
			if err != nil {
				return fmt.Errorf("sqlite: claim delivery %s: read key: %w", d.ID, err)
			}
			d.URL, d.Secret, d.KeyRevoked = hook.String, secret.String, revoked.Valid
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b agent.WebhookDelivery) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// RecordAttempt records the outcome of attempt a.Attempt of delivery id.
// One conditional UPDATE checks that the delivery is pending and was not
// claimed again since; otherwise it returns ECONFLICT (ENOTFOUND for an
// unknown id).
func (db *DB) RecordAttempt(ctx context.Context, id string, a agent.WebhookAttempt) (err error) {
	defer faultOf(&err)
	status, finished, next := attemptOutcome(a)
	return db.writeTx(ctx, func(tx *cachedTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries
			SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_status = ?, last_error = ?, finished_at = ?
			WHERE id = ? AND status = 'pending' AND attempts = ?`,
			string(status), fmtNullTime(next), a.Status, a.Error, fmtNullTime(finished), id, a.Attempt)
		if err != nil {
			return fmt.Errorf("sqlite: record attempt of delivery %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: record attempt of delivery %s: %w", id, err)
		} else if n == 1 {
			return nil
		}
		var found int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM webhook_deliveries WHERE id = ?`, id).Scan(&found)
		if errors.Is(err, sql.ErrNoRows) {
			return agent.Errorf(agent.ENOTFOUND, "Webhook delivery not found.")
		} else if err != nil {
			return fmt.Errorf("sqlite: record attempt of delivery %s: %w", id, err)
		}
		return agent.Errorf(agent.ECONFLICT, "Webhook delivery %s is done or was claimed again since attempt %d.", id, a.Attempt)
	})
}

// attemptOutcome returns the status, finish time and next attempt time
// (zero to keep the stored one) that an attempt's outcome sets.
func attemptOutcome(a agent.WebhookAttempt) (status agent.DeliveryStatus, finished, next time.Time) {
	switch {
	case a.Delivered:
		return agent.DeliveryDelivered, a.At, time.Time{}
	case a.NextAt.IsZero():
		return agent.DeliveryFailed, a.At, time.Time{}
	default:
		return agent.DeliveryPending, time.Time{}, a.NextAt
	}
}

// Delivery returns the delivery with id id, without its key's URL and
// secret; ENOTFOUND when there is none.
func (db *DB) Delivery(ctx context.Context, id string) (_ *agent.WebhookDelivery, err error) {
	defer faultOf(&err)
	return scanDelivery(db.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`, id))
}

// scanDelivery reads the deliveryColumns of one row, mapping no row to
// ENOTFOUND.
func scanDelivery(row rowScanner) (*agent.WebhookDelivery, error) {
	var (
		d             agent.WebhookDelivery
		body, status  string
		created, next string
		finished      sql.NullString
	)
	err := row.Scan(&d.ID, &d.KeyID, &d.InterviewID, &body, &status, &d.Attempts, &created, &next,
		&d.LastStatus, &d.LastError, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "Webhook delivery not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: read delivery: %w", err)
	}
	d.Body, d.Status = []byte(body), agent.DeliveryStatus(status)
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if d.NextAttemptAt, err = parseTime(next); err != nil {
		return nil, err
	}
	if d.FinishedAt, err = parseNullTime(finished); err != nil {
		return nil, err
	}
	return &d, nil
}
