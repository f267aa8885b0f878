package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// EnsureOwner records an owner id; calling it again is a no-op.
func (db *DB) EnsureOwner(ctx context.Context, ownerID string) (err error) {
	defer faultOf(ctx, &err)
	if _, err := db.pool.Exec(ctx, insertOwner, ownerID, codec.NormTime(time.Now())); err != nil {
		return fmt.Errorf("postgres: ensure owner: %w", err)
	}
	return nil
}

const insertOwner = `INSERT INTO owners (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`

// CreateInterview stores a new interview with no turns (iv.Turns and
// iv.Debrief are ignored) and ensures its owner exists. An empty iv.Status
// is stored as in_progress. On success iv.Status and the timestamps of iv
// are set to what was stored (UTC, truncated to the microsecond). An id
// already in use returns ECONFLICT.
func (db *DB) CreateInterview(ctx context.Context, iv *agent.Interview) (err error) {
	defer faultOf(ctx, &err)
	principles, err := json.Marshal(iv.Principles)
	if err != nil {
		return fmt.Errorf("postgres: create interview: encode principles: %w", err)
	}
	status := iv.Status
	if status == "" {
		status = agent.StatusInProgress
	}
	created, updated := codec.NormTime(iv.CreatedAt), codec.NormTime(iv.UpdatedAt)
	err = db.writeTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, insertOwner, iv.OwnerID, codec.NormTime(time.Now())); err != nil {
			return fmt.Errorf("postgres: create interview: ensure owner: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO interviews (id, owner_id, status, role, level, focus, principles,
				prompt_tokens, cached_prompt_tokens, completion_tokens, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			iv.ID, iv.OwnerID, string(status), string(iv.Role), string(iv.Level), iv.Focus, string(principles),
			iv.Usage.PromptTokens, iv.Usage.CachedPromptTokens, iv.Usage.CompletionTokens, created, updated)
		if _, ok := uniqueViolation(err); ok {
			return agent.Errorf(agent.ECONFLICT, "Interview %s already exists.", iv.ID)
		} else if err != nil {
			return fmt.Errorf("postgres: create interview: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	iv.Status, iv.CreatedAt, iv.UpdatedAt = status, created, updated
	return nil
}

// Interview returns an interview with its turns (ordered by seq, never
// nil), its debrief (nil when none) and its usage, all read from one
// snapshot. It returns ENOTFOUND when the interview does not exist or,
// when ownerID is not empty, belongs to another owner.
func (db *DB) Interview(ctx context.Context, ownerID, id string) (_ *agent.Interview, err error) {
	defer faultOf(ctx, &err)
	return db.readInterview(ctx, "$1", id, ownerID, id)
}

// readInterview reads, from one snapshot, the interview whose id the SQL
// expression idSQL gives from parameter $1, key, with its turns and
// debrief, as Interview returns it; label names it in errors. It returns
// ENOTFOUND when there is no such interview, or when ownerID is set and
// is not the interview's owner.
func (db *DB) readInterview(ctx context.Context, idSQL string, key any, ownerID, label string) (*agent.Interview, error) {
	var (
		iv    *agent.Interview
		turns []agent.Turn
		body  []byte
	)
	err := db.snapshot(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT `+interviewColumns+` FROM interviews i
			WHERE i.id = `+idSQL+` AND ($2 = '' OR i.owner_id = $2)`, key, ownerID).QueryRow(func(row pgx.Row) error {
			var err error
			iv, err = scanInterview(row)
			return err
		})
		// The owner is checked once, on the interview: these two read
		// nothing of another owner's interview that is returned.
		b.Queue(`SELECT `+turnColumns+` FROM turns WHERE interview_id = `+idSQL+` ORDER BY seq`, key).Query(func(rows pgx.Rows) error {
			return scanTurns(rows, label, &turns)
		})
		b.Queue(`SELECT body FROM debriefs WHERE interview_id = `+idSQL, key).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(&body); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("postgres: interview %s: debrief: %w", label, err)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	iv.Turns = turns
	if body != nil {
		if iv.Debrief, err = decodeDebrief(iv.ID, body); err != nil {
			return nil, err
		}
	}
	return iv, nil
}

// decodeDebrief decodes the stored body of interview id's debrief.
func decodeDebrief(id string, body []byte) (*agent.Debrief, error) {
	d := new(agent.Debrief)
	if err := json.Unmarshal(body, d); err != nil {
		return nil, fmt.Errorf("postgres: interview %s: decode debrief: %w", id, err)
	}
	return d, nil
}

// interviewColumns are the columns scanInterview reads, of interviews i.
const interviewColumns = `i.id, i.owner_id, i.status, i.role, i.level, i.focus, i.principles,
	i.prompt_tokens, i.cached_prompt_tokens, i.completion_tokens, i.created_at, i.updated_at`

// scanInterview reads the interviewColumns of one row, then extra, mapping
// no row to ENOTFOUND.
func scanInterview(row pgx.Row, extra ...any) (*agent.Interview, error) {
	var (
		iv                  agent.Interview
		principles          []byte
		status, role, level string
	)
	err := row.Scan(append([]any{&iv.ID, &iv.OwnerID, &status, &role, &level, &iv.Focus, &principles,
		&iv.Usage.PromptTokens, &iv.Usage.CachedPromptTokens, &iv.Usage.CompletionTokens, &iv.CreatedAt, &iv.UpdatedAt},
		extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return nil, fmt.Errorf("postgres: read interview: %w", err)
	}
	iv.Status, iv.Role, iv.Level = agent.Status(status), agent.Role(role), agent.Level(level)
	if err := json.Unmarshal(principles, &iv.Principles); err != nil {
		return nil, fmt.Errorf("postgres: interview %s: decode principles: %w", iv.ID, err)
	}
	iv.CreatedAt, iv.UpdatedAt = iv.CreatedAt.UTC(), iv.UpdatedAt.UTC()
	return &iv, nil
}

// Interviews lists an owner's interviews, newest first (ties by id, compared
// byte-wise), with the recommendation of those that have a debrief. The
// slice is empty, not nil, when there are none.
func (db *DB) Interviews(ctx context.Context, ownerID string) (_ []agent.InterviewSummary, err error) {
	defer faultOf(ctx, &err)
	return db.ListInterviews(ctx, ownerID, agent.ListFilter{})
}

// ClaimsChannel is the channel on which Claim notifies every claim, with
// the payload "<interview id> <generation>".
const ClaimsChannel = "barraiser_claims"

// Claim makes the caller the driver of an interview and returns its new
// fencing generation (1 for the first claim). Writes made with an older
// generation fail with ESUPERSEDED. An unknown id returns ENOTFOUND. In
// the same transaction it notifies ClaimsChannel, so that WatchClaims in
// every process hears of the claim once it is committed.
func (db *DB) Claim(ctx context.Context, id string) (_ int64, err error) {
	defer faultOf(ctx, &err)
	// One statement, so one transaction: the notification is sent if and
	// only if the new generation is committed.
	var gen int64
	err = db.pool.QueryRow(ctx, `WITH c AS (
			UPDATE interviews SET generation = generation + 1 WHERE id = $1 RETURNING id, generation
		), n AS (
			SELECT pg_notify('`+ClaimsChannel+`', c.id || ' ' || c.generation) FROM c
		)
		SELECT c.generation FROM c, n`, id).Scan(&gen)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return 0, fmt.Errorf("postgres: claim %s: %w", id, err)
	}
	return gen, nil
}

// state is the part of an interviews row that guards a write.
type state struct {
	status agent.Status
	gen    int64
}

// lockedState locks an interview's row for the rest of tx, reads its
// status and generation and applies the fencing check: ENOTFOUND for an
// unknown id, ESUPERSEDED when gen is not 0 and not the current
// generation. The row lock makes writers of one interview, in any process,
// run one after the other.
func lockedState(ctx context.Context, tx pgx.Tx, id string, gen int64) (state, error) {
	var (
		s      state
		status string
	)
	err := tx.QueryRow(ctx, `SELECT generation, status FROM interviews WHERE id = $1 FOR UPDATE`, id).Scan(&s.gen, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return s, fmt.Errorf("postgres: interview %s: lock: %w", id, err)
	}
	s.status = agent.Status(status)
	return s, agent.CheckGeneration(id, s.gen, gen)
}

// SetStatus moves an interview from one status to another and sets its
// updated_at to now. It returns ENOTFOUND for an unknown id, ESUPERSEDED
// when gen is not 0 and not current, and ECONFLICT when the interview is
// not in status from.
func (db *DB) SetStatus(ctx context.Context, id string, gen int64, from, to agent.Status) (err error) {
	defer faultOf(ctx, &err)
	return db.writeTx(ctx, func(tx pgx.Tx) error {
		s, err := lockedState(ctx, tx, id, gen)
		if err != nil {
			return err
		}
		if s.status != from {
			return agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not %s.", id, s.status, from)
		}
		if _, err := tx.Exec(ctx, `UPDATE interviews SET status = $1, updated_at = $2 WHERE id = $3`,
			string(to), codec.NormTime(time.Now()), id); err != nil {
			return fmt.Errorf("postgres: set status of %s: %w", id, err)
		}
		return nil
	})
}

// AddUsage adds model token counts to an interview's running total. An
// unknown id returns ENOTFOUND.
func (db *DB) AddUsage(ctx context.Context, id string, u agent.Usage) (err error) {
	defer faultOf(ctx, &err)
	tag, err := db.pool.Exec(ctx, `UPDATE interviews SET prompt_tokens = prompt_tokens + $1,
			cached_prompt_tokens = cached_prompt_tokens + $2, completion_tokens = completion_tokens + $3
		WHERE id = $4`, u.PromptTokens, u.CachedPromptTokens, u.CompletionTokens, id)
	if err != nil {
		return fmt.Errorf("postgres: add usage to %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	}
	return nil
}

// InterviewIDsByStatus lists the ids of every interview in a status,
// across owners, oldest first.
func (db *DB) InterviewIDsByStatus(ctx context.Context, status agent.Status) (_ []string, err error) {
	defer faultOf(ctx, &err)
	rows, err := db.pool.Query(ctx,
		`SELECT id FROM interviews WHERE status = $1 ORDER BY created_at, id COLLATE "C"`, string(status))
	if err != nil {
		return nil, fmt.Errorf("postgres: interviews in %s: %w", status, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: interviews in %s: %w", status, err)
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}
