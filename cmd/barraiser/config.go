package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/web"
)

// Config is everything the server is configured with, from flags and the
// environment; a flag wins over its environment variable.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	// Origins lists extra hosts allowed to open WebSockets (ALLOWED_ORIGINS,
	// comma-separated host patterns such as "app.example.com").
	Origins  []string
	LogLevel string
	// LogFormat is "text" or "json" (LOG_FORMAT).
	LogFormat string
	// AdminAddr, when set, is where /metrics and pprof are served, apart
	// from the public address (ADMIN_ADDR).
	AdminAddr string
	// RateLimit and RateBurst limit each owner's API requests in this
	// process (RATE_LIMIT a minute, RATE_BURST at once); CORSOrigins lists
	// the origins whose pages may call the API with a key (API_CORS_ORIGINS).
	RateLimit   int
	RateBurst   int
	CORSOrigins []string
	// MaxOpenInterviews caps each owner's interviews in progress at once,
	// not counting those idle for a day (MAX_OPEN_INTERVIEWS).
	MaxOpenInterviews int
	// IdleTimeout closes a WebSocket that sent no frame for that long
	// (IDLE_TIMEOUT); zero never does.
	IdleTimeout time.Duration
	// WSPerIP caps the WebSockets open at once from one client address
	// (WS_PER_IP); zero means no cap.
	WSPerIP int
	// WSFrameRate is how many frames a WebSocket client may send each
	// 10 seconds, in a burst or spread out (WS_FRAME_RATE); zero means no
	// limit.
	WSFrameRate int
	// TrustProxy takes the client's address from X-Forwarded-For and its
	// scheme from X-Forwarded-Proto, as a reverse proxy in front sets them
	// (TRUST_PROXY); without it both headers are ignored.
	TrustProxy bool
	// MaxMessageBytes caps one WebSocket message and the body of POST
	// …/next (MAX_MESSAGE_BYTES); MaxAnswerChars caps an answer, in
	// characters (MAX_ANSWER_CHARS). checkSizeLimits makes sure an answer
	// of the maximum length fits in a message.
	MaxMessageBytes int64
	MaxAnswerChars  int
	// MaxBodyBytes caps the body of every HTTP request but POST …/next
	// (MAX_BODY_BYTES).
	MaxBodyBytes int64

	OpenAIKey      string
	OpenAIBaseURL  string
	LLMModel       string
	LLMTimeout     time.Duration
	LLMRetries     int
	TokenBudget    int
	EmbeddingModel string
	EmbeddingDim   int

	// WebhookPoll and WebhookBackoff tune the webhook worker: how often it
	// looks for due deliveries and the first retry delay. They are not
	// flags; zero takes the worker's defaults, and tests shorten them.
	WebhookPoll    time.Duration
	WebhookBackoff time.Duration
	// NextWait is how long an HTTP turn waits for a debrief being graded;
	// zero means 30 seconds. Not a flag: tests shorten it.
	NextWait time.Duration
	// ShutdownTimeout is how long the server may take to stop on SIGTERM:
	// sessions in the middle of a turn finish within it, then the rest is
	// cut (SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
}

// LLMEnabled reports whether an OpenAI-compatible model is configured.
func (c Config) LLMEnabled() bool { return c.OpenAIKey != "" || c.OpenAIBaseURL != "" }

// parseConfig reads flags from args over defaults taken from getenv.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet("barraiser serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "address to listen on (ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "./data"), "directory of the embedded store (DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL; empty uses the embedded store (DATABASE_URL)")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "text or json (LOG_FORMAT)")
	fs.StringVar(&c.AdminAddr, "admin-addr", env("ADMIN_ADDR", ""), "address serving /metrics and /debug/pprof/; empty serves neither; keep it private (ADMIN_ADDR)")
	origins := fs.String("allowed-origins", env("ALLOWED_ORIGINS", ""), "extra hosts allowed to open WebSockets, comma-separated (ALLOWED_ORIGINS)")
	rate := fs.String("rate-limit", env("RATE_LIMIT", "120"), "API requests an owner may make a minute, counted per server process; 0 for no limit (RATE_LIMIT)")
	burst := fs.String("rate-burst", env("RATE_BURST", "40"), "API requests an owner may make at once (RATE_BURST)")
	open := fs.String("max-open-interviews", env("MAX_OPEN_INTERVIEWS", "10"), "interviews an owner may have in progress at once, not counting those idle for 24 h; 0 for no limit (MAX_OPEN_INTERVIEWS)")
	cors := fs.String("api-cors-origins", env("API_CORS_ORIGINS", ""), "origins whose pages may call the API with a key, comma-separated, e.g. https://app.example.com (API_CORS_ORIGINS)")
	idle := fs.String("idle-timeout", env("IDLE_TIMEOUT", "30m"), "close a WebSocket whose client sent nothing for this long; 0 never does (IDLE_TIMEOUT)")
	perIP := fs.String("ws-per-ip", env("WS_PER_IP", "1000"), "WebSockets one client address may hold open at once; 0 for no cap (WS_PER_IP)")
	frameRate := fs.String("ws-frame-rate", env("WS_FRAME_RATE", "20"), "frames a WebSocket client may send every 10 s; 0 for no limit (WS_FRAME_RATE)")
	msgBytes := fs.String("max-message-bytes", env("MAX_MESSAGE_BYTES", strconv.Itoa(defaultMaxMessageBytes)), "largest WebSocket message, and POST …/next body, a client may send, in bytes; must fit an answer of MAX_ANSWER_CHARS (MAX_MESSAGE_BYTES)")
	answerChars := fs.String("max-answer-chars", env("MAX_ANSWER_CHARS", strconv.Itoa(defaultMaxAnswerChars)), "longest answer, in characters, on the WebSocket and on POST …/next (MAX_ANSWER_CHARS)")
	bodyBytes := fs.String("max-body-bytes", env("MAX_BODY_BYTES", strconv.Itoa(web.DefaultMaxBodyBytes)), "largest HTTP request body a client may send, in bytes, on every route but POST …/next; at least 4096 (MAX_BODY_BYTES)")
	trust := fs.String("trust-proxy", env("TRUST_PROXY", "false"), "take the client address and scheme from X-Forwarded-For and X-Forwarded-Proto; set only behind a reverse proxy (TRUST_PROXY)")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", env("OPENAI_BASE_URL", ""), "OpenAI-compatible API base URL (OPENAI_BASE_URL)")
	fs.StringVar(&c.LLMModel, "llm-model", env("LLM_MODEL", "gpt-4o-mini"), "chat model name (LLM_MODEL)")
	shutdown := fs.String("shutdown-timeout", env("SHUTDOWN_TIMEOUT", "10s"), "how long stopping may take: turns in flight finish, then WebSockets close with 1012 (SHUTDOWN_TIMEOUT)")
	timeout := fs.String("llm-timeout", env("LLM_TIMEOUT", "30s"), "deadline for each LLM call (LLM_TIMEOUT)")
	retries := fs.String("llm-retries", env("LLM_RETRIES", "2"), "retries of a failed LLM call (LLM_RETRIES)")
	budget := fs.String("llm-token-budget", env("LLM_TOKEN_BUDGET", "500000"), "model tokens (cached prompt tokens free) one interview may spend before the rules take over; 0 for no cap (LLM_TOKEN_BUDGET)")
	fs.StringVar(&c.EmbeddingModel, "embedding-model", env("EMBEDDING_MODEL", ""), "embedding model of the OpenAI-compatible API; empty uses the local embedder (EMBEDDING_MODEL)")
	dim := fs.String("embedding-dim", env("EMBEDDING_DIM", "1536"), "dimensions of EMBEDDING_MODEL's vectors, at most 2000 (EMBEDDING_DIM)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.OpenAIKey = getenv("OPENAI_API_KEY") // never a flag: flags show up in ps
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return Config{}, fmt.Errorf("invalid -log-format %q: want text or json", c.LogFormat)
	}
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.Origins = append(c.Origins, o)
		}
	}
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
				return Config{}, fmt.Errorf("invalid -api-cors-origins entry %q: want scheme://host[:port]", o)
			}
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	d, err := time.ParseDuration(*timeout)
	if err != nil || d <= 0 {
		return Config{}, fmt.Errorf("invalid -llm-timeout %q", *timeout)
	}
	c.LLMTimeout = d
	if d, err = time.ParseDuration(*shutdown); err != nil || d <= 0 {
		return Config{}, fmt.Errorf("invalid -shutdown-timeout %q", *shutdown)
	}
	c.ShutdownTimeout = d
	if c.IdleTimeout, err = time.ParseDuration(*idle); err != nil || c.IdleTimeout < 0 {
		return Config{}, fmt.Errorf("invalid -idle-timeout %q", *idle)
	}
	if c.TrustProxy, err = strconv.ParseBool(*trust); err != nil {
		return Config{}, fmt.Errorf("invalid -trust-proxy %q: want true or false", *trust)
	}
	for _, n := range []struct {
		name string
		s    string
		dst  *int
		min  int
	}{{"-rate-limit", *rate, &c.RateLimit, 0}, {"-rate-burst", *burst, &c.RateBurst, 1}, {"-max-open-interviews", *open, &c.MaxOpenInterviews, 0}, {"-llm-retries", *retries, &c.LLMRetries, 0}, {"-llm-token-budget", *budget, &c.TokenBudget, 0}, {"-embedding-dim", *dim, &c.EmbeddingDim, 1}, {"-ws-per-ip", *perIP, &c.WSPerIP, 0}, {"-ws-frame-rate", *frameRate, &c.WSFrameRate, 0}} {
		v, err := strconv.Atoi(n.s)
		if err != nil || v < n.min {
			return Config{}, fmt.Errorf("invalid %s %q", n.name, n.s)
		}
		*n.dst = v
	}
	if c.MaxMessageBytes, err = strconv.ParseInt(*msgBytes, 10, 64); err != nil || c.MaxMessageBytes < 1 {
		return Config{}, fmt.Errorf("invalid -max-message-bytes (MAX_MESSAGE_BYTES) %q: want a positive number of bytes", *msgBytes)
	}
	if c.MaxAnswerChars, err = strconv.Atoi(*answerChars); err != nil || c.MaxAnswerChars < 1 {
		return Config{}, fmt.Errorf("invalid -max-answer-chars (MAX_ANSWER_CHARS) %q: want a positive number of characters", *answerChars)
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(*bodyBytes, 10, 64); err != nil || c.MaxBodyBytes < minBodyBytes {
		return Config{}, fmt.Errorf("invalid -max-body-bytes (MAX_BODY_BYTES) %q: want a number of bytes, at least %d", *bodyBytes, minBodyBytes)
	}
	if err := checkSizeLimits(c.MaxMessageBytes, c.MaxAnswerChars); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Defaults of the size settings: web.MaxFrameBytes and
// agent.MaxAnswerRunes.
const (
	defaultMaxMessageBytes = web.MaxFrameBytes
	defaultMaxAnswerChars  = agent.MaxAnswerRunes
)

// minBodyBytes is the lowest MAX_BODY_BYTES allowed: below it even a
// request to start an interview with a short focus could be refused.
const minBodyBytes = 4 << 10

// Room a message needs besides the text of an answer: up to four bytes of
// UTF-8 for each character, and frameEnvelope bytes for the frame's type,
// its client_id and the JSON around them.
const (
	bytesPerChar  = 4
	frameEnvelope = 1 << 10
)

// checkSizeLimits refuses a message limit too small to carry an answer of
// the longest length allowed, saying which setting to change.
func checkSizeLimits(msgBytes int64, answerChars int) error {
	if need := int64(answerChars)*bytesPerChar + frameEnvelope; msgBytes < need {
		return fmt.Errorf("MAX_MESSAGE_BYTES (-max-message-bytes) is %d, too small for an answer of MAX_ANSWER_CHARS=%d characters: raise it to at least %d (%d bytes a character and %d for the rest of the frame), or lower MAX_ANSWER_CHARS",
			msgBytes, answerChars, need, bytesPerChar, frameEnvelope)
	}
	return nil
}
