package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
)

// DeleteInterview erases an interview in one transaction: its row, and
// through the foreign keys' cascades its turns, debrief and share links,
// and its WebSocket tickets, which have no foreign key. It waits for any
// writer holding the interview's row lock. It returns ENOTFOUND when the
// interview does not exist or, when ownerID is not empty, belongs to
// another owner.
func (db *DB) DeleteInterview(ctx context.Context, ownerID, id string) (err error) {
	defer faultOf(ctx, &err)
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM interviews WHERE id = $1 AND ($2 = '' OR owner_id = $2)`, id, ownerID)
		if err != nil {
			return fmt.Errorf("postgres: delete %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ws_tickets WHERE interview_id = $1`, id); err != nil {
			return fmt.Errorf("postgres: delete %s: tickets: %w", id, err)
		}
		return announceDeleted(ctx, tx, []string{id})
	})
}

// DeleteOwnerInterviews erases every interview of an owner as
// DeleteInterview does, in one transaction, and returns their ids, oldest
// first; the slice is empty, not nil, when there were none. The owner's
// row and API keys stay.
func (db *DB) DeleteOwnerInterviews(ctx context.Context, ownerID string) (_ []string, err error) {
	defer faultOf(ctx, &err)
	var ids []string
	err = db.writeTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH d AS (DELETE FROM interviews WHERE owner_id = $1 RETURNING id, created_at)
			SELECT id FROM d ORDER BY created_at, id COLLATE "C"`, ownerID)
		if err != nil {
			return fmt.Errorf("postgres: erase owner: %w", err)
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return fmt.Errorf("postgres: erase owner: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ws_tickets WHERE owner_id = $1 OR interview_id = ANY($2)`,
			ownerID, ids); err != nil {
			return fmt.Errorf("postgres: erase owner: tickets: %w", err)
		}
		return announceDeleted(ctx, tx, ids)
	})
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

// announceDeleted tells every process watching claims, once tx commits,
// that the interviews ids are gone, as a claim with generation
// agent.GenerationDeleted, so that their sockets close at once.
func announceDeleted(ctx context.Context, tx pgx.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify('`+ClaimsChannel+`', id || ' ' || $2::bigint) FROM unnest($1::text[]) AS id`,
		ids, agent.GenerationDeleted)
	if err != nil {
		return fmt.Errorf("postgres: announce deletion: %w", err)
	}
	return nil
}
