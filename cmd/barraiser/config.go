package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// RateLimit and RateBurst limit each owner's API requests in this
	// process (RATE_LIMIT a minute, RATE_BURST at once); CORSOrigins lists
	// the origins whose pages may call the API with a key (API_CORS_ORIGINS).
	RateLimit   int
	RateBurst   int
	CORSOrigins []string
	// MaxOpenInterviews caps each owner's interviews in progress at once,
	// not counting those idle for a day (MAX_OPEN_INTERVIEWS).
	MaxOpenInterviews int

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
	origins := fs.String("allowed-origins", env("ALLOWED_ORIGINS", ""), "extra hosts allowed to open WebSockets, comma-separated (ALLOWED_ORIGINS)")
	rate := fs.String("rate-limit", env("RATE_LIMIT", "120"), "API requests an owner may make a minute, counted per server process; 0 for no limit (RATE_LIMIT)")
	burst := fs.String("rate-burst", env("RATE_BURST", "40"), "API requests an owner may make at once (RATE_BURST)")
	open := fs.String("max-open-interviews", env("MAX_OPEN_INTERVIEWS", "10"), "interviews an owner may have in progress at once, not counting those idle for 24 h; 0 for no limit (MAX_OPEN_INTERVIEWS)")
	cors := fs.String("api-cors-origins", env("API_CORS_ORIGINS", ""), "origins whose pages may call the API with a key, comma-separated, e.g. https://app.example.com (API_CORS_ORIGINS)")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", env("OPENAI_BASE_URL", ""), "OpenAI-compatible API base URL (OPENAI_BASE_URL)")
	fs.StringVar(&c.LLMModel, "llm-model", env("LLM_MODEL", "gpt-4o-mini"), "chat model name (LLM_MODEL)")
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
	for _, n := range []struct {
		name string
		s    string
		dst  *int
		min  int
	}{{"-rate-limit", *rate, &c.RateLimit, 0}, {"-rate-burst", *burst, &c.RateBurst, 1}, {"-max-open-interviews", *open, &c.MaxOpenInterviews, 0}, {"-llm-retries", *retries, &c.LLMRetries, 0}, {"-llm-token-budget", *budget, &c.TokenBudget, 0}, {"-embedding-dim", *dim, &c.EmbeddingDim, 1}} {
		v, err := strconv.Atoi(n.s)
		if err != nil || v < n.min {
			return Config{}, fmt.Errorf("invalid %s %q", n.name, n.s)
		}
		*n.dst = v
	}
	return c, nil
}
