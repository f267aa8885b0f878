package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

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
	defer faultOf(&err)
	if d == nil {
		return fmt.Errorf("sqlite: save debrief of %s: nil debrief", id)
	}
	stored := *d
	stored.CreatedAt = codec.Stamp(stored.CreatedAt)
	body, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("sqlite: save debrief of %s: encode: %w", id, err)
	}
	at := fmtTime(stored.CreatedAt)
	delivery, event, err := agent.NewDebriefEvent(id, &stored, stored.CreatedAt)
	if err != nil {
		return fmt.Errorf("sqlite: save debrief of %s: %w", id, err)
	}
	return db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		s, err := lockedState(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if s.status != agent.StatusGrading {
			return agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not grading.", id, s.status)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO debriefs (interview_id, body, created_at) VALUES (?, ?, ?)
			ON CONFLICT (interview_id) DO UPDATE SET body = excluded.body, created_at = excluded.created_at`,
			id, string(body), at); err != nil {
			return fmt.Errorf("sqlite: save debrief of %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interviews SET status = ?, updated_at = ? WHERE id = ?`,
			string(agent.StatusComplete), at, id); err != nil {
			return fmt.Errorf("sqlite: complete %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, insertDelivery, delivery, string(event), at, id); err != nil {
			return fmt.Errorf("sqlite: queue webhook of %s: %w", id, err)
		}
		return nil
	}, true)
}
