package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// CreateShare stores a share link of interview sh.InterviewID, with its
// CreatedAt in UTC truncated to the microsecond, in one statement that
// also checks the interview. It returns ENOTFOUND when the interview does
// not exist (or is deleted meanwhile) or, when ownerID is not empty,
// belongs to another owner, and ECONFLICT when sh.Hash is already stored.
func (db *DB) CreateShare(ctx context.Context, ownerID string, sh agent.Share) (err error) {
	defer faultOf(ctx, &err)
	tag, err := db.pool.Exec(ctx, `INSERT INTO shares (hash, interview_id, created_at)
		SELECT $1, id, $3 FROM interviews WHERE id = $2 AND ($4 = '' OR owner_id = $4)`,
		sh.Hash, sh.InterviewID, codec.NormTime(sh.CreatedAt), ownerID)
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "23503": // foreign key: the interview is gone
		return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	case err != nil:
		if _, ok := uniqueViolation(err); ok {
			return agent.Errorf(agent.ECONFLICT, "That share link already exists.")
		}
		return fmt.Errorf("postgres: share %s: %w", sh.InterviewID, err)
	case tag.RowsAffected() == 0:
		return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	}
	return nil
}

// RevokeShares deletes every share link of an interview and returns how
// many there were, in one statement that also checks the interview. It
// returns ENOTFOUND as CreateShare does.
func (db *DB) RevokeShares(ctx context.Context, ownerID, id string) (_ int, err error) {
	defer faultOf(ctx, &err)
	var found, n int
	err = db.pool.QueryRow(ctx, `WITH iv AS (
			SELECT id FROM interviews WHERE id = $1 AND ($2 = '' OR owner_id = $2)
		), d AS (
			DELETE FROM shares WHERE interview_id IN (SELECT id FROM iv) RETURNING 1
		)
		SELECT (SELECT count(*) FROM iv), (SELECT count(*) FROM d)`, id, ownerID).Scan(&found, &n)
	if err != nil {
		return 0, fmt.Errorf("postgres: unshare %s: %w", id, err)
	}
	if found == 0 {
		return 0, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	}
	return n, nil
}

// SharedInterview returns the interview the share link with token hash
// hash opens, as Interview returns it, with the link looked up in the same
// snapshot; ENOTFOUND when there is no such link.
func (db *DB) SharedInterview(ctx context.Context, hash []byte) (_ *agent.Interview, err error) {
	defer faultOf(ctx, &err)
	return db.readInterview(ctx, `(SELECT interview_id FROM shares WHERE hash = $1)`, hash, "", "shared by a link")
}
