package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/internal/codec"
)

// AppendTurns implements agent.Store, with the checks in the order its
// documentation gives, in one transaction that first locks the
// interview's row.
//
// Storing turns takes two round trips to the server: BEGIN, the row lock
// and the reads the checks need are sent as one pipeline, and the writes
// with COMMIT as another.
func (db *DB) AppendTurns(ctx context.Context, id string, gen int64, ts ...agent.Turn) (stored []agent.Turn, created bool, err error) {
	defer faultOf(ctx, &err)
	if ts, err = codec.StampTurns(ts); err != nil {
		return nil, false, fmt.Errorf("postgres: append turns to %s: %w", id, err)
	}
	t := ts[0]
	dedupe := t.Speaker == agent.SpeakerCandidate && t.ClientID != ""

	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: append turn to %s: %w", id, err)
	}
	defer conn.Release()
	open := true // a transaction may be open on conn
	defer func() {
		if open {
			rollback(ctx, conn)
		}
	}()

	// The row lock first: each later statement of the pipeline takes its
	// snapshot once the lock is held, so it sees every turn committed by
	// the writers that held the lock before.
	var (
		b          pgx.Batch
		s          state
		status     string
		exists     bool
		prev       agent.Turn
		found      bool
		last       int
		notFoundOK = func(err error) error {
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		}
	)
	b.Queue(`BEGIN`)
	b.Queue(`SELECT generation, status FROM interviews WHERE id = $1 FOR UPDATE`, id).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&s.gen, &status)
		exists = err == nil
		return notFoundOK(err)
	})
	if dedupe {
		b.Queue(turnByClientID, id, t.ClientID, string(agent.SpeakerCandidate)).QueryRow(func(row pgx.Row) error {
			var err error
			prev, err = scanTurn(row)
			found = err == nil
			return notFoundOK(err)
		})
	}
	b.Queue(`SELECT COALESCE(MAX(seq), 0) FROM turns WHERE interview_id = $1`, id).QueryRow(func(row pgx.Row) error {
		return row.Scan(&last)
	})
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		return nil, false, fmt.Errorf("postgres: append turn to %s: %w", id, err)
	}
	s.status = agent.Status(status)

	if !exists {
		return nil, false, agent.Errorf(agent.ENOTFOUND, "Interview not found.")
	}
	if err := agent.CheckGeneration(id, s.gen, gen); err != nil {
		return nil, false, err
	}
	switch {
	case found:
		return []agent.Turn{prev}, false, nil
	case s.status != agent.StatusInProgress:
		return nil, false, agent.Errorf(agent.ECONFLICT, "Interview %s is %s, not in progress.", id, s.status)
	case t.Seq != last+1:
		return nil, false, agent.Errorf(agent.ECONFLICT, "Turn %d of interview %s is not next: the last turn is %d.",
			t.Seq, id, last)
	}
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return nil, false, fmt.Errorf("postgres: append turn to %s: %w", id, err)
		}
	}

	// After an error the server skips the rest of the pipeline, COMMIT
	// included, and the deferred rollback ends the transaction.
	b = pgx.Batch{}
	for _, t := range ts {
		b.Queue(`INSERT INTO turns (interview_id, seq, speaker, kind, principle, follow_up, probe, text, client_id, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, t.Seq, string(t.Speaker), string(t.Kind), t.Principle, t.FollowUp, t.Probe, t.Text, t.ClientID, t.At)
	}
	b.Queue(`UPDATE interviews SET updated_at = $1 WHERE id = $2`, ts[len(ts)-1].At, id)
	b.Queue(`COMMIT`)
	err = conn.SendBatch(ctx, &b).Close()
	if err == nil {
		open = false
		return ts, true, nil
	}
	constraint, unique := uniqueViolation(err)
	if !unique {
		return nil, false, fmt.Errorf("postgres: append turn to %s: %w", id, err)
	}
	// Unreachable while every writer takes the row lock; kept so that the
	// contract holds even for one that does not.
	rollback(ctx, conn)
	open = false
	if constraint == "turns_client_id" && dedupe {
		prev, err := scanTurn(conn.QueryRow(ctx, turnByClientID, id, t.ClientID, string(agent.SpeakerCandidate)))
		if err == nil {
			return []agent.Turn{prev}, false, nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, fmt.Errorf("postgres: append turn to %s: find client id: %w", id, err)
		}
	}
	return nil, false, agent.Errorf(agent.ECONFLICT, "Turn %d of interview %s conflicts with a stored turn.", t.Seq, id)
}

// turnColumns are the columns scanTurn reads, in order.
const turnColumns = `seq, speaker, kind, principle, follow_up, probe, text, client_id, at`

// turnByClientID finds a candidate turn of interview $1 by its client id $2
// (speaker $3 is the candidate).
const turnByClientID = `SELECT ` + turnColumns + ` FROM turns WHERE interview_id = $1 AND client_id = $2 AND speaker = $3`

// scanTurn reads the turnColumns of one row.
func scanTurn(row pgx.Row) (agent.Turn, error) {
	var (
		t             agent.Turn
		speaker, kind string
	)
	if err := row.Scan(&t.Seq, &speaker, &kind, &t.Principle, &t.FollowUp, &t.Probe, &t.Text, &t.ClientID,
		&t.At); err != nil {
		return agent.Turn{}, err
	}
	t.Speaker, t.Kind, t.At = agent.Speaker(speaker), agent.TurnKind(kind), t.At.UTC()
	return t, nil
}

// scanTurns reads the turns of an interview, ordered by seq, into *out;
// never nil.
func scanTurns(rows pgx.Rows, id string, out *[]agent.Turn) error {
	*out = []agent.Turn{}
	for rows.Next() {
		t, err := scanTurn(rows)
		if err != nil {
			return fmt.Errorf("postgres: turns of %s: %w", id, err)
		}
		*out = append(*out, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: turns of %s: %w", id, err)
	}
	return nil
}
