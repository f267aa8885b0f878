package openaitest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"
)

// Scripted is the default behaviour: a predictable interviewer.
//
//   - A decide prompt gets {"probe": true, "gap": <the first allowed gap>}
//     (taken from the schema's enum, or from the prompt's list when no
//     schema was sent), or {"probe": false, "gap": ""} when none is allowed.
//   - A grade prompt gets score 3 with one piece of evidence: the first 60
//     characters of the first candidate answer in the prompt, with its seq;
//     and no red flags.
//   - Any other prompt is asked a question, streamed word by word: the
//     reference wording or the bank's question quoted in the prompt.
//
// Content is fenced in ``` when the request has no response_format, as
// lenient models often do.
func Scripted(req goopenai.ChatCompletionRequest) Reply {
	user := LastUser(req)
	switch {
	case strings.Contains(user, "Task: decide"):
		gap := ""
		if allowed := allowedGaps(req); len(allowed) > 0 {
			gap = allowed[0]
		}
		b, _ := json.Marshal(map[string]any{"probe": gap != "", "gap": gap, "reason": "scripted"})
		return Reply{Content: structured(req, string(b))}
	case strings.Contains(user, "Task: grade"):
		ev := []map[string]any{}
		if seq, text, ok := FirstAnswer(user); ok {
			ev = append(ev, map[string]any{"seq": seq, "quote": prefix(text, 60)})
		}
		b, _ := json.Marshal(map[string]any{
			"score":     3,
			"evidence":  ev,
			"strengths": []string{"Tells a specific story."},
			"concerns":  []string{"The result is not measured."},
			"star":      map[string]bool{"situation": true, "task": true, "action": true, "result": false},
			"advice":    "Quantify the outcome.",
			"red_flags": []string{},
		})
		return Reply{Content: structured(req, string(b))}
	default:
		q := quoted(user, "A reference wording is: ")
		if q == "" {
			q = quoted(user, "The question bank suggests: ")
		}
		if q == "" {
			q = "Tell me about a time you went beyond what your role asked of you."
		}
		return Reply{Content: q}
	}
}

func structured(req goopenai.ChatCompletionRequest, body string) string {
	if req.ResponseFormat != nil {
		return body
	}
	return "```json\n" + body + "\n```"
}

// LastUser returns the content of the request's last user message.
func LastUser(req goopenai.ChatCompletionRequest) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == goopenai.ChatMessageRoleUser {
			return req.Messages[i].Content
		}
	}
	return ""
}

// System returns the content of the request's system message, if any.
func System(req goopenai.ChatCompletionRequest) string {
	for _, m := range req.Messages {
		if m.Role == goopenai.ChatMessageRoleSystem {
			return m.Content
		}
	}
	return ""
}

// allowedGaps returns the non-empty gaps a decide request allows: the enum
// of the "gap" property of its JSON schema, or the prompt's list of gaps to
// choose from when it has no schema.
func allowedGaps(req goopenai.ChatCompletionRequest) []string {
	var out []string
	if rf := req.ResponseFormat; rf != nil && rf.JSONSchema != nil && rf.JSONSchema.Schema != nil {
		raw, err := rf.JSONSchema.Schema.MarshalJSON()
		if err == nil {
			var s struct {
				Properties struct {
					Gap struct {
						Enum []string `json:"enum"`
					} `json:"gap"`
				} `json:"properties"`
			}
			if json.Unmarshal(raw, &s) == nil {
				for _, g := range s.Properties.Gap.Enum {
					if g != "" {
						out = append(out, g)
					}
				}
				return out
			}
		}
	}
	const lead = "Gaps you may choose from (not yet probed): "
	user := LastUser(req)
	i := strings.Index(user, lead)
	if i < 0 {
		return nil
	}
	line := user[i+len(lead):]
	if nl := strings.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	for _, g := range strings.Split(line, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

var answerRE = regexp.MustCompile(`(?s)<candidate_answer seq="(\d+)">\n(.*?)\n</candidate_answer>`)

// FirstAnswer returns the seq and text of the first candidate answer block
// in a prompt.
func FirstAnswer(prompt string) (int, string, bool) {
	m := answerRE.FindStringSubmatch(prompt)
	if m == nil {
		return 0, "", false
	}
	seq, _ := strconv.Atoi(m[1])
	return seq, m[2], true
}

// quoted returns the text in double quotes after lead in s.
func quoted(s, lead string) string {
	i := strings.Index(s, lead+`"`)
	if i < 0 {
		return ""
	}
	rest := s[i+len(lead)+1:]
	j := strings.Index(rest, "\"\n")
	if j < 0 {
		j = strings.LastIndex(rest, `"`)
	}
	if j < 0 {
		return ""
	}
	return rest[:j]
}

// prefix returns the first n characters of s.
func prefix(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
