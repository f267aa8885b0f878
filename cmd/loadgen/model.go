package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/barraiser/barraiser/openai/openaitest"
	goopenai "github.com/sashabaranov/go-openai"
)

// simModelName is the model name the simulated model is meant to be asked
// for; it answers to any name.
const simModelName = "loadgen-sim"

// simModel is an OpenAI-compatible chat completions server that answers
// like openaitest.Scripted (so the server accepts its questions, decisions
// and grades) at the pace of a real model: nothing for TTFT, then one
// token (one word here) every 1/TokensPerSec. Unlike openaitest.Server it
// keeps no log of requests, so it can run for long. It also serves
// embeddings, for a server started with EMBEDDING_MODEL.
type simModel struct {
	ttft     time.Duration
	perToken time.Duration
	log      *slog.Logger

	ln  net.Listener
	srv *http.Server

	chats, streams, embeds, failures atomic.Int64
}

// startSimModel listens on addr and serves the simulated model until
// Close.
func startSimModel(addr string, ttft time.Duration, tokensPerSec float64, log *slog.Logger) (*simModel, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulated model: %w", err)
	}
	m := &simModel{ttft: ttft, perToken: time.Duration(float64(time.Second) / tokensPerSec), log: log, ln: ln}
	mux := http.NewServeMux()
	for _, prefix := range []string{"/v1", ""} {
		mux.HandleFunc("POST "+prefix+"/chat/completions", m.handleChat)
		mux.HandleFunc("POST "+prefix+"/embeddings", m.handleEmbeddings)
	}
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("simulated model stopped", "err", err)
		}
	}()
	return m, nil
}

// BaseURL is what the server's OPENAI_BASE_URL should be.
func (m *simModel) BaseURL() string { return "http://" + m.ln.Addr().String() + "/v1" }

// Env returns the environment a server needs to use this model.
func (m *simModel) Env() []string {
	return []string{"OPENAI_BASE_URL=" + m.BaseURL(), "OPENAI_API_KEY=loadgen", "LLM_MODEL=" + simModelName}
}

// Close stops serving at once.
func (m *simModel) Close() error { return m.srv.Close() }

// simID is the id of every completion the simulated model writes.
const simID = "chatcmpl-loadgen"

// handleChat answers a chat completion request as openaitest.Scripted
// would, after TTFT and then a token every perToken.
func (m *simModel) handleChat(w http.ResponseWriter, r *http.Request) {
	m.chats.Add(1)
	var req goopenai.ChatCompletionRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&req); err != nil {
		m.failures.Add(1)
		simError(w, http.StatusBadRequest, "the body is not a chat completion request: "+err.Error())
		return
	}
	content := openaitest.Scripted(req).Content
	tokens := openaitest.Words(content)
	promptChars := 0
	for _, msg := range req.Messages {
		promptChars += len(msg.Content)
	}
	usage := &goopenai.Usage{PromptTokens: promptChars / 4, CompletionTokens: len(tokens)}
	if !req.Stream {
		// The whole answer is written before the first byte goes out.
		if !sleep(r.Context(), m.ttft+time.Duration(max(len(tokens)-1, 0))*m.perToken) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(openaitest.CompletionBody(simID, req.Model, content, "stop", usage))
		return
	}
	m.streams.Add(1)
	if !sleep(r.Context(), m.ttft) {
		return
	}
	cs := openaitest.NewChunkStream(w, simID, req)
	if !cs.Role() {
		return
	}
	for i, t := range tokens {
		if i > 0 && !sleep(r.Context(), m.perToken) {
			return
		}
		if !cs.Content(t) {
			return
		}
	}
	if cs.Finish("stop") && cs.Usage(usage) {
		cs.Done()
	}
}

func (m *simModel) handleEmbeddings(w http.ResponseWriter, r *http.Request) {
	m.embeds.Add(1)
	var req struct {
		Input      any `json:"input"`
		Dimensions int `json:"dimensions"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&req); err != nil {
		m.failures.Add(1)
		simError(w, http.StatusBadRequest, "the body is not an embeddings request: "+err.Error())
		return
	}
	var inputs []string
	switch in := req.Input.(type) {
	case string:
		inputs = []string{in}
	case []any:
		for _, v := range in {
			s, _ := v.(string)
			inputs = append(inputs, s)
		}
	}
	dim := req.Dimensions
	if dim <= 0 {
		dim = 8
	}
	if !sleep(r.Context(), m.ttft) {
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, 0, len(inputs))
	words := 0
	for i, s := range inputs {
		data = append(data, item{Object: "embedding", Index: i, Embedding: openaitest.Vector(s, dim)})
		words += len(strings.Fields(s))
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": simModelName,
		"usage": map[string]int{"prompt_tokens": words, "total_tokens": words}})
}

// simError writes an error body of the OpenAI shape.
func simError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}})
}

// sleep waits d, or less if ctx ends first; it reports whether the whole
// wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
