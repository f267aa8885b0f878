// Package openaitest is an in-process OpenAI-compatible HTTP server for
// tests. It speaks the real wire format of the chat completions endpoint
// (JSON and server-sent-event streams, usage with cached tokens, error
// bodies, Retry-After) and of the embeddings endpoint, answers as a scripted
// interviewer by default, and can be told to fail in the ways real servers
// do: status codes, delays, cut-off or empty streams, garbage, dropped
// connections. It logs every request so that tests can check what was sent.
package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// Reply says how the server answers one request. The zero Reply answers
// successfully with empty content.
type Reply struct {
	// Status, when 400 or more, makes the request fail with an OpenAI error
	// body {"error":{"message","type","param","code"}}.
	Status  int
	Message string // the error message (a default per status when empty)
	Type    string // the error type (a default per status when empty)
	Code    string // the error code, e.g. "rate_limit_exceeded"
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string

	// Content is the assistant message. A stream sends Chunks instead when
	// set, else Content split after each space.
	Content string
	Chunks  []string
	// FinishReason defaults to "stop".
	FinishReason string
	// Usage overrides the token counts the server makes up.
	Usage *goopenai.Usage
	// Vectors overrides the vectors of an embeddings response.
	Vectors [][]float32

	// Delay comes before the first byte of the response, ChunkDelay before
	// each streamed chunk after the first content chunk.
	Delay      time.Duration
	ChunkDelay time.Duration
	// OnChunk, when set, may rewrite the i-th content chunk of a stream at
	// the moment it is written, after any ChunkDelay: a benchmark stamps
	// the time a chunk leaves this way.
	OnChunk func(i int, chunk string) string

	// Truncate ends a stream cleanly after the content, with no
	// finish_reason, usage or [DONE]; a JSON response is cut in the middle.
	Truncate bool
	// Empty streams no content at all (still a finish_reason and [DONE]).
	Empty bool
	// Garbage sends a body (or a stream chunk) that is not JSON.
	Garbage bool
	// Drop closes the connection without answering.
	Drop bool
}

// RespondFunc decides the reply to a chat completion request.
type RespondFunc func(req goopenai.ChatCompletionRequest) Reply

// EmbedFunc decides the reply to an embeddings request.
type EmbedFunc func(req EmbeddingRequest) Reply

// EmbeddingRequest is an embeddings request as received.
type EmbeddingRequest struct {
	Input          []string `json:"input"`
	Model          string   `json:"model"`
	Dimensions     int      `json:"dimensions"`
	EncodingFormat string   `json:"encoding_format"`
}

// Request is one logged request.
type Request struct {
	Path   string
	Header http.Header
	// Chat is set for chat completions, Embedding for embeddings.
	Chat      *goopenai.ChatCompletionRequest
	Embedding *EmbeddingRequest
}

// Server is the fake API. Its BaseURL is what a client should be given.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	respond  RespondFunc
	embed    EmbedFunc
	requests []Request
	systems  map[string]bool // system messages seen, to report cached tokens

	chats, embeds atomic.Int64
}

// NewServer starts a server answering chat requests with respond, or as the
// scripted interviewer (Scripted) when respond is nil. Close it when done.
func NewServer(respond RespondFunc) *Server {
	s := &Server{respond: respond, systems: map[string]bool{}}
	if s.respond == nil {
		s.respond = Scripted
	}
	mux := http.NewServeMux()
	for _, prefix := range []string{"/v1", ""} {
		mux.HandleFunc("POST "+prefix+"/chat/completions", s.handleChat)
		mux.HandleFunc("POST "+prefix+"/embeddings", s.handleEmbeddings)
	}
	s.Server = httptest.NewServer(mux)
	return s
}

// BaseURL is the API root to configure a client with: the server's URL and
// "/v1", as go-openai appends "/chat/completions" to it. The same endpoints
// are served without "/v1" too.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// SetRespond replaces the chat behaviour; nil restores Scripted.
func (s *Server) SetRespond(f RespondFunc) {
	if f == nil {
		f = Scripted
	}
	s.mu.Lock()
	s.respond = f
	s.mu.Unlock()
}

// SetEmbed replaces the embeddings behaviour; nil restores the default of
// deterministic vectors of the requested dimension (8 when not given).
func (s *Server) SetEmbed(f EmbedFunc) {
	s.mu.Lock()
	s.embed = f
	s.mu.Unlock()
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ChatRequests returns the chat completion requests received so far.
func (s *Server) ChatRequests() []goopenai.ChatCompletionRequest {
	var out []goopenai.ChatCompletionRequest
	for _, r := range s.Requests() {
		if r.Chat != nil {
			out = append(out, *r.Chat)
		}
	}
	return out
}

// EmbeddingRequests returns the embeddings requests received so far.
func (s *Server) EmbeddingRequests() []EmbeddingRequest {
	var out []EmbeddingRequest
	for _, r := range s.Requests() {
		if r.Embedding != nil {
			out = append(out, *r.Embedding)
		}
	}
	return out
}

// ChatCount is the number of chat completion requests received.
func (s *Server) ChatCount() int { return int(s.chats.Load()) }

// EmbedCount is the number of embeddings requests received.
func (s *Server) EmbedCount() int { return int(s.embeds.Load()) }

// FailFirst answers the first n requests with r and the others with next
// (Scripted when nil).
func FailFirst(n int, r Reply, next RespondFunc) RespondFunc {
	if next == nil {
		next = Scripted
	}
	var seen atomic.Int64
	return func(req goopenai.ChatCompletionRequest) Reply {
		if seen.Add(1) <= int64(n) {
			return r
		}
		return next(req)
	}
}

// failed plays the parts of rep that come before a successful body: the
// delay, a dropped connection, Retry-After and an error status. It reports
// whether the response is finished.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, rep Reply) bool {
	if !wait(r, rep.Delay) {
		return true
	}
	if rep.Drop {
		drop(w)
		return true
	}
	if rep.RetryAfter != "" {
		w.Header().Set("Retry-After", rep.RetryAfter)
	}
	if rep.Status >= 400 {
		writeError(w, rep)
		return true
	}
	return false
}

func (s *Server) log(r Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.mu.Unlock()
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	s.chats.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var req goopenai.ChatCompletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.log(Request{Path: r.URL.Path, Header: r.Header.Clone()})
		writeError(w, Reply{Status: http.StatusBadRequest, Message: "We could not parse the JSON body of your request: " + err.Error()})
		return
	}
	s.log(Request{Path: r.URL.Path, Header: r.Header.Clone(), Chat: &req})
	s.mu.Lock()
	respond := s.respond
	cached := s.cachedTokens(req)
	s.mu.Unlock()
	rep := respond(req)
	if s.failed(w, r, rep) {
		return
	}
	u := rep.Usage
	if u == nil {
		u = makeUsage(req, rep, cached)
	}
	if req.Stream {
		s.stream(w, r, req, rep, u)
		return
	}
	content := rep.Content
	if rep.Empty {
		content = ""
	}
	b := CompletionBody(testID, req.Model, content, finish(rep), u)
	if rep.Garbage {
		b = []byte(`{"id": "chatcmpl-test", "choices": [{"message": {"content": "oops`)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.Truncate {
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b[:len(b)/2])
		return // the server closes the connection: the body is short
	}
	w.Write(b)
}

// cachedTokens reports a cached prefix, as providers do, from the second
// request with the same system message on. The caller holds s.mu.
func (s *Server) cachedTokens(req goopenai.ChatCompletionRequest) int {
	if len(req.Messages) == 0 || req.Messages[0].Role != goopenai.ChatMessageRoleSystem {
		return 0
	}
	sys := req.Messages[0].Content
	if !s.systems[sys] {
		s.systems[sys] = true
		return 0
	}
	return len(sys) / 4
}

// testID is the id of every completion the server writes.
const testID = "chatcmpl-test"

// stream answers a streamed request with rep through a ChunkStream.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req goopenai.ChatCompletionRequest, rep Reply, u *goopenai.Usage) {
	cs := NewChunkStream(w, testID, req)
	// The role chunk and the first content chunk go out together, as a
	// model's first token does; ChunkDelay comes before each later chunk.
	sent := 0
	pace := func() bool {
		sent++
		return sent <= 2 || wait(r, rep.ChunkDelay)
	}
	if !pace() || !cs.Role() {
		return
	}
	chunks := rep.Chunks
	if rep.Empty {
		chunks = nil
	} else if chunks == nil {
		chunks = Words(rep.Content)
	}
	for i, c := range chunks {
		if rep.Garbage && i == len(chunks)/2 {
			cs.raw("data: {\"choices\": [{\"delta\": {\"content\": \"oops\n\n")
			return
		}
		if !pace() {
			return
		}
		if rep.OnChunk != nil && c != "" {
			c = rep.OnChunk(i, c)
		}
		if !cs.Content(c) {
			return
		}
	}
	if rep.Truncate {
		return // ends the body cleanly: no finish_reason, no [DONE]
	}
	if !pace() || !cs.Finish(finish(rep)) {
		return
	}
	if cs.IncludeUsage() && (!pace() || !cs.Usage(u)) {
		return
	}
	cs.Done()
}

func (s *Server) handleEmbeddings(w http.ResponseWriter, r *http.Request) {
	s.embeds.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var raw struct {
		Input          any    `json:"input"`
		Model          string `json:"model"`
		Dimensions     int    `json:"dimensions"`
		EncodingFormat string `json:"encoding_format"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		s.log(Request{Path: r.URL.Path, Header: r.Header.Clone()})
		writeError(w, Reply{Status: http.StatusBadRequest, Message: "We could not parse the JSON body of your request: " + err.Error()})
		return
	}
	req := EmbeddingRequest{Model: raw.Model, Dimensions: raw.Dimensions, EncodingFormat: raw.EncodingFormat}
	switch in := raw.Input.(type) {
	case string:
		req.Input = []string{in}
	case []any:
		for _, v := range in {
			t, _ := v.(string)
			req.Input = append(req.Input, t)
		}
	}
	s.log(Request{Path: r.URL.Path, Header: r.Header.Clone(), Embedding: &req})
	s.mu.Lock()
	f := s.embed
	s.mu.Unlock()
	var rep Reply
	if f != nil {
		rep = f(req)
	}
	if s.failed(w, r, rep) {
		return
	}
	vecs := rep.Vectors
	if vecs == nil {
		dim := req.Dimensions
		if dim <= 0 {
			dim = 8
		}
		for _, t := range req.Input {
			vecs = append(vecs, Vector(t, dim))
		}
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string         `json:"object"`
		Data   []item         `json:"data"`
		Model  string         `json:"model"`
		Usage  map[string]int `json:"usage"`
	}{Object: "list", Data: []item{}, Model: req.Model}
	tokens := 0
	for i, v := range vecs {
		resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: v})
	}
	for _, t := range req.Input {
		tokens += len(strings.Fields(t))
	}
	resp.Usage = map[string]int{"prompt_tokens": tokens, "total_tokens": tokens}
	w.Header().Set("Content-Type", "application/json")
	if rep.Garbage {
		io.WriteString(w, `{"object": "list", "data": [{"embedding": [0.1, `)
		return
	}
	json.NewEncoder(w).Encode(resp)
}

// Vector is the default embedding of text: deterministic, unit length.
func Vector(text string, dim int) []float32 {
	v := make([]float32, dim)
	var norm float64
	for i := range v {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d:%s", i, text)
		x := float64(h.Sum64()%2001)/1000 - 1
		v[i] = float32(x)
		norm += x * x
	}
	if norm > 0 {
		for i := range v {
			v[i] = float32(float64(v[i]) / math.Sqrt(norm))
		}
	}
	return v
}

// finish is the finish_reason of rep: "stop" unless it says otherwise.
func finish(rep Reply) string {
	if rep.FinishReason == "" {
		return "stop"
	}
	return rep.FinishReason
}

// makeUsage makes up token counts: four characters a token for the prompt,
// a token a word for the answer.
func makeUsage(req goopenai.ChatCompletionRequest, rep Reply, cached int) *goopenai.Usage {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)
	}
	content := rep.Content
	if rep.Chunks != nil {
		content = strings.Join(rep.Chunks, "")
	}
	return &goopenai.Usage{
		PromptTokens:        n / 4,
		CompletionTokens:    len(strings.Fields(content)),
		PromptTokensDetails: &goopenai.PromptTokensDetails{CachedTokens: cached},
	}
}

func writeError(w http.ResponseWriter, rep Reply) {
	msg, typ := rep.Message, rep.Type
	if msg == "" {
		msg = http.StatusText(rep.Status)
		switch rep.Status {
		case http.StatusTooManyRequests:
			msg = "Rate limit reached for requests. Please try again later."
		case http.StatusUnauthorized:
			msg = "Incorrect API key provided."
		}
	}
	if typ == "" {
		switch {
		case rep.Status == http.StatusTooManyRequests:
			typ = "requests"
		case rep.Status >= 500:
			typ = "server_error"
		default:
			typ = "invalid_request_error"
		}
	}
	var code any
	if rep.Code != "" {
		code = rep.Code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.Status)
	w.Write(b)
}

// wait sleeps for d unless the client goes away first.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// drop closes the connection without a response.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("openaitest: cannot hijack the connection")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}
