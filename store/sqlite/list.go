package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/barraiser/barraiser/agent"
)

// ListInterviews lists the owner's interviews that match f, newest first
// (ties by id), with the recommendation of those that have a debrief. It
// pages by key, never by offset: a page after f.After starts at the first
// row that sorts after it, so rows added or deleted meanwhile shift
// nothing. The slice is empty, not nil, when nothing matches.
func (db *DB) ListInterviews(ctx context.Context, ownerID string, f agent.ListFilter) (_ []agent.InterviewSummary, err error) {
	defer faultOf(&err)
	var (
		q    strings.Builder
		args = []any{ownerID}
	)
	q.WriteString(`SELECT ` + interviewColumns + `, COALESCE(json_extract(d.body, '$.recommendation'), '')
		FROM interviews i LEFT JOIN debriefs d ON d.interview_id = i.id
		WHERE i.owner_id = ?`)
	if f.After != nil {
		at := fmtTime(f.After.CreatedAt)
		q.WriteString(` AND (i.created_at < ? OR (i.created_at = ? AND i.id > ?))`)
		args = append(args, at, at, f.After.ID)
	}
	if f.Status != "" {
		q.WriteString(` AND i.status = ?`)
		args = append(args, string(f.Status))
	}
	if f.Role != "" {
		q.WriteString(` AND i.role = ?`)
		args = append(args, string(f.Role))
	}
	if f.Principle != "" {
		// The path is read from the whole column, never from an element
		// alone, so an element that is not an object matches nothing.
		q.WriteString(` AND EXISTS (SELECT 1 FROM json_each(i.principles) p
			WHERE json_extract(i.principles, p.fullkey || '.id') = ?)`)
		args = append(args, f.Principle)
	}
	if !f.From.IsZero() {
		q.WriteString(` AND i.created_at >= ?`)
		args = append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		q.WriteString(` AND i.created_at < ?`)
		args = append(args, fmtTime(f.To))
	}
	q.WriteString(` ORDER BY i.created_at DESC, i.id`)
	if f.Limit > 0 {
		q.WriteString(` LIMIT ?`)
		args = append(args, f.Limit)
	}
	rows, err := db.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list interviews: %w", err)
	}
	defer rows.Close()
	out := []agent.InterviewSummary{}
	for rows.Next() {
		var rec string
		iv, err := scanInterview(rows, &rec)
		if err != nil {
			return nil, err
		}
		s := iv.Summary()
		s.Recommendation = rec
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list interviews: %w", err)
	}
	return out, nil
}

// prefixed is a row whose first columns are read into dest before the
// columns a scan function reads.
type prefixed struct {
	row  rowScanner
	dest []any
}

// Scan reads p's own columns, then dest.
func (p prefixed) Scan(dest ...any) error {
	return p.row.Scan(append(p.dest[:len(p.dest):len(p.dest)], dest...)...)
}

// OwnerInterviews returns every interview of an owner, or those in status
// when it is not empty, oldest first (ties by id), each with its turns
// (never nil) and debrief, all read from one snapshot in three queries.
// The slice is empty, not nil, when there are none.
func (db *DB) OwnerInterviews(ctx context.Context, ownerID string, status agent.Status) (_ []*agent.Interview, err error) {
	defer faultOf(&err)
	out := []*agent.Interview{}
	err = db.readTx(ctx, func(tx *cachedTx) error {
		const mine = `SELECT id FROM interviews WHERE owner_id = ? AND (? = '' OR status = ?)`
		args := []any{ownerID, string(status), string(status)}
		byID := map[string]*agent.Interview{}
		rows, err := tx.QueryContext(ctx, `SELECT `+interviewColumns+` FROM interviews i
			WHERE i.owner_id = ? AND (? = '' OR i.status = ?) ORDER BY i.created_at, i.id`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: interviews of owner: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			iv, err := scanInterview(rows)
			if err != nil {
				return err
			}
			iv.Turns = []agent.Turn{}
			out = append(out, iv)
			byID[iv.ID] = iv
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: interviews of owner: %w", err)
		}

		rows, err = tx.QueryContext(ctx, `SELECT interview_id, `+turnColumns+` FROM turns
			WHERE interview_id IN (`+mine+`) ORDER BY interview_id, seq`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: turns of owner: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			t, err := scanTurn(prefixed{rows, []any{&id}})
			if err != nil {
				return fmt.Errorf("sqlite: turns of owner: %w", err)
			}
			if iv := byID[id]; iv != nil {
				iv.Turns = append(iv.Turns, t)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: turns of owner: %w", err)
		}

		rows, err = tx.QueryContext(ctx, `SELECT interview_id, body FROM debriefs WHERE interview_id IN (`+mine+`)`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: debriefs of owner: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, body string
			if err := rows.Scan(&id, &body); err != nil {
				return fmt.Errorf("sqlite: debriefs of owner: %w", err)
			}
			if iv := byID[id]; iv != nil {
				if iv.Debrief, err = decodeDebrief(id, body); err != nil {
					return err
				}
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: debriefs of owner: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
