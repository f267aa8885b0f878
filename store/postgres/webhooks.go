package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

var _ agent.WebhookStore = (*DB)(nil)

// insertDelivery queues the webhook delivery of an interview's debrief:
// $1 the delivery id, $2 the event, $3 its time, $4 the interview. It
// inserts nothing unless the interview's owner is a key in force with a
// webhook URL. SaveDebrief runs it in its transaction.
const insertDelivery = `INSERT INTO webhook_deliveries (id, key_id, interview_id, body, created_at, next_attempt_at)
	SELECT $1, k.id, i.id, $2, $3, $3
	FROM interviews i JOIN api_keys k ON k.owner_id = i.owner_id
	WHERE i.id = $4 AND k.webhook_url IS NOT NULL AND k.revoked_at IS NULL`

// deliveryColumns are the columns scanDelivery reads, of webhook_deliveries
// as d.
const deliveryColumns = `d.id, d.key_id, d.interview_id, d.body, d.status, d.attempts, d.created_at,
	d.next_attempt_at, d.last_status, d.last_error, d.finished_at`

// ClaimDeliveries claims up to limit pending deliveries due by now. One
// statement, and so one transaction, selects them FOR UPDATE SKIP LOCKED,
// counts an attempt on each and moves its next attempt to the lease's end:
// concurrent claimers in any process skip the rows another holds, and once
// it commits the rows are not due again until the lease ends. A claimer
// that dies mid-send thus leaves its deliveries to be retried.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []agent.WebhookDelivery, err error) {
	defer faultOf(ctx, &err)
	now = codec.NormTime(now)
	rows, err := db.pool.Query(ctx, `WITH due AS (
			SELECT id FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= $1
			ORDER BY next_attempt_at, id COLLATE "C"
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2
		FROM due, api_keys k
		WHERE d.id = due.id AND k.id = d.key_id
		RETURNING `+deliveryColumns+`, COALESCE(k.webhook_url, ''), COALESCE(k.webhook_secret, ''),
			k.revoked_at IS NOT NULL`, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
	}
	defer rows.Close()
	var out []agent.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows, true)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
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
	defer faultOf(ctx, &err)
	status, finished, next := attemptOutcome(a)
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries
		SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), last_status = $3, last_error = $4,
			finished_at = $5
		WHERE id = $6 AND status = 'pending' AND attempts = $7`,
		string(status), nullTime(next), a.Status, a.Error, nullTime(finished), id, a.Attempt)
	if err != nil {
		return fmt.Errorf("postgres: record attempt of delivery %s: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var found bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1)`, id).Scan(&found); err != nil {
		return fmt.Errorf("postgres: record attempt of delivery %s: %w", id, err)
	} else if !found {
		return agent.Errorf(agent.ENOTFOUND, "Webhook delivery not found.")
	}
	return agent.Errorf(agent.ECONFLICT, "Webhook delivery %s is done or was claimed again since attempt %d.", id, a.Attempt)
}

// attemptOutcome returns the status, finish time and next attempt time
// (zero to keep the stored one) that an attempt's outcome sets, in UTC
// truncated to the microsecond.
func attemptOutcome(a agent.WebhookAttempt) (status agent.DeliveryStatus, finished, next time.Time) {
	switch {
	case a.Delivered:
		return agent.DeliveryDelivered, codec.NormTime(a.At), time.Time{}
	case a.NextAt.IsZero():
		return agent.DeliveryFailed, codec.NormTime(a.At), time.Time{}
	default:
		return agent.DeliveryPending, time.Time{}, codec.NormTime(a.NextAt)
	}
}

// Delivery returns the delivery with id id, without its key's URL and
// secret; ENOTFOUND when there is none.
func (db *DB) Delivery(ctx context.Context, id string) (_ *agent.WebhookDelivery, err error) {
	defer faultOf(ctx, &err)
	return scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d WHERE d.id = $1`, id), false)
}

// scanDelivery reads the deliveryColumns of one row, mapping no row to
// ENOTFOUND. With withKey set it also reads the key's URL, secret and
// whether it was revoked, which follow them.
func scanDelivery(row pgx.Row, withKey bool) (*agent.WebhookDelivery, error) {
	var (
		d        agent.WebhookDelivery
		body     string
		status   string
		finished *time.Time
	)
	dest := []any{&d.ID, &d.KeyID, &d.InterviewID, &body, &status, &d.Attempts, &d.CreatedAt, &d.NextAttemptAt,
		&d.LastStatus, &d.LastError, &finished}
	if withKey {
		dest = append(dest, &d.URL, &d.Secret, &d.KeyRevoked)
	}
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "Webhook delivery not found.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: read delivery: %w", err)
	}
	d.Body, d.Status = []byte(body), agent.DeliveryStatus(status)
	d.CreatedAt, d.NextAttemptAt = d.CreatedAt.UTC(), d.NextAttemptAt.UTC()
	if finished != nil {
		d.FinishedAt = finished.UTC()
	}
	return &d, nil
}
