package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/barraiser/barraiser/agent"
)

// OwnerHistory reports what an owner has practised. AskedQuestions holds
// the question id of every planned principle of the owner's interviews
// that have at least one turn; Practised counts, per principle id, the
// owner's interviews in which the candidate answered that principle at
// least once. Both maps are non-nil.
func (db *DB) OwnerHistory(ctx context.Context, ownerID string) (_ agent.History, err error) {
	defer faultOf(&err)
	h := agent.History{AskedQuestions: map[string]bool{}, Practised: map[string]int{}}
	err = db.readTx(ctx, func(tx *cachedTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT i.id, i.principles FROM interviews i
			WHERE i.owner_id = ? AND EXISTS (SELECT 1 FROM turns t WHERE t.interview_id = i.id)`, ownerID)
		if err != nil {
			return fmt.Errorf("sqlite: history of owner: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, principles string
			if err := rows.Scan(&id, &principles); err != nil {
				return fmt.Errorf("sqlite: history of owner: %w", err)
			}
			var plan []agent.PlannedPrinciple
			if err := json.Unmarshal([]byte(principles), &plan); err != nil {
				return fmt.Errorf("sqlite: interview %s: decode principles: %w", id, err)
			}
			for _, p := range plan {
				if p.QuestionID != "" {
					h.AskedQuestions[p.QuestionID] = true
				}
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: history of owner: %w", err)
		}

		rows, err = tx.QueryContext(ctx, `SELECT t.principle, COUNT(DISTINCT t.interview_id)
			FROM turns t JOIN interviews i ON i.id = t.interview_id
			WHERE i.owner_id = ? AND t.speaker = ? AND t.principle <> ''
			GROUP BY t.principle`, ownerID, string(agent.SpeakerCandidate))
		if err != nil {
			return fmt.Errorf("sqlite: practised principles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				principle string
				n         int
			)
			if err := rows.Scan(&principle, &n); err != nil {
				return fmt.Errorf("sqlite: practised principles: %w", err)
			}
			h.Practised[principle] = n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: practised principles: %w", err)
		}
		return nil
	})
	if err != nil {
		return agent.History{}, err
	}
	return h, nil
}
