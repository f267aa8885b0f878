package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// AppendTurn stores t as the next turn of an in-progress interview and
// bumps the interview's updated_at to the turn's At. It goes through the
// committer, so the transaction may hold other callers' writes too; a
// failed check rolls back only this turn. The checks run in this order:
//
//   - an unknown id returns ENOTFOUND;
//   - a gen other than 0 that is not the current generation returns
//     ESUPERSEDED;
//   - a candidate turn whose ClientID is already stored is not stored
//     again: the stored turn is returned with created false and a nil
//     error, even if the interview has moved on since;
//   - an interview not in progress returns ECONFLICT;
//   - t.Seq other than one past the last stored seq returns ECONFLICT.
//
// The returned turn is the turn as stored: At in UTC truncated to the
// microsecond, or now when t.At is zero. It is durable when AppendTurn
// returns. When too many writes are queued already it fails at once with
// EBUSY (with a RetryAfter) and stores nothing; when ctx ends before the
// write started it returns an error wrapping ctx.Err() and stores nothing.
// Once started, the write is carried through whatever ctx does, and its
// outcome is what AppendTurn returns.
func (db *DB) AppendTurn(ctx context.Context, id string, gen int64, t agent.Turn) (agent.Turn, bool, error) {
	stored, created, err := db.AppendTurns(ctx, id, gen, t)
	if err != nil {
		return agent.Turn{}, false, err
	}
	return stored[0], created, nil
}

// AppendTurns stores ts, turns of consecutive seqs, in one transaction
// (which the committer may share with other writes): all of them or none.
// The checks are AppendTurn's, made with ts[0]; when ts[0] is a candidate
// turn whose ClientID is already stored, nothing is stored and stored
// holds that stored turn alone, with created false.
func (db *DB) AppendTurns(ctx context.Context, id string, gen int64, ts ...agent.Turn) (stored []agent.Turn, created bool, err error) {
	defer faultOf(&err)
	if err := agent.CheckConsecutive(ts); err != nil {
		return nil, false, fmt.Errorf("sqlite: append turns to %s: %w", id, err)
	}
	ts = slices.Clone(ts)
	for i := range ts {
		ts[i].At = codec.Stamp(ts[i].At)
	}
	t := ts[0]
	dedupe := t.Speaker == agent.SpeakerCandidate && t.ClientID != ""
	err = db.commit(ctx, func(ctx context.Context, tx *cachedTx) error {
		// Everything the checks need, in one statement: the committer runs
		// the writes of every interview one after another, so each
		// statement saved here shortens every turn's wait.
		var (
			status string
			stGen  int64
			last   int
			dup    sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, qAppendState, dedupe, t.ClientID, string(agent.SpeakerCandidate), id).
			Scan(&status, &stGen, &last, &dup)
		if errors.Is(err, sql.ErrNoRows) {
			return agent.Errorf(agent.ENOTFOUND, "Interview not found.")
		} else if err != nil {
			return fmt.Errorf("sqlite: append turn to %s: read state: %w", id, err)
		}
		if err := agent.CheckGeneration(id, stGen, gen); err != nil {
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
		if status := agent.Status(status); status != agent.StatusInProgress {
			return agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not in progress.", id, status)
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

// The statements of AppendTurn and turns.
const (
	qTurnByClientID = `SELECT ` + turnColumns + ` FROM turns
		WHERE interview_id = ? AND client_id = ? AND speaker = ?`
	// qAppendState reads an interview's status and generation, its last
	// seq and, when the first parameter is true, the seq of the candidate
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
