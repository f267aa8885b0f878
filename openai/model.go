// Package openai is the LLM interviewer: an agent.Model over any
// OpenAI-compatible chat completions API (OpenAI, Azure-style proxies, vLLM,
// Ollama, llama.cpp …), and a retrieval.Embedder over its embeddings API.
//
// Questions are streamed; decisions and grades are asked for as strict JSON
// schemas, falling back to plain JSON in the text for servers that reject
// response_format. Every call has a deadline and is retried on rate limits,
// server and connection errors and unusable output; when it still fails the
// error goes back to the agent, which falls back to its rules interviewer.
//
// The system message depends only on the principles, so it is built once and
// is the same for every call: providers that cache prompt prefixes reuse it.
// The candidate's words reach the model only inside user messages, quoted by
// the prompts package.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/prompts"
)

// Defaults for a zero Config field.
const (
	DefaultBaseURL = "https://api.openai.com/v1"
	DefaultTimeout = 60 * time.Second
	DefaultRetries = 2
)

// Config configures a Model or an Embedder.
type Config struct {
	// APIKey is sent as a bearer token; empty for local servers such as Ollama.
	APIKey string
	// BaseURL is the API root including its version, e.g.
	// "http://localhost:11434/v1"; go-openai appends "/chat/completions" and
	// "/embeddings" to it. Empty means OpenAI.
	BaseURL string
	// Model is the chat model.
	Model string
	// Timeout bounds each attempt of each call, streaming included
	// (DefaultTimeout when zero).
	Timeout time.Duration
	// Retries is how many times a failed call is tried again: 0 means
	// DefaultRetries, a negative number none.
	Retries int
	// EmbeddingModel and EmbeddingDim configure the Embedder.
	EmbeddingModel string
	EmbeddingDim   int
	// HTTPClient is used when set (it is copied, not modified).
	HTTPClient *http.Client
	// Logger receives failures and retries (slog.Default when nil).
	Logger *slog.Logger
}

// newCaller builds the client and the retry policy shared by Model and
// Embedder.
func newCaller(cfg Config) *caller {
	cc := goopenai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		cc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	cc.HTTPClient = wrapClient(cfg.HTTPClient)
	c := &caller{client: goopenai.NewClientWithConfig(cc), timeout: cfg.Timeout, retries: cfg.Retries, log: cfg.Logger}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c
}

// Model is the LLM interviewer. It is safe for concurrent use.
type Model struct {
	c      *caller
	model  string
	system string // the stable system message
	// schema records whether the server takes a strict JSON-schema
	// response_format: schemaUntested, schemaOK or schemaRejected.
	schema atomic.Int32
}

const (
	schemaUntested int32 = iota
	schemaOK
	schemaRejected
)

var _ agent.Model = (*Model)(nil)

// New returns the LLM interviewer for cfg.Model, with a system message built
// from the guides of principles.
func New(cfg Config, principles []agent.Principle) (*Model, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("openai: new: no model configured")
	}
	guides := make([]prompts.Guide, 0, len(principles))
	for _, p := range principles {
		guides = append(guides, prompts.Guide{ID: p.ID, Name: p.Name, Description: p.Description, Signals: p.StrongSignals, RedFlags: p.RedFlags})
	}
	return &Model{c: newCaller(cfg), model: cfg.Model, system: prompts.System(guides)}, nil
}

// Name is "llm:" followed by the model's name.
func (m *Model) Name() string { return "llm:" + m.model }

// Stats returns the counts of calls, failed calls and retries so far.
func (m *Model) Stats() Stats { return m.c.count.stats() }

// Decide asks whether to probe and which gap, as a strict JSON object whose
// gap is one of in.Allowed or "". The agent still checks the gap.
func (m *Model) Decide(ctx context.Context, in agent.DecideInput) (agent.Decision, agent.Usage, error) {
	d := prompts.DecideData{
		Context:   m.context(in.Principle, in.Role, in.Level, in.Turns),
		Facts:     facts(&in.Analysis),
		Missing:   gapStrings(in.Missing),
		Allowed:   gapStrings(in.Allowed),
		FollowUps: in.FollowUps,
		MaxFollow: agent.MaxFollowUps,
	}
	var dec agent.Decision
	u, err := m.structured(ctx, "decide", prompts.Decide(d), decisionFormat(in.Allowed), func(text string) error {
		var err error
		dec, err = parseDecision(text)
		return err
	})
	if err != nil {
		return agent.Decision{}, u, fmt.Errorf("openai: decide: %w", err)
	}
	return dec, u, nil
}

// Grade asks for the grade of one principle as a strict JSON object, red
// flags included. The evidence and the flags are returned as the model gave
// them: the agent checks each quote against the transcript, drops unknown
// flags and applies its hard checks.
func (m *Model) Grade(ctx context.Context, in agent.GradeInput) (agent.PrincipleGrade, agent.Usage, error) {
	d := prompts.GradeData{Context: m.context(in.Principle, in.Role, in.Level, in.Turns), Facts: facts(&in.Analysis)}
	var g agent.PrincipleGrade
	u, err := m.structured(ctx, "grade", prompts.Grade(d), gradeFormat, func(text string) error {
		var err error
		g, err = parseGrade(text)
		return err
	})
	if err != nil {
		return agent.PrincipleGrade{}, u, fmt.Errorf("openai: grade: %w", err)
	}
	g.Principle, g.Name, g.GradedBy = in.Principle.ID, in.Principle.Name, m.Name()
	return g, u, nil
}

// structured runs a non-streaming call asking for rf and hands the answer's
// text to parse; a parse error fails the attempt, which is then retried. A
// server that refuses response_format is asked again at once without it, and
// from then on never with it. The usage of every attempt is summed.
func (m *Model) structured(ctx context.Context, op, user string, rf *goopenai.ChatCompletionResponseFormat,
	parse func(text string) error) (agent.Usage, error) {
	var total agent.Usage
	err := m.c.do(ctx, op, func(ctx context.Context) error {
		req := goopenai.ChatCompletionRequest{Model: m.model, Messages: m.messages(user)}
		state := m.schema.Load()
		if state != schemaRejected {
			req.ResponseFormat = rf
		}
		resp, err := m.c.client.CreateChatCompletion(ctx, req)
		if err != nil && req.ResponseFormat != nil && rejectsSchema(err, state == schemaUntested) {
			m.c.log.Warn("openai server rejected the JSON-schema response_format; asking without it",
				"op", op, "model", m.model, "err", err)
			req.ResponseFormat = nil
			first := err
			resp, err = m.c.client.CreateChatCompletion(ctx, req)
			if err == nil || mentionsSchema(first) {
				m.schema.Store(schemaRejected)
			}
		} else if err == nil && req.ResponseFormat != nil {
			m.schema.CompareAndSwap(schemaUntested, schemaOK)
		}
		if err != nil {
			return err
		}
		total = total.Add(usage(&resp.Usage))
		if len(resp.Choices) == 0 {
			return badOutput("no choices in the response", nil)
		}
		msg := resp.Choices[0].Message
		if msg.Refusal != "" {
			return badOutput(fmt.Sprintf("model refused: %q", clip(msg.Refusal, 80)), nil)
		}
		return parse(msg.Content)
	})
	return total, err
}

// messages returns the stable system message followed by user.
func (m *Model) messages(user string) []goopenai.ChatCompletionMessage {
	return []goopenai.ChatCompletionMessage{
		{Role: goopenai.ChatMessageRoleSystem, Content: m.system},
		{Role: goopenai.ChatMessageRoleUser, Content: user},
	}
}

// context is what every task prompt says about the interview at hand.
func (m *Model) context(p agent.Principle, role agent.Role, level agent.Level, turns []agent.Turn) prompts.Context {
	c := prompts.Context{
		PrincipleID:   p.ID,
		PrincipleName: p.Name,
		Role:          string(role),
		Level:         string(level),
		Expectation:   expectation(p.Expectation(role, level)),
	}
	for _, t := range turns {
		c.Turns = append(c.Turns, prompts.Turn{Seq: t.Seq, Speaker: string(t.Speaker), Text: t.Text})
	}
	return c
}

// facts is the analysis as the decide and grade prompts show it: JSON, or
// "" (shown as {}) if it cannot be encoded.
func facts(a *agent.Analysis) string {
	b, err := json.Marshal(a)
	if err != nil {
		return ""
	}
	return string(b)
}

// expectation joins the bar's scope, team and impact into a few sentences.
func expectation(e agent.LevelExpectation) string {
	var parts []string
	for _, s := range []string{e.Scope, e.Team, e.Impact} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

func gapStrings(gs []agent.Gap) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = string(g)
	}
	return out
}

// usage converts the API's token counts.
func usage(u *goopenai.Usage) agent.Usage {
	if u == nil {
		return agent.Usage{}
	}
	out := agent.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
	if u.PromptTokensDetails != nil {
		out.CachedPromptTokens = u.PromptTokensDetails.CachedTokens
	}
	return out
}
