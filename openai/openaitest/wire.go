package openaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// CompletionBody is the JSON body of a chat completion that is not
// streamed: one assistant choice with content, ending for finishReason,
// and the token counts u.
func CompletionBody(id, model, content, finishReason string, u *goopenai.Usage) []byte {
	b, _ := json.Marshal(completion{
		ID: id, Object: "chat.completion", Created: time.Now().Unix(), Model: model,
		Choices: []choice{{Message: &message{Role: "assistant", Content: content}, FinishReason: &finishReason}},
		Usage:   wireUsage(u),
	})
	return b
}

// ChunkStream writes the answer to a streamed chat completion request as
// the server-sent events a real server sends: the assistant role, the
// content chunks, the finish reason, the usage when the request asked for
// it, then [DONE]. Each chunk is flushed as soon as it is written; the
// pace between chunks is up to the caller. Every method that writes
// reports whether the write went through, so that the caller can stop once
// the client has gone.
type ChunkStream struct {
	w            io.Writer
	fl           http.Flusher
	id, model    string
	includeUsage bool
}

// NewChunkStream sends the status and headers of an event stream on w and
// returns the stream that answers req; every chunk carries id.
func NewChunkStream(w http.ResponseWriter, id string, req goopenai.ChatCompletionRequest) *ChunkStream {
	fl, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &ChunkStream{w: w, fl: fl, id: id, model: req.Model,
		includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage}
}

// IncludeUsage reports whether the request asked for a usage chunk.
func (s *ChunkStream) IncludeUsage() bool { return s.includeUsage }

// Role sends the first chunk, which names the assistant role.
func (s *ChunkStream) Role() bool {
	return s.send(completion{Choices: []choice{{Delta: &message{Role: "assistant"}}}})
}

// Content sends one chunk of the answer's text.
func (s *ChunkStream) Content(text string) bool {
	return s.send(completion{Choices: []choice{{Delta: &message{Content: text}}}})
}

// Finish sends the chunk that ends the choice for reason ("stop",
// "length", …).
func (s *ChunkStream) Finish(reason string) bool {
	return s.send(completion{Choices: []choice{{Delta: &message{}, FinishReason: &reason}}})
}

// Usage sends the token counts u as a chunk with no choices, when the
// request asked for them; otherwise it sends nothing and reports true.
func (s *ChunkStream) Usage(u *goopenai.Usage) bool {
	if !s.includeUsage {
		return true
	}
	return s.send(completion{Choices: []choice{}, Usage: wireUsage(u)})
}

// Done sends the [DONE] event that closes the stream.
func (s *ChunkStream) Done() bool {
	return s.raw("data: [DONE]\n\n")
}

// send stamps c as a chunk of this stream and writes it as one event.
// While the request asked for usage, every chunk before the last carries
// "usage": null, as real servers write it.
func (s *ChunkStream) send(c completion) bool {
	c.ID, c.Object, c.Created, c.Model = s.id, "chat.completion.chunk", time.Now().Unix(), s.model
	if s.includeUsage && c.Usage == nil {
		c.Usage = json.RawMessage("null")
	}
	b, _ := json.Marshal(c)
	return s.raw(fmt.Sprintf("data: %s\n\n", b))
}

// raw writes text to the stream as it is and flushes it.
func (s *ChunkStream) raw(text string) bool {
	if _, err := io.WriteString(s.w, text); err != nil {
		return false
	}
	if s.fl != nil {
		s.fl.Flush()
	}
	return true
}

// Words splits s after each space, so that the pieces join back into s:
// the chunks, a word each, in which the servers here stream an answer.
func Words(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// The wire format, kept apart from go-openai's types so that the servers
// write what real servers write (finish_reason null, usage null, …)
// rather than what the client library happens to marshal.
type completion struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []choice        `json:"choices"`
	Usage   json.RawMessage `json:"usage,omitempty"`
}

// choice is one entry of a completion's choices: Message in a whole
// answer, Delta in a chunk.
type choice struct {
	Index        int       `json:"index"`
	Message      *message  `json:"message,omitempty"`
	Delta        *message  `json:"delta,omitempty"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

// message is an assistant message or the part of it a chunk adds.
type message struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content"`
}

// wireUsage is u as a server writes it, with the detail fields real
// servers add; total_tokens is the sum of the two counts.
func wireUsage(u *goopenai.Usage) json.RawMessage {
	cached := 0
	if u.PromptTokensDetails != nil {
		cached = u.PromptTokensDetails.CachedTokens
	}
	b, _ := json.Marshal(map[string]any{
		"prompt_tokens":             u.PromptTokens,
		"completion_tokens":         u.CompletionTokens,
		"total_tokens":              u.PromptTokens + u.CompletionTokens,
		"prompt_tokens_details":     map[string]int{"cached_tokens": cached, "audio_tokens": 0},
		"completion_tokens_details": map[string]int{"reasoning_tokens": 0, "audio_tokens": 0},
	})
	return b
}
