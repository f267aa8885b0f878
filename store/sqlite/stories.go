package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// StoryTitles returns the titles the owner gave their stories, keyed by
// interview and principle; the map is empty, not nil, when there are none.
func (db *DB) StoryTitles(ctx context.Context, ownerID string) (_ map[agent.StoryKey]string, err error) {
	defer faultOf(&err)
	out := map[agent.StoryKey]string{}
	err = db.readTx(ctx, func(tx *cachedTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT interview_id, principle, title FROM story_titles WHERE owner_id = ?`, ownerID)
		if err != nil {
			return fmt.Errorf("sqlite: story titles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k agent.StoryKey
			var title string
			if err := rows.Scan(&k.InterviewID, &k.Principle, &title); err != nil {
				return fmt.Errorf("sqlite: story titles: %w", err)
			}
			out[k] = title
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: story titles: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetStoryTitle stores, or replaces, the title of the story key names. It
// returns ENOTFOUND when the interview does not exist or, when ownerID is
// not empty, belongs to another owner.
func (db *DB) SetStoryTitle(ctx context.Context, ownerID string, key agent.StoryKey, title string) (err error) {
	defer faultOf(&err)
	return db.writeTx(ctx, func(tx *cachedTx) error {
		if err := ownedInterview(ctx, tx, ownerID, key.InterviewID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO story_titles (interview_id, principle, owner_id, title, updated_at)
			SELECT id, ?, owner_id, ?, ? FROM interviews WHERE id = ?
			ON CONFLICT (interview_id, principle) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at`,
			key.Principle, title, fmtTime(time.Now()), key.InterviewID)
		if err != nil {
			return fmt.Errorf("sqlite: title story %s/%s: %w", key.InterviewID, key.Principle, err)
		}
		return nil
	})
}
