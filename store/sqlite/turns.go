package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// AppendTurns implements agent.Store, with the checks in the order its
// documentation gives. It goes through the committer, so the transaction
// may hold other callers' writes too; a failed check rolls back only these
// turns. When too many writes are queued already it fails at once with
// EBUSY (with a RetryAfter) and stores nothing; when ctx ends before the
// write started it returns an error wrapping ctx.Err() and stores nothing.
// Once started, the write is carried through whatever ctx does, and its
// outcome is what AppendTurns returns.
func (db *DB) AppendTurns(ctx context.Context, id string, gen int64, ts ...agent.Turn) (stored []agent.Turn, created bool, err error) {
	defer faultOf(&err)
	if ts, err = codec.StampTurns(ts); err != nil {
		return nil, false, fmt.Errorf("sqlite: append turns to %s: %w", id, err)
	}
	t := ts[0]
	dedupe := t.Speaker == agent.SpeakerCandidate && t.ClientID != ""
	err = db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		// Everything the checks need, in one statement: the committer runs
		// the writes of every interview one after another, so each
		// statement saved here shortens every turn's wait.
		var (
			last int
			dup  sql.NullInt64
		)
		s, err := readState(tx.QueryRowContext(ctx, qAppendState, dedupe, t.ClientID, string(agent.SpeakerCandidate), id),
			id, gen, &last, &dup)
		if err != nil {
			return err
		}
		if dup.Valid {
			prev, err := scanTurn(tx.QueryRowContext(ctx, qTurnByClientID, id, t.ClientID, string(agent.SpeakerCandidate)))
			if err != nil {
				return fmt.Errorf("sqlite: append turn to %s: find client id: %w", id, err)
			}
			stored = []agent.Turn{prev}
			return nil
		}
		if s.status != agent.StatusInProgress {
			return agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not in progress.", id, s.status)
		}
		if t.Seq != last+1 {
			return agent.Errorf(agent.ECONFLICT, "Turn %d of interview %s is not next: the last turn is %d.", t.Seq, id, last)
		}
		for _, t := range ts {
			if err := t.Validate(); err != nil {
				return fmt.Errorf("sqlite: append turn to %s: %w", id, err)
			}
			_, err = tx.ExecContext(ctx, qInsertTurn, id, t.Seq, string(t.Speaker), string(t.Kind), t.Principle,
				t.FollowUp, t.Probe, t.Text, t.ClientID, fmtTime(t.At))
			if isConstraint(err) {
				return agent.Errorf(agent.ECONFLICT, "Turn %d of interview %s conflicts with a stored turn.", t.Seq, id)
			} else if err != nil {
				return fmt.Errorf("sqlite: append turn to %s: %w", id, err)
			}
		}
		if _, err := tx.ExecContext(ctx, qTouch, fmtTime(ts[len(ts)-1].At), id); err != nil {
			return fmt.Errorf("sqlite: append turn to %s: touch: %w", id, err)
		}
		stored, created = ts, true
		return nil
	}, false)
	if err != nil {
		return nil, false, err
	}
	return stored, created, nil
}

// turnColumns are the columns scanTurn reads, in order.
const turnColumns = `seq, speaker, kind, principle, follow_up, probe, text, client_id, at`

// The statements of AppendTurns and turns.
const (
	qTurnByClientID = `SELECT ` + turnColumns + ` FROM turns
		WHERE interview_id = ? AND client_id = ? AND speaker = ?`
	// qAppendState reads an interview's status and generation (for
	// readState), its last seq and, when the first parameter is true, the seq of the candidate
	// turn with a client id (NULL when there is none).
	qAppendState = `SELECT i.status, i.generation,
			(SELECT COALESCE(MAX(seq), 0) FROM turns WHERE interview_id = i.id),
			(SELECT seq FROM turns WHERE ? AND interview_id = i.id AND client_id = ? AND speaker = ?)
		FROM interviews i WHERE i.id = ?`
	qInsertTurn = `INSERT INTO turns (interview_id, seq, speaker, kind, principle, follow_up, probe,
			text, client_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qTouch = `UPDATE interviews SET updated_at = ? WHERE id = ?`
	qTurns = `SELECT ` + turnColumns + ` FROM turns WHERE interview_id = ? ORDER BY seq`
)

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// scanTurn reads the turnColumns of one row.
func scanTurn(row rowScanner) (agent.Turn, error) {
	var (
		t                 agent.Turn
		speaker, kind, at string
	)
	if err := row.Scan(&t.Seq, &speaker, &kind, &t.Principle, &t.FollowUp, &t.Probe, &t.Text, &t.ClientID,
		&at); err != nil {
		return agent.Turn{}, err
	}
	t.Speaker, t.Kind = agent.Speaker(speaker), agent.TurnKind(kind)
	var err error
	if t.At, err = parseTime(at); err != nil {
		return agent.Turn{}, err
	}
	return t, nil
}

// turns returns an interview's turns ordered by seq; never nil.
func turns(ctx context.Context, tx *cachedTx, id string) ([]agent.Turn, error) {
	rows, err := tx.QueryContext(ctx, qTurns, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: turns of %s: %w", id, err)
	}
	defer rows.Close()
	out := []agent.Turn{}
	for rows.Next() {
		t, err := scanTurn(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: turns of %s: %w", id, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: turns of %s: %w", id, err)
	}
	return out, nil
}
