package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/barraiser/barraiser/agent"
)

// ownedInterview checks inside tx that interview id exists and, when
// ownerID is not empty, belongs to ownerID; ENOTFOUND otherwise.
func ownedInterview(ctx context.Context, tx *cachedTx, ownerID, id string) error {
	var owner string
	err := tx.QueryRowContext(ctx, `SELECT owner_id FROM interviews WHERE id = ?`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || err == nil && ownerID != "" && owner != ownerID {
		return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return fmt.Errorf("sqlite: interview %s: owner: %w", id, err)
	}
	return nil
}

// DeleteInterview erases an interview in one transaction: its row, and
// through the foreign keys' cascades its turns, debrief and share links,
// and its WebSocket tickets, which have no foreign key. It returns
// ENOTFOUND when the interview does not exist or, when ownerID is not
// empty, belongs to another owner.
func (db *DB) DeleteInterview(ctx context.Context, ownerID, id string) (err error) {
	defer faultOf(&err)
	return db.writeTx(ctx, func(tx *cachedTx) error {
		if err := ownedInterview(ctx, tx, ownerID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ws_tickets WHERE interview_id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: delete %s: tickets: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM interviews WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: delete %s: %w", id, err)
		}
		return nil
	})
}

// DeleteOwnerInterviews erases every interview of an owner as
// DeleteInterview does, in one transaction, and returns their ids, oldest
// first; the slice is empty, not nil, when there were none. The owner's
// row and API keys stay.
func (db *DB) DeleteOwnerInterviews(ctx context.Context, ownerID string) (_ []string, err error) {
	defer faultOf(&err)
	ids := []string{}
	err = db.writeTx(ctx, func(tx *cachedTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM interviews WHERE owner_id = ? ORDER BY created_at, id`, ownerID)
		if err != nil {
			return fmt.Errorf("sqlite: erase owner: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("sqlite: erase owner: %w", err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: erase owner: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ws_tickets WHERE owner_id = ?
			OR interview_id IN (SELECT id FROM interviews WHERE owner_id = ?)`, ownerID, ownerID); err != nil {
			return fmt.Errorf("sqlite: erase owner: tickets: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM interviews WHERE owner_id = ?`, ownerID); err != nil {
			return fmt.Errorf("sqlite: erase owner: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
