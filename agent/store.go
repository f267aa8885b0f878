package agent

import (
	"context"
	"fmt"
	"time"
)

// Store keeps owners, interviews, turns and debriefs. Every piece of session
// state lives here so that any server process can carry on any interview.
// The embedded SQLite store and the PostgreSQL store both implement it.
type Store interface {
	// EnsureOwner records an owner id; calling it again is a no-op.
	EnsureOwner(ctx context.Context, ownerID string) error

	// CreateInterview stores a new interview with no turns. The caller sets
	// ID, OwnerID, Role, Level, Focus, Principles and the timestamps.
	CreateInterview(ctx context.Context, iv *Interview) error

	// Interview returns an interview with its turns (ordered by seq) and its
	// debrief. It returns ENOTFOUND when the interview does not exist or,
	// when ownerID is not empty, belongs to another owner.
	Interview(ctx context.Context, ownerID, id string) (*Interview, error)

	// Interviews lists an owner's interviews, newest first.
	Interviews(ctx context.Context, ownerID string) ([]InterviewSummary, error)

	// OpenInterviews counts the owner's interviews in progress that were
	// updated at or after since, and returns the earliest update among
	// them (zero when there are none).
	OpenInterviews(ctx context.Context, ownerID string, since time.Time) (n int, oldest time.Time, err error)

	// ListInterviews lists the owner's interviews that match f, in the
	// order of Interviews, starting just past f.After when it is set, and
	// at most f.Limit of them (every match when f.Limit is 0). The slice
	// is empty, not nil, when nothing matches.
	ListInterviews(ctx context.Context, ownerID string, f ListFilter) ([]InterviewSummary, error)

	// OwnerInterviews returns every interview of an owner with its turns
	// and debrief, oldest first (ties by id); only those in status when
	// status is not empty.
	OwnerInterviews(ctx context.Context, ownerID string, status Status) ([]*Interview, error)

	// DeleteInterview erases an interview for good with its turns,
	// debrief, share links and WebSocket tickets. It returns ENOTFOUND
	// when the interview does not exist or, when ownerID is not empty,
	// belongs to another owner.
	DeleteInterview(ctx context.Context, ownerID, id string) error

	// DeleteOwnerInterviews erases every interview of an owner as
	// DeleteInterview does, in one transaction, and returns their ids. The
	// owner and its API keys stay.
	DeleteOwnerInterviews(ctx context.Context, ownerID string) ([]string, error)

	// CreateShare stores a share link of interview sh.InterviewID. It
	// returns ENOTFOUND when the interview does not exist or, when ownerID
	// is not empty, belongs to another owner, and ECONFLICT when sh.Hash
	// is already stored.
	CreateShare(ctx context.Context, ownerID string, sh Share) error

	// RevokeShares deletes every share link of an interview and returns
	// how many there were; ENOTFOUND as for CreateShare.
	RevokeShares(ctx context.Context, ownerID, id string) (int, error)

	// SharedInterview returns the interview, with its turns and debrief,
	// that the share link whose token hashes to hash opens; ENOTFOUND when
	// there is no such link.
	SharedInterview(ctx context.Context, hash []byte) (*Interview, error)

	// Claim makes the caller the driver of an interview and returns its new
	// fencing generation. Writes made with an older generation fail with
	// ESUPERSEDED.
	Claim(ctx context.Context, id string) (int64, error)

	// AppendTurns stores ts, turns of consecutive seqs, as the next turns
	// of an in-progress interview, in one transaction: all of them or
	// none. It moves the interview's UpdatedAt to the At of the last turn.
	// The checks are made with ts[0], in this order:
	//
	//   - an unknown id returns ENOTFOUND;
	//   - a gen other than 0 that is not the current generation returns
	//     ESUPERSEDED;
	//   - when ts[0] is a candidate turn whose ClientID is already stored,
	//     nothing is stored: stored holds the earlier turn alone, with
	//     created false and a nil error, even if the interview has moved
	//     on since;
	//   - an interview not in progress returns ECONFLICT;
	//   - ts[0].Seq other than one past the last stored seq returns
	//     ECONFLICT.
	//
	// The returned turns are the turns as stored: At in UTC truncated to
	// the microsecond, or now when a turn's At is zero. They are durable
	// when AppendTurns returns. AppendTurn is the shorthand for a single
	// turn.
	AppendTurns(ctx context.Context, id string, gen int64, ts ...Turn) (stored []Turn, created bool, err error)

	// SetStatus moves an interview from one status to another. It returns
	// ECONFLICT when the interview is not in status from, and ESUPERSEDED
	// when gen is not 0 and not current.
	SetStatus(ctx context.Context, id string, gen int64, from, to Status) error

	// SaveDebrief stores the debrief of an interview in grading and marks it
	// complete. Saving a debrief for a complete interview returns ECONFLICT.
	SaveDebrief(ctx context.Context, id string, d *Debrief) error

	// AddUsage adds model token counts to an interview's running total.
	AddUsage(ctx context.Context, id string, u Usage) error

	// InterviewIDsByStatus lists the ids of every interview in a status,
	// across owners; used to resume grading after a restart.
	InterviewIDsByStatus(ctx context.Context, status Status) ([]string, error)

	// OwnerHistory reports which questions an owner has been asked and how
	// many times each principle has been practised.
	OwnerHistory(ctx context.Context, ownerID string) (History, error)

	// StoryTitles returns the titles an owner gave their stories; the map
	// is empty, not nil, when there are none.
	StoryTitles(ctx context.Context, ownerID string) (map[StoryKey]string, error)

	// SetStoryTitle stores, or replaces, the title of a story. It returns
	// ENOTFOUND when the interview does not exist or, when ownerID is not
	// empty, belongs to another owner. Deleting the interview deletes its
	// titles.
	SetStoryTitle(ctx context.Context, ownerID string, key StoryKey, title string) error
}

// History is what an owner has already practised.
type History struct {
	AskedQuestions map[string]bool
	Practised      map[string]int
}

// GenerationDeleted is the generation a store announces, where it
// announces claims to other processes, for an interview just deleted.
const GenerationDeleted = -1

// CheckGeneration returns ESUPERSEDED when gen, the generation a writer
// holds, is set and is not the interview's current one. Every store calls
// it inside the transaction that writes.
func CheckGeneration(id string, current, gen int64) error {
	if gen != 0 && gen != current {
		return Errorf(ESUPERSEDED, "Interview %s is driven by generation %d, not %d.", id, current, gen)
	}
	return nil
}

// AppendTurn stores t as the next turn of an in-progress interview through
// st.AppendTurns and returns the turn as stored, with created false when t
// is a candidate turn whose ClientID was already stored (the earlier turn
// is returned then). Its checks and errors are those of AppendTurns, and
// the turn is durable when it returns.
func AppendTurn(ctx context.Context, st Store, id string, gen int64, t Turn) (Turn, bool, error) {
	ts, created, err := st.AppendTurns(ctx, id, gen, t)
	if err != nil {
		return Turn{}, false, err
	}
	if len(ts) != 1 {
		return Turn{}, false, fmt.Errorf("agent: append turn %d to %s: the store returned %d turns, want 1", t.Seq, id, len(ts))
	}
	return ts[0], created, nil
}

// CheckConsecutive reports an error unless ts holds at least one turn and
// their seqs follow one another, as AppendTurns needs.
func CheckConsecutive(ts []Turn) error {
	if len(ts) == 0 {
		return fmt.Errorf("no turns to append")
	}
	for i, t := range ts {
		if t.Seq != ts[0].Seq+i {
			return fmt.Errorf("turn %d follows turn %d", t.Seq, ts[i-1].Seq)
		}
	}
	return nil
}
