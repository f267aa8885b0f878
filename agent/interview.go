package agent

import (
	"fmt"
	"slices"
	"time"
)

// Role is the job family an interview is calibrated for.
type Role string

// The role families a question can be tagged with.
const (
	RoleSDE     Role = "sde"
	RoleEM      Role = "em"
	RolePM      Role = "pm"
	RoleTPM     Role = "tpm"
	RoleGeneral Role = "general"
)

// Roles lists every valid role in display order.
var Roles = []Role{RoleSDE, RoleEM, RolePM, RoleTPM, RoleGeneral}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Manager reports whether the role leads people rather than building alone.
func (r Role) Manager() bool { return r == RoleEM }

// Level is a seniority level from L4 to L8.
type Level string

// Levels lists every valid level, junior first.
var Levels = []Level{"L4", "L5", "L6", "L7", "L8"}

// Rank returns 4 for L4 up to 8 for L8, and 0 for an invalid level.
func (l Level) Rank() int {
	for i, v := range Levels {
		if l == v {
			return i + 4
		}
	}
	return 0
}

// Valid reports whether l is one of Levels.
func (l Level) Valid() bool { return l.Rank() != 0 }

// Status is where an interview is in its life.
type Status string

// The statuses an interview moves through, in order.
const (
	StatusInProgress Status = "in_progress"
	StatusGrading    Status = "grading"
	StatusComplete   Status = "complete"
)

// Speaker says who produced a turn.
type Speaker string

// The two speakers of an interview.
const (
	SpeakerInterviewer Speaker = "interviewer"
	SpeakerCandidate   Speaker = "candidate"
)

// TurnKind says what a turn is.
type TurnKind string

// The kinds of turn.
const (
	KindOpening  TurnKind = "opening"
	KindFollowUp TurnKind = "follow_up"
	KindAnswer   TurnKind = "answer"
)

// MaxFollowUps is the most follow-up questions asked about one principle.
const MaxFollowUps = 4

// Limits on what a client may send. MaxAnswerRunes is the default of
// Service.MaxAnswerChars, which an operator may change.
const (
	MaxFocusRunes  = 10000
	MaxAnswerRunes = 8000
	// MaxClientIDBytes bounds the idempotency key a client sends with an answer.
	MaxClientIDBytes      = 128
	MaxPrinciples         = 4
	DefaultPrincipleCount = 2
)

// PlannedPrinciple is one principle of an interview's plan with the question
// retrieved to open it.
type PlannedPrinciple struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	QuestionID string `json:"question_id,omitempty"`
}

// Turn is one message of the transcript. Seq starts at 1 and has no gaps.
type Turn struct {
	Seq       int       `json:"seq"`
	Speaker   Speaker   `json:"speaker"`
	Kind      TurnKind  `json:"kind"`
	Principle string    `json:"principle"`
	FollowUp  int       `json:"follow_up"`
	Probe     string    `json:"probe,omitempty"`
	Text      string    `json:"text"`
	ClientID  string    `json:"client_id,omitempty"`
	At        time.Time `json:"at"`
}

// Interview is one mock interview with its transcript and, once graded, its
// debrief.
type Interview struct {
	ID         string             `json:"id"`
	OwnerID    string             `json:"-"`
	Status     Status             `json:"status"`
	Role       Role               `json:"role"`
	Level      Level              `json:"level"`
	Focus      string             `json:"focus"`
	Principles []PlannedPrinciple `json:"principles"`
	Turns      []Turn             `json:"turns"`
	Debrief    *Debrief           `json:"debrief"`
	Usage      Usage              `json:"usage"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
	// MaxAnswerChars is the longest answer, in characters, the server
	// takes for this interview. It is not stored: Service.Get sets it from
	// the server's configuration so that clients can show it; zero (and
	// no JSON field) where nothing set it.
	MaxAnswerChars int `json:"max_answer_chars,omitempty"`
}

// Usage counts the model tokens an interview has spent.
type Usage struct {
	PromptTokens       int `json:"prompt_tokens"`
	CachedPromptTokens int `json:"cached_prompt_tokens"`
	CompletionTokens   int `json:"completion_tokens"`
}

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{u.PromptTokens + v.PromptTokens, u.CachedPromptTokens + v.CachedPromptTokens, u.CompletionTokens + v.CompletionTokens}
}

// InterviewSummary is the row shown in a list of interviews.
type InterviewSummary struct {
	ID             string             `json:"id"`
	Status         Status             `json:"status"`
	Role           Role               `json:"role"`
	Level          Level              `json:"level"`
	Focus          string             `json:"focus"`
	Principles     []PlannedPrinciple `json:"principles"`
	Recommendation string             `json:"recommendation,omitempty"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
}

// Pending returns the question waiting for an answer, if any.
func (iv *Interview) Pending() (Turn, bool) {
	if iv.Status != StatusInProgress || len(iv.Turns) == 0 {
		return Turn{}, false
	}
	last := iv.Turns[len(iv.Turns)-1]
	return last, last.Speaker == SpeakerInterviewer
}

// LastSeq returns the seq of the last turn, or 0 when there is none.
func (iv *Interview) LastSeq() int {
	if len(iv.Turns) == 0 {
		return 0
	}
	return iv.Turns[len(iv.Turns)-1].Seq
}

// TurnByClientID returns the candidate turn stored with the given client id.
func (iv *Interview) TurnByClientID(clientID string) (Turn, bool) {
	if clientID == "" {
		return Turn{}, false
	}
	for _, t := range iv.Turns {
		if t.Speaker == SpeakerCandidate && t.ClientID == clientID {
			return t, true
		}
	}
	return Turn{}, false
}

// PrincipleTurns returns the turns about one principle, in order.
func (iv *Interview) PrincipleTurns(principle string) []Turn {
	var out []Turn
	for _, t := range iv.Turns {
		if t.Principle == principle {
			out = append(out, t)
		}
	}
	return out
}

// Summary returns the list row for iv.
func (iv *Interview) Summary() InterviewSummary {
	s := InterviewSummary{ID: iv.ID, Status: iv.Status, Role: iv.Role, Level: iv.Level, Focus: iv.Focus,
		Principles: iv.Principles, CreatedAt: iv.CreatedAt, UpdatedAt: iv.UpdatedAt}
	if iv.Debrief != nil {
		s.Recommendation = string(iv.Debrief.Recommendation)
	}
	return s
}

// Validate checks a turn before it is stored.
func (t Turn) Validate() error {
	if t.Seq < 1 {
		return fmt.Errorf("agent: turn seq %d < 1", t.Seq)
	}
	if t.FollowUp < 0 || t.FollowUp > MaxFollowUps {
		return fmt.Errorf("agent: follow_up %d out of range", t.FollowUp)
	}
	return nil
}
