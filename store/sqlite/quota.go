package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// OpenInterviews counts the owner's interviews in progress that were
// updated at or after since, and returns the earliest update among them
// (zero when there are none).
func (db *DB) OpenInterviews(ctx context.Context, ownerID string, since time.Time) (_ int, _ time.Time, err error) {
	defer faultOf(&err)
	var n int
	var oldest sql.NullString
	err = db.r.QueryRowContext(ctx, `SELECT count(*), min(updated_at) FROM interviews
		WHERE owner_id = ? AND status = ? AND updated_at >= ?`,
		ownerID, string(agent.StatusInProgress), fmtTime(since)).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlite: open interviews: %w", err)
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	t, err := parseTime(oldest.String)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlite: open interviews: %w", err)
	}
	return n, t, nil
}
