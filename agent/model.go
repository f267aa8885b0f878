package agent

import "context"

// Model is the interviewer: it decides whether to probe, words questions and
// grades principles. The rules interviewer implements it without a network;
// the LLM adapter implements it over an OpenAI-compatible API. The service
// enforces the follow-up cap and the no-repeat rule whatever a Model says.
type Model interface {
	// Name is "rules" or "llm:<model>"; it ends up in the debrief's graded_by.
	Name() string

	// Decide chooses which gap to probe next, or returns an empty Gap when
	// the principle is done. It must choose from in.Allowed.
	Decide(ctx context.Context, in DecideInput) (Decision, Usage, error)

	// Ask words the next question. A streaming model calls emit with each
	// chunk as it arrives; the returned text is the whole question.
	Ask(ctx context.Context, in AskInput, emit func(delta string)) (string, Usage, error)

	// Grade assesses one principle from the candidate's turns.
	Grade(ctx context.Context, in GradeInput) (PrincipleGrade, Usage, error)
}

// DecideInput is what a Model knows when choosing a follow-up.
type DecideInput struct {
	Principle Principle
	Role      Role
	Level     Level
	Turns     []Turn // this principle's turns so far
	Analysis  Analysis
	Missing   []Gap // gaps the story still lacks and nobody has probed, most important first
	Allowed   []Gap // every gap not yet probed for this principle: Missing first, then the rest
	FollowUps int   // follow-ups already asked for this principle
}

// Decision is a Model's follow-up choice.
type Decision struct {
	Gap    Gap
	Reason string
}

// AskInput is what a Model knows when wording a question. Probe is nil for
// the opening question.
type AskInput struct {
	Principle Principle
	Role      Role
	Level     Level
	Question  Question // the retrieved opening question
	Probe     *Probe   // the probe to ask, for a follow-up
	// Transition is true for the opening of every principle but the first.
	Transition bool
	Turns      []Turn // this principle's turns so far
	Analysis   Analysis
}

// GradeInput is what a Model knows when grading a principle.
type GradeInput struct {
	Principle Principle
	Role      Role
	Level     Level
	Turns     []Turn // this principle's turns
	Analysis  Analysis
	Fit       Fit
}

// Fit says how well the candidate's story matches the principle asked
// about, by retrieval over all principles. A zero Fit is unknown.
type Fit struct {
	Rank int    // 1 when the story reads most like this principle
	Best string // name of the principle the story reads most like
}

// MaxFitRank is the lowest rank at which a story still counts as being about
// the principle; below it the rules cap their score at no_hire (a model's
// grade is not capped by it).
const MaxFitRank = 6
