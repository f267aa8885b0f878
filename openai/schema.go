package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/barraiser/barraiser/agent"
)

// The JSON schemas of the structured answers. OpenAI's strict mode wants
// every property required and additionalProperties false at every level, so
// the structs that read the answers have no omitempty either.

// decisionOut is the model's follow-up decision.
type decisionOut struct {
	Probe  *bool  `json:"probe"`
	Gap    string `json:"gap"`
	Reason string `json:"reason"`
}

// gradeOut is the model's grade of one principle. Numbers are read as
// float64 so that a lenient model writing 3.0 is still understood.
type gradeOut struct {
	Score     *float64      `json:"score"`
	Evidence  []evidenceOut `json:"evidence"`
	Strengths []string      `json:"strengths"`
	Concerns  []string      `json:"concerns"`
	STAR      agent.STAR    `json:"star"`
	Advice    string        `json:"advice"`
	RedFlags  []string      `json:"red_flags"`
}

type evidenceOut struct {
	Seq   float64 `json:"seq"`
	Quote string  `json:"quote"`
}

// object is a strict JSON-schema object: every property required, no others.
func object(props map[string]any, order ...string) map[string]any {
	return map[string]any{
		"type":                 "object",
		"properties":           props,
		"required":             order,
		"additionalProperties": false,
	}
}

// decisionFormat is the response_format of a decision: probe or not, and the
// gap, limited to the allowed ones (or "" when not probing).
func decisionFormat(allowed []agent.Gap) *goopenai.ChatCompletionResponseFormat {
	gaps := append([]string{""}, gapStrings(allowed)...)
	s := object(map[string]any{
		"probe":  map[string]any{"type": "boolean"},
		"gap":    map[string]any{"type": "string", "enum": gaps},
		"reason": map[string]any{"type": "string"},
	}, "probe", "gap", "reason")
	return format("decision", s)
}

// gradeSchema is the schema of a grade; it does not depend on the call.
var gradeSchema = object(map[string]any{
	"score": map[string]any{"type": "integer", "enum": []int{1, 2, 3, 4}},
	"evidence": map[string]any{"type": "array", "items": object(map[string]any{
		"seq":   map[string]any{"type": "integer"},
		"quote": map[string]any{"type": "string"},
	}, "seq", "quote")},
	"strengths": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	"concerns":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
	"star": object(map[string]any{
		"situation": map[string]any{"type": "boolean"},
		"task":      map[string]any{"type": "boolean"},
		"action":    map[string]any{"type": "boolean"},
		"result":    map[string]any{"type": "boolean"},
	}, "action", "result", "situation", "task"),
	"advice":    map[string]any{"type": "string"},
	"red_flags": map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": agent.RedFlagNames()}},
}, "score", "evidence", "strengths", "concerns", "star", "advice", "red_flags")

// gradeFormat is the response_format of a grade, encoded once.
var gradeFormat = format("grade", gradeSchema)

func format(name string, schema map[string]any) *goopenai.ChatCompletionResponseFormat {
	raw, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("openai: schema %s: %v", name, err)) // the schemas are static maps
	}
	return &goopenai.ChatCompletionResponseFormat{
		Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
		JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{
			Name:   name,
			Schema: json.RawMessage(raw),
			Strict: true,
		},
	}
}

// parseDecision reads a decision from a model's answer.
func parseDecision(text string) (agent.Decision, error) {
	var out decisionOut
	if err := decodeObject(text, &out); err != nil {
		return agent.Decision{}, err
	}
	if out.Probe == nil {
		return agent.Decision{}, badOutput("decision without \"probe\"", nil)
	}
	if !*out.Probe {
		return agent.Decision{Reason: out.Reason}, nil
	}
	return agent.Decision{Gap: agent.Gap(strings.TrimSpace(out.Gap)), Reason: out.Reason}, nil
}

// parseGrade reads a grade from a model's answer; the score must be a whole
// number from 1 to 4. Red flags are read as written, folded to the schema's
// spelling ("Keyword stuffing" is keyword_stuffing); a lenient model may
// leave them out. The agent drops names that are no red flag.
func parseGrade(text string) (agent.PrincipleGrade, error) {
	var out gradeOut
	if err := decodeObject(text, &out); err != nil {
		return agent.PrincipleGrade{}, err
	}
	if out.Score == nil {
		return agent.PrincipleGrade{}, badOutput("grade without \"score\"", nil)
	}
	s := *out.Score
	if s != math.Trunc(s) || s < 1 || s > 4 {
		return agent.PrincipleGrade{}, badOutput(fmt.Sprintf("score %v is not from 1 to 4", s), nil)
	}
	score := int(s)
	g := agent.PrincipleGrade{
		Score:     &score,
		Rating:    agent.RatingForScore(score),
		Evidence:  []agent.Evidence{},
		Strengths: nonNil(out.Strengths),
		Concerns:  nonNil(out.Concerns),
		STAR:      out.STAR,
		Advice:    out.Advice,
		RedFlags:  redFlags(out.RedFlags),
	}
	for _, e := range out.Evidence {
		g.Evidence = append(g.Evidence, agent.Evidence{Seq: int(e.Seq), Quote: e.Quote})
	}
	return g, nil
}

// redFlags folds each flag to lower case with underscores for spaces and
// hyphens, and leaves out empty ones.
func redFlags(in []string) []string {
	var out []string
	for _, f := range in {
		if f = flagFolder.Replace(strings.ToLower(strings.TrimSpace(f))); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var flagFolder = strings.NewReplacer(" ", "_", "-", "_")

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// decodeObject reads the first JSON object in text into v. A strict answer
// is the object itself; a lenient model may wrap it in ``` fences or put
// words around it, so each '{' is tried in turn.
func decodeObject(text string, v any) error {
	t := unfence(text)
	if t == "" {
		return badOutput("empty answer", nil)
	}
	var first error
	for i := 0; i < len(t); i++ {
		if t[i] != '{' {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(t[i:]))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if err := json.Unmarshal(raw, v); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return badOutput("answer does not fit the schema", err)
			}
			return badOutput("answer is not JSON", err)
		}
		return nil
	}
	if first == nil {
		first = errors.New("no object found")
	}
	return badOutput(fmt.Sprintf("answer is not JSON (%q)", clip(t, 80)), first)
}

// clip shortens s for a log line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// unfence removes a Markdown code fence around text, if any.
func unfence(text string) string {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "```") {
		return t
	}
	t = strings.TrimPrefix(t, "```")
	if nl := strings.IndexByte(t, '\n'); nl >= 0 {
		t = t[nl+1:] // drop the info string, e.g. "json"
	}
	if end := strings.LastIndex(t, "```"); end >= 0 {
		t = t[:end]
	}
	return strings.TrimSpace(t)
}
