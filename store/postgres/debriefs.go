package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// SaveDebrief stores the debrief of an interview in grading and, in the
// same transaction, marks it complete and sets its updated_at to the
// debrief's CreatedAt (now when zero). The debrief is stored with its
// CreatedAt in UTC truncated to the microsecond; d itself is not modified.
// It returns ENOTFOUND for an unknown id and ECONFLICT when the interview
// is not in grading. When the interview's owner is a key in force with a
// webhook URL, the same transaction writes a pending delivery of the
// debrief.ready event (see agent.WebhookStore), so that a debrief is never
// saved without its delivery, nor a delivery without its debrief.
func (db *DB) SaveDebrief(ctx context.Context, id string, d *agent.Debrief) (err error) {
	defer faultOf(ctx, &err)
	if d == nil {
		return fmt.Errorf("postgres: save debrief of %s: nil debrief", id)
	}
	stored := *d
	stored.CreatedAt = codec.Stamp(stored.CreatedAt)
	body, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("postgres: save debrief of %s: encode: %w", id, err)
	}
	delivery, event, err := agent.NewDebriefEvent(id, &stored, stored.CreatedAt)
	if err != nil {
		return fmt.Errorf("postgres: save debrief of %s: %w", id, err)
	}
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		s, err := lockedState(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if s.status != agent.StatusGrading {
			return agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not grading.", id, s.status)
		}
		var b pgx.Batch
		b.Queue(`INSERT INTO debriefs (interview_id, body, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (interview_id) DO UPDATE SET body = excluded.body, created_at = excluded.created_at`,
			id, string(body), stored.CreatedAt)
		b.Queue(`UPDATE interviews SET status = $1, updated_at = $2 WHERE id = $3`,
			string(agent.StatusComplete), stored.CreatedAt, id)
		b.Queue(insertDelivery, delivery, string(event), stored.CreatedAt, id)
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("postgres: save debrief of %s: %w", id, err)
		}
		return nil
	})
}
