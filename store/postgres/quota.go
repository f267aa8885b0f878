package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// OpenInterviews counts the owner's interviews in progress that were
// updated at or after since, and returns the earliest update among them
// (zero when there are none).
func (db *DB) OpenInterviews(ctx context.Context, ownerID string, since time.Time) (_ int, _ time.Time, err error) {
	defer faultOf(ctx, &err)
	var n int
	var oldest *time.Time
	err = db.pool.QueryRow(ctx, `SELECT count(*), min(updated_at) FROM interviews
		WHERE owner_id = $1 AND status = $2 AND updated_at >= $3`,
		ownerID, string(agent.StatusInProgress), since).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("postgres: open interviews: %w", err)
	}
	if oldest == nil {
		return n, time.Time{}, nil
	}
	return n, oldest.UTC(), nil
}
