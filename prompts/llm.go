package prompts

import (
	"strconv"
	"strings"
)

// Guide is what the system prompt says about one principle.
type Guide struct {
	ID          string
	Name        string
	Description string
	Signals     []string
	RedFlags    []string
}

// Turn is one transcript turn as the model sees it.
type Turn struct {
	Seq     int
	Speaker string // "interviewer" or "candidate"
	Text    string
}

// Context is what every task prompt says about the interview at hand.
type Context struct {
	PrincipleID   string
	PrincipleName string
	Role          string
	Level         string
	// Expectation is the bar for this role and level, in one or two sentences.
	Expectation string
	Turns       []Turn
}

// AskData is the input of the question prompts.
type AskData struct {
	Context
	// Question is the retrieved opening question (opening prompt).
	Question string
	// Gap and Probe are the gap to dig into and a reference wording
	// (follow-up prompt).
	Gap   string
	Probe string
	// Transition is true when a previous principle was just finished.
	Transition bool
}

// DecideData is the input of the follow-up decision prompt.
type DecideData struct {
	Context
	// Facts is the rules analysis of the candidate's answers, as JSON.
	Facts     string
	Missing   []string
	Allowed   []string
	FollowUps int
	MaxFollow int
}

// GradeData is the input of the grading prompt.
type GradeData struct {
	Context
	// Facts is the rules analysis of the candidate's answers, as JSON,
	// shown as heuristic hints that never cap the grade.
	Facts string
}

// System renders the system message. It depends only on the principles'
// guides, so it is the same for every call of every interview: providers
// that cache prompt prefixes reuse it from the second call on. Candidate
// text never appears in it.
func System(guides []Guide) string {
	return Render("llm_system_v1.tmpl", map[string]any{"Guides": guides})
}

// AskOpening renders the user message asking for an opening question.
func AskOpening(d AskData) string {
	return Render("llm_ask_opening_v1.tmpl", withTranscript(d.Context, "", d))
}

// AskFollowUp renders the user message asking for a follow-up question.
func AskFollowUp(d AskData) string {
	return Render("llm_ask_follow_up_v1.tmpl", withTranscript(d.Context, "", d))
}

// Decide renders the user message asking whether and where to probe.
func Decide(d DecideData) string {
	return Render("llm_decide_v2.tmpl", withTranscript(d.Context, d.Facts, d))
}

// Grade renders the user message asking for a principle's grade.
func Grade(d GradeData) string {
	return Render("llm_grade_v2.tmpl", withTranscript(d.Context, d.Facts, d))
}

// withTranscript passes d to a template with the transcript rendered as
// quoted data (each turn in its own block, with anything in the text that
// could close the block neutralised) and facts, "{}" when empty.
func withTranscript(c Context, facts string, d any) map[string]any {
	var b strings.Builder
	for _, t := range c.Turns {
		tag := "interviewer_question"
		if t.Speaker == "candidate" {
			tag = "candidate_answer"
		}
		b.WriteString("<" + tag + " seq=\"")
		b.WriteString(strconv.Itoa(t.Seq))
		b.WriteString("\">\n")
		b.WriteString(quote(t.Text))
		b.WriteString("\n</" + tag + ">\n")
	}
	if facts == "" {
		facts = "{}"
	}
	return map[string]any{"D": d, "Transcript": strings.TrimRight(b.String(), "\n"), "Facts": facts}
}

// quote keeps candidate text from closing or opening a transcript block.
func quote(s string) string { return quoter.Replace(s) }

var quoter = strings.NewReplacer("<candidate_answer", "&lt;candidate_answer", "</candidate_answer", "&lt;/candidate_answer",
	"<interviewer_question", "&lt;interviewer_question", "</interviewer_question", "&lt;/interviewer_question")
