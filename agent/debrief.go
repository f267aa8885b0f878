package agent

import (
	"fmt"
	"strings"
	"time"
)

// Rating is a hiring signal on the four-point bar-raiser scale.
type Rating string

// The ratings, strongest first, plus the rating of a principle never asked.
const (
	StrongHire   Rating = "strong_hire"
	Hire         Rating = "hire"
	NoHire       Rating = "no_hire"
	StrongNoHire Rating = "strong_no_hire"
	NotAssessed  Rating = "not_assessed"
)

// RatingForScore maps a score from 1 to 4 to its rating.
func RatingForScore(score int) Rating {
	switch {
	case score >= 4:
		return StrongHire
	case score == 3:
		return Hire
	case score == 2:
		return NoHire
	default:
		return StrongNoHire
	}
}

// Evidence is a quote copied verbatim from candidate turn Seq.
type Evidence struct {
	Seq   int    `json:"seq"`
	Quote string `json:"quote"`
}

// STAR records which parts of a STAR story the candidate told.
type STAR struct {
	Situation bool `json:"situation"`
	Task      bool `json:"task"`
	Action    bool `json:"action"`
	Result    bool `json:"result"`
}

// PrincipleGrade is the assessment of one principle.
type PrincipleGrade struct {
	Principle string     `json:"principle"`
	Name      string     `json:"name"`
	Score     *int       `json:"score"`
	Rating    Rating     `json:"rating"`
	Evidence  []Evidence `json:"evidence"`
	Strengths []string   `json:"strengths"`
	Concerns  []string   `json:"concerns"`
	STAR      STAR       `json:"star"`
	Advice    string     `json:"advice"`
	// RedFlag names a disqualifying pattern found in the story, if any: the
	// first of RedFlags.
	RedFlag string `json:"red_flag,omitempty"`
	// RedFlags lists every red flag raised, the decisive one first; each is
	// one of RedFlagNames.
	RedFlags []string `json:"red_flags,omitempty"`
	// GradedBy is "rules" or "llm:<model>" for this principle.
	GradedBy string `json:"graded_by,omitempty"`
	// DroppedQuotes counts model quotes that did not match the transcript.
	DroppedQuotes int `json:"dropped_quotes,omitempty"`
}

// GraderNote is the debrief's plain account of who graded: gradedBy is the
// debrief's graded_by, configured the interviewer that was meant to grade.
func GraderNote(gradedBy, configured string) string {
	const rules = "Graded by the built-in rules: a heuristic reading of how your answers are built (what you did yourself, " +
		"results set against their starting point, lessons, what lasted, the scope for your level). It cannot tell whether a story is true " +
		"or judge it as an interviewer would."
	switch {
	case gradedBy != "rules":
		return fmt.Sprintf("Graded by the model %s on the rubric; the code overrode it only for checkable reasons "+
			"(instructions to the grader, principle names instead of a story, quotes not found in your answers).", strings.TrimPrefix(gradedBy, "llm:"))
	case configured != "rules":
		return rules + " The configured model failed or the interview spent its token budget, so the rules graded some or all principles."
	}
	return rules + " For a model's judgement, start the server with OPENAI_API_KEY or OPENAI_BASE_URL set (any OpenAI-compatible API, Ollama included)."
}

// Debrief is the graded outcome of an interview.
type Debrief struct {
	Recommendation Rating           `json:"recommendation"`
	BarRaiserVeto  bool             `json:"bar_raiser_veto"`
	Summary        string           `json:"summary"`
	Principles     []PrincipleGrade `json:"principles"`
	GradedBy       string           `json:"graded_by"`
	// GraderNote says in plain words who graded and how far to trust it:
	// the built-in rules are a heuristic reading, and how to turn on a
	// model instead.
	GraderNote string    `json:"grader_note"`
	Usage      Usage     `json:"usage"`
	CreatedAt  time.Time `json:"created_at"`
}
