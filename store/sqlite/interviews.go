package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// EnsureOwner records an owner id; calling it again is a no-op.
func (db *DB) EnsureOwner(ctx context.Context, ownerID string) (err error) {
	defer faultOf(&err)
	if db.readOnly {
		return nil // nothing can refer to the owner until it has data
	}
	err = db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		_, err := tx.ExecContext(ctx, insertOwner, ownerID, fmtTime(time.Now()))
		return err
	}, true)
	if err != nil {
		return fmt.Errorf("sqlite: ensure owner: %w", err)
	}
	return nil
}

const insertOwner = `INSERT INTO owners (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`

// CreateInterview stores a new interview with no turns (iv.Turns and
// iv.Debrief are ignored) and ensures its owner exists. An empty iv.Status
// is stored as in_progress. On success iv.Status and the timestamps of iv
// are set to what was stored (UTC, truncated to the microsecond). An id
// already in use returns ECONFLICT.
func (db *DB) CreateInterview(ctx context.Context, iv *agent.Interview) (err error) {
	defer faultOf(&err)
	principles, err := json.Marshal(iv.Principles)
	if err != nil {
		return fmt.Errorf("sqlite: create interview: encode principles: %w", err)
	}
	status := iv.Status
	if status == "" {
		status = agent.StatusInProgress
	}
	err = db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		if _, err := tx.ExecContext(ctx, insertOwner, iv.OwnerID, fmtTime(time.Now())); err != nil {
			return fmt.Errorf("sqlite: create interview: ensure owner: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO interviews (id, owner_id, status, role, level, focus, principles,
				prompt_tokens, cached_prompt_tokens, completion_tokens, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			iv.ID, iv.OwnerID, string(status), string(iv.Role), string(iv.Level), iv.Focus, string(principles),
			iv.Usage.PromptTokens, iv.Usage.CachedPromptTokens, iv.Usage.CompletionTokens,
			fmtTime(iv.CreatedAt), fmtTime(iv.UpdatedAt))
		if isConstraint(err) {
			return agent.Errorf(agent.ECONFLICT, "Interview %s already exists.", iv.ID)
		} else if err != nil {
			return fmt.Errorf("sqlite: create interview: %w", err)
		}
		return nil
	}, true)
	if err != nil {
		return err
	}
	iv.Status = status
	iv.CreatedAt = codec.NormTime(iv.CreatedAt)
	iv.UpdatedAt = codec.NormTime(iv.UpdatedAt)
	return nil
}

// Interview returns an interview with its turns (ordered by seq, never
// nil), its debrief (nil when none) and its usage. It returns ENOTFOUND
// when the interview does not exist or, when ownerID is not empty, belongs
// to another owner.
func (db *DB) Interview(ctx context.Context, ownerID, id string) (_ *agent.Interview, err error) {
	defer faultOf(&err)
	var iv *agent.Interview
	err = db.readTx(ctx, func(tx *cachedTx) error {
		var err error
		iv, err = readInterview(ctx, tx, ownerID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return iv, nil
}

// readInterview reads an interview with its turns and debrief inside tx,
// as Interview returns it.
func readInterview(ctx context.Context, tx *cachedTx, ownerID, id string) (*agent.Interview, error) {
	var body sql.NullString
	iv, err := scanInterview(tx.QueryRowContext(ctx, qInterview, id, ownerID, ownerID), &body)
	if err != nil {
		return nil, err
	}
	if iv.Turns, err = turns(ctx, tx, id); err != nil {
		return nil, err
	}
	if body.Valid {
		if iv.Debrief, err = decodeDebrief(id, body.String); err != nil {
			return nil, err
		}
	}
	return iv, nil
}

// decodeDebrief decodes the stored body of interview id's debrief.
func decodeDebrief(id, body string) (*agent.Debrief, error) {
	d := new(agent.Debrief)
	if err := json.Unmarshal([]byte(body), d); err != nil {
		return nil, fmt.Errorf("sqlite: interview %s: decode debrief: %w", id, err)
	}
	return d, nil
}

// interviewColumns are the columns scanInterview reads, of interviews i.
const interviewColumns = `i.id, i.owner_id, i.status, i.role, i.level, i.focus, i.principles,
	i.prompt_tokens, i.cached_prompt_tokens, i.completion_tokens, i.created_at, i.updated_at`

// The statements of readInterview (the interview with its debrief, then
// its turns), lockedState, SetStatus and AddUsage.
const (
	qInterview = `SELECT ` + interviewColumns + `, d.body FROM interviews i
		LEFT JOIN debriefs d ON d.interview_id = i.id
		WHERE i.id = ? AND (? = '' OR i.owner_id = ?)`
	qClaim     = `UPDATE interviews SET generation = generation + 1 WHERE id = ? RETURNING generation`
	qState     = `SELECT status, generation FROM interviews WHERE id = ?`
	qSetStatus = `UPDATE interviews SET status = ?, updated_at = ? WHERE id = ?`
	qAddUsage  = `UPDATE interviews SET prompt_tokens = prompt_tokens + ?,
			cached_prompt_tokens = cached_prompt_tokens + ?, completion_tokens = completion_tokens + ?
		WHERE id = ?`
)

// scanInterview reads the interviewColumns of one row, then extra, mapping
// no row to ENOTFOUND.
func scanInterview(row rowScanner, extra ...any) (*agent.Interview, error) {
	var (
		iv                  agent.Interview
		principles          string
		created, updated    string
		status, role, level string
	)
	err := row.Scan(append([]any{&iv.ID, &iv.OwnerID, &status, &role, &level, &iv.Focus, &principles,
		&iv.Usage.PromptTokens, &iv.Usage.CachedPromptTokens, &iv.Usage.CompletionTokens, &created, &updated},
		extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: read interview: %w", err)
	}
	iv.Status, iv.Role, iv.Level = agent.Status(status), agent.Role(role), agent.Level(level)
	if err := json.Unmarshal([]byte(principles), &iv.Principles); err != nil {
		return nil, fmt.Errorf("sqlite: interview %s: decode principles: %w", iv.ID, err)
	}
	if iv.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if iv.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &iv, nil
}

// Interviews lists an owner's interviews, newest first (ties by id), with
// the recommendation of those that have a debrief. The slice is empty, not
// nil, when there are none.
func (db *DB) Interviews(ctx context.Context, ownerID string) (_ []agent.InterviewSummary, err error) {
	defer faultOf(&err)
	return db.ListInterviews(ctx, ownerID, agent.ListFilter{})
}

// Claim makes the caller the driver of an interview and returns its new
// fencing generation (1 for the first claim). Writes made with an older
// generation fail with ESUPERSEDED. An unknown id returns ENOTFOUND. A
// read-only store returns the current generation unchanged: no write can
// happen there that would need fencing.
func (db *DB) Claim(ctx context.Context, id string) (_ int64, err error) {
	defer faultOf(&err)
	var gen int64
	if db.readOnly {
		err = db.r.QueryRowContext(ctx, `SELECT generation FROM interviews WHERE id = ?`, id).Scan(&gen)
	} else {
		err = db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
			return tx.QueryRowContext(ctx, qClaim, id).Scan(&gen)
		}, true)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return 0, fmt.Errorf("sqlite: claim %s: %w", id, err)
	}
	return gen, nil
}

// state is the part of an interviews row that guards a write.
type state struct {
	status agent.Status
	gen    int64
}

// lockedState reads an interview's status and generation inside a write
// transaction and applies the fencing check: ENOTFOUND for an unknown id,
// ESUPERSEDED when gen is not 0 and not the current generation.
func lockedState(ctx context.Context, tx *cachedTx, id string, gen int64) (state, error) {
	return readState(tx.QueryRowContext(ctx, qState, id), id, gen)
}

// readState scans the status and generation of interview id from row,
// then extra, and applies lockedState's checks.
func readState(row *sql.Row, id string, gen int64, extra ...any) (state, error) {
	var (
		s      state
		status string
	)
	err := row.Scan(append([]any{&status, &s.gen}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return s, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return s, fmt.Errorf("sqlite: interview %s: read state: %w", id, err)
	}
	s.status = agent.Status(status)
	return s, agent.CheckGeneration(id, s.gen, gen)
}

// SetStatus moves an interview from one status to another and sets its
// updated_at to now. It returns ENOTFOUND for an unknown id, ESUPERSEDED
// when gen is not 0 and not current, and ECONFLICT when the interview is
// not in status from. Like AppendTurns it goes through the committer and
// may fail with EBUSY when too many writes are queued.
func (db *DB) SetStatus(ctx context.Context, id string, gen int64, from, to agent.Status) (err error) {
	defer faultOf(&err)
	return db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		s, err := lockedState(ctx, tx, id, gen)
		if err != nil {
			return err
		}
		if s.status != from {
			return agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not %s.", id, s.status, from)
		}
		if _, err := tx.ExecContext(ctx, qSetStatus, string(to), fmtTime(time.Now()), id); err != nil {
			return fmt.Errorf("sqlite: set status of %s: %w", id, err)
		}
		return nil
	}, false)
}

// AddUsage adds model token counts to an interview's running total. An
// unknown id returns ENOTFOUND. It goes through the committer, but waits
// for room in a full queue rather than failing with EBUSY: its callers
// have no one to hand a retry to, and the counts would be lost.
func (db *DB) AddUsage(ctx context.Context, id string, u agent.Usage) (err error) {
	defer faultOf(&err)
	return db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		res, err := tx.ExecContext(ctx, qAddUsage, u.PromptTokens, u.CachedPromptTokens, u.CompletionTokens, id)
		if err != nil {
			return fmt.Errorf("sqlite: add usage to %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: add usage to %s: %w", id, err)
		} else if n == 0 {
			return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
		}
		return nil
	}, true)
}

// InterviewIDsByStatus lists the ids of every interview in a status,
// across owners, oldest first.
func (db *DB) InterviewIDsByStatus(ctx context.Context, status agent.Status) (_ []string, err error) {
	defer faultOf(&err)
	rows, err := db.r.QueryContext(ctx,
		`SELECT id FROM interviews WHERE status = ? ORDER BY created_at, id`, string(status))
	if err != nil {
		return nil, fmt.Errorf("sqlite: interviews in %s: %w", status, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: interviews in %s: %w", status, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: interviews in %s: %w", status, err)
	}
	return ids, nil
}
