package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// ListInterviews lists the owner's interviews that match f, newest first
// (ties by id, compared byte-wise), with the recommendation of those that
// have a debrief. It pages by key, never by offset: a page after f.After
// starts at the first row that sorts after it, so rows added or deleted
// meanwhile shift nothing. The slice is empty, not nil, when nothing
// matches.
func (db *DB) ListInterviews(ctx context.Context, ownerID string, f agent.ListFilter) (_ []agent.InterviewSummary, err error) {
	defer faultOf(ctx, &err)
	var (
		q    strings.Builder
		args []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q.WriteString(`SELECT ` + interviewColumns + `, COALESCE(d.body->>'recommendation', '')
		FROM interviews i LEFT JOIN debriefs d ON d.interview_id = i.id
		WHERE i.owner_id = ` + arg(ownerID))
	if f.After != nil {
		at, id := arg(codec.NormTime(f.After.CreatedAt)), arg(f.After.ID)
		q.WriteString(` AND (i.created_at < ` + at + ` OR (i.created_at = ` + at + ` AND i.id COLLATE "C" > ` + id + `))`)
	}
	if f.Status != "" {
		q.WriteString(` AND i.status = ` + arg(string(f.Status)))
	}
	if f.Role != "" {
		q.WriteString(` AND i.role = ` + arg(string(f.Role)))
	}
	if f.Principle != "" {
		q.WriteString(` AND i.principles @> jsonb_build_array(jsonb_build_object('id', ` + arg(f.Principle) + `::text))`)
	}
	if !f.From.IsZero() {
		q.WriteString(` AND i.created_at >= ` + arg(codec.NormTime(f.From)))
	}
	if !f.To.IsZero() {
		q.WriteString(` AND i.created_at < ` + arg(codec.NormTime(f.To)))
	}
	q.WriteString(` ORDER BY i.created_at DESC, i.id COLLATE "C"`)
	if f.Limit > 0 {
		q.WriteString(` LIMIT ` + arg(f.Limit))
	}
	rows, err := db.pool.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list interviews: %w", err)
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
		return nil, fmt.Errorf("postgres: list interviews: %w", err)
	}
	return out, nil
}

// prefixed is a row whose first columns are read into dest before the
// columns a scan function reads.
type prefixed struct {
	row  pgx.Row
	dest []any
}

// Scan reads p's own columns, then dest.
func (p prefixed) Scan(dest ...any) error {
	return p.row.Scan(append(p.dest[:len(p.dest):len(p.dest)], dest...)...)
}

// OwnerInterviews returns every interview of an owner, or those in status
// when it is not empty, oldest first (ties by id, compared byte-wise),
// each with its turns (never nil) and debrief, all read from one snapshot
// in one round trip. The slice is empty, not nil, when there are none.
func (db *DB) OwnerInterviews(ctx context.Context, ownerID string, status agent.Status) (_ []*agent.Interview, err error) {
	defer faultOf(ctx, &err)
	const mine = `SELECT id FROM interviews WHERE owner_id = $1 AND ($2 = '' OR status = $2)`
	out := []*agent.Interview{}
	byID := map[string]*agent.Interview{}
	err = db.snapshot(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT `+interviewColumns+` FROM interviews i
			WHERE i.owner_id = $1 AND ($2 = '' OR i.status = $2)
			ORDER BY i.created_at, i.id COLLATE "C"`, ownerID, string(status)).Query(func(rows pgx.Rows) error {
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
				return fmt.Errorf("postgres: interviews of owner: %w", err)
			}
			return nil
		})
		b.Queue(`SELECT interview_id, `+turnColumns+` FROM turns WHERE interview_id IN (`+mine+`)
			ORDER BY interview_id, seq`, ownerID, string(status)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id string
				t, err := scanTurn(prefixed{rows, []any{&id}})
				if err != nil {
					return fmt.Errorf("postgres: turns of owner: %w", err)
				}
				if iv := byID[id]; iv != nil {
					iv.Turns = append(iv.Turns, t)
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("postgres: turns of owner: %w", err)
			}
			return nil
		})
		b.Queue(`SELECT interview_id, body FROM debriefs WHERE interview_id IN (`+mine+`)`,
			ownerID, string(status)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var (
					id   string
					body []byte
				)
				if err := rows.Scan(&id, &body); err != nil {
					return fmt.Errorf("postgres: debriefs of owner: %w", err)
				}
				if iv := byID[id]; iv != nil {
					var err error
					if iv.Debrief, err = decodeDebrief(id, body); err != nil {
						return err
					}
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("postgres: debriefs of owner: %w", err)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
