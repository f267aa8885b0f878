package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// StoryTitles returns the titles the owner gave their stories, keyed by
// interview and principle; the map is empty, not nil, when there are none.
func (db *DB) StoryTitles(ctx context.Context, ownerID string) (_ map[agent.StoryKey]string, err error) {
	defer faultOf(ctx, &err)
	rows, err := db.pool.Query(ctx, `SELECT interview_id, principle, title FROM story_titles WHERE owner_id = $1`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("postgres: story titles: %w", err)
	}
	out := map[agent.StoryKey]string{}
	var k agent.StoryKey
	var title string
	_, err = pgx.ForEachRow(rows, []any{&k.InterviewID, &k.Principle, &title}, func() error {
		out[k] = title
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: story titles: %w", err)
	}
	return out, nil
}

// SetStoryTitle stores, or replaces, the title of the story key names, in
// one statement that also checks the interview. It returns ENOTFOUND when
// the interview does not exist (or is deleted meanwhile) or, when ownerID
// is not empty, belongs to another owner.
func (db *DB) SetStoryTitle(ctx context.Context, ownerID string, key agent.StoryKey, title string) (err error) {
	defer faultOf(ctx, &err)
	tag, err := db.pool.Exec(ctx, `INSERT INTO story_titles (interview_id, principle, owner_id, title, updated_at)
		SELECT id, $2, owner_id, $3, $4 FROM interviews WHERE id = $1 AND ($5 = '' OR owner_id = $5)
		ON CONFLICT (interview_id, principle) DO UPDATE SET title = EXCLUDED.title, updated_at = EXCLUDED.updated_at`,
		key.InterviewID, key.Principle, title, codec.NormTime(time.Now()), ownerID)
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "23503": // foreign key: the interview is gone
		return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	case err != nil:
		return fmt.Errorf("postgres: title story %s/%s: %w", key.InterviewID, key.Principle, err)
	case tag.RowsAffected() == 0:
		return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	}
	return nil
}
