package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/prompts"
)

// Ask words the next question, streaming it: emit receives each content
// delta as soon as it arrives. The returned usage comes from the stream's
// final usage chunk (summed over attempts when a call is retried).
//
// go-openai's Recv reports io.EOF both for a proper "data: [DONE]" and for a
// body that simply ends, so a stream counts as complete only when a choice
// carried a finish_reason; one that ends without it, or with no content, is
// a failed attempt and is retried.
func (m *Model) Ask(ctx context.Context, in agent.AskInput, emit func(delta string)) (string, agent.Usage, error) {
	d := prompts.AskData{
		Context:    m.context(in.Principle, in.Role, in.Level, in.Turns),
		Question:   in.Question.Text,
		Transition: in.Transition,
	}
	var user string
	if in.Probe == nil {
		user = prompts.AskOpening(d)
	} else {
		d.Gap, d.Probe = string(in.Probe.Gap), in.Probe.Text
		user = prompts.AskFollowUp(d)
	}
	req := goopenai.ChatCompletionRequest{
		Model:         m.model,
		Messages:      m.messages(user),
		Stream:        true,
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
	}
	r := &relay{emit: emit}
	var total agent.Usage
	var text string
	err := m.c.do(ctx, "ask", func(ctx context.Context) error {
		t, u, err := m.stream(ctx, req, r)
		total = total.Add(u)
		text = t
		return err
	})
	if err != nil {
		return "", total, fmt.Errorf("openai: ask: %w", err)
	}
	return strings.TrimSpace(text), total, nil
}

// stream runs one streaming attempt, relaying each delta as it arrives.
func (m *Model) stream(ctx context.Context, req goopenai.ChatCompletionRequest, r *relay) (string, agent.Usage, error) {
	var u agent.Usage
	s, err := m.c.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", u, err
	}
	defer s.Close()
	r.begin()
	var text strings.Builder
	finished := ""
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return text.String(), u, badOutput("stream broke off", err)
		}
		if chunk.Usage != nil {
			u = usage(chunk.Usage)
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue
			}
			if c.Delta.Content != "" {
				text.WriteString(c.Delta.Content)
				r.delta(c.Delta.Content)
			}
			if c.FinishReason != "" && c.FinishReason != goopenai.FinishReasonNull {
				finished = string(c.FinishReason)
			}
		}
	}
	switch {
	case finished == "":
		return text.String(), u, badOutput(fmt.Sprintf("truncated stream: ended without a finish_reason after %d bytes", text.Len()), nil)
	case strings.TrimSpace(text.String()) == "":
		return "", u, badOutput("empty stream: finish_reason "+finished+" and no content", nil)
	case finished == string(goopenai.FinishReasonContentFilter):
		return "", u, badOutput("stream stopped by the content filter", nil)
	case finished == string(goopenai.FinishReasonLength):
		m.c.log.Warn("openai question cut at the token limit", "model", m.model, "bytes", text.Len())
	}
	return text.String(), u, nil
}

// relay passes deltas to emit. The first attempt's deltas go straight
// through; a retried attempt re-sends what was already shown, so its text is
// held back until it gets past what emit has seen, and only the new part is
// sent. A retry that words the question differently sends nothing more: the
// caller gets the whole text as Ask's result anyway.
type relay struct {
	emit     func(string)
	sent     strings.Builder // everything emitted so far, over all attempts
	pos      int             // how much of sent this attempt has repeated
	diverged bool
}

func (r *relay) begin() {
	r.pos, r.diverged = 0, false
}

func (r *relay) delta(d string) {
	if r.emit == nil || r.diverged {
		return
	}
	// The part of d that a retry repeats must match what was sent; the
	// rest is new. On a first attempt nothing is repeated.
	sent := r.sent.String()
	n := min(len(d), len(sent)-r.pos)
	if d[:n] != sent[r.pos:r.pos+n] {
		r.diverged = true
		return
	}
	r.pos += n
	if rest := d[n:]; rest != "" {
		r.sent.WriteString(rest)
		r.pos += len(rest)
		r.emit(rest)
	}
}
