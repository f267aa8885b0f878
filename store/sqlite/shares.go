package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/barraiser/barraiser/agent"
)

// CreateShare stores a share link of interview sh.InterviewID, with its
// CreatedAt in UTC truncated to the microsecond. It returns ENOTFOUND when
// the interview does not exist or, when ownerID is not empty, belongs to
// another owner, and ECONFLICT when sh.Hash is already stored.
func (db *DB) CreateShare(ctx context.Context, ownerID string, sh agent.Share) (err error) {
	defer faultOf(&err)
	return db.writeTx(ctx, func(tx *cachedTx) error {
		if err := ownedInterview(ctx, tx, ownerID, sh.InterviewID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO shares (hash, interview_id, created_at) VALUES (?, ?, ?)`,
			sh.Hash, sh.InterviewID, fmtTime(sh.CreatedAt))
		if isConstraint(err) {
			return agent.Errorf(agent.ECONFLICT, "That share link already exists.")
		} else if err != nil {
			return fmt.Errorf("sqlite: share %s: %w", sh.InterviewID, err)
		}
		return nil
	})
}

// RevokeShares deletes every share link of an interview and returns how
// many there were. It returns ENOTFOUND as CreateShare does.
func (db *DB) RevokeShares(ctx context.Context, ownerID, id string) (_ int, err error) {
	defer faultOf(&err)
	var n int64
	err = db.writeTx(ctx, func(tx *cachedTx) error {
		if err := ownedInterview(ctx, tx, ownerID, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM shares WHERE interview_id = ?`, id)
		if err != nil {
			return fmt.Errorf("sqlite: unshare %s: %w", id, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: unshare %s: %w", id, err)
		}
		return nil
	})
	return int(n), err
}

// SharedInterview returns the interview the share link with token hash
// hash opens, as Interview returns it, read from one snapshot; ENOTFOUND
// when there is no such link.
func (db *DB) SharedInterview(ctx context.Context, hash []byte) (_ *agent.Interview, err error) {
	defer faultOf(&err)
	var iv *agent.Interview
	err = db.readTx(ctx, func(tx *cachedTx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT interview_id FROM shares WHERE hash = ?`, hash).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return agent.Errorf(agent.ENOTFOUND, "No such share link.")
		} else if err != nil {
			return fmt.Errorf("sqlite: shared interview: %w", err)
		}
		iv, err = readInterview(ctx, tx, "", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return iv, nil
}
