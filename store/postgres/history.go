package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/barraiser/barraiser/agent"
)

// OwnerHistory reports what an owner has practised. AskedQuestions holds
// the question id of every planned principle of the owner's interviews
// that have at least one turn; Practised counts, per principle id, the
// owner's interviews in which the candidate answered that principle at
// least once. Both maps are non-nil.
func (db *DB) OwnerHistory(ctx context.Context, ownerID string) (_ agent.History, err error) {
	defer faultOf(ctx, &err)
	h := agent.History{AskedQuestions: map[string]bool{}, Practised: map[string]int{}}
	err = db.snapshot(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT i.id, i.principles FROM interviews i
			WHERE i.owner_id = $1 AND EXISTS (SELECT 1 FROM turns t WHERE t.interview_id = i.id)`,
			ownerID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var (
					id         string
					principles []byte
				)
				if err := rows.Scan(&id, &principles); err != nil {
					return fmt.Errorf("postgres: history of owner: %w", err)
				}
				var plan []agent.PlannedPrinciple
				if err := json.Unmarshal(principles, &plan); err != nil {
					return fmt.Errorf("postgres: interview %s: decode principles: %w", id, err)
				}
				for _, p := range plan {
					if p.QuestionID != "" {
						h.AskedQuestions[p.QuestionID] = true
					}
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("postgres: history of owner: %w", err)
			}
			return nil
		})
		b.Queue(`SELECT t.principle, COUNT(DISTINCT t.interview_id)
			FROM turns t JOIN interviews i ON i.id = t.interview_id
			WHERE i.owner_id = $1 AND t.speaker = $2 AND t.principle <> ''
			GROUP BY t.principle`, ownerID, string(agent.SpeakerCandidate)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var (
					principle string
					n         int
				)
				if err := rows.Scan(&principle, &n); err != nil {
					return fmt.Errorf("postgres: practised principles: %w", err)
				}
				h.Practised[principle] = n
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("postgres: practised principles: %w", err)
			}
			return nil
		})
	})
	if err != nil {
		return agent.History{}, err
	}
	return h, nil
}
