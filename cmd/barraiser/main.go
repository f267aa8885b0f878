// Command barraiser runs the Bar Raiser mock-interview server.
//
//	barraiser [serve] [flags]   run the server (the default)
//	barraiser migrate [flags]   apply the database migrations and exit
//	barraiser keys …            create, list and revoke API keys
//	barraiser practice [flags]  run an interview in the terminal
//	barraiser backup PATH       copy the embedded store to PATH while it runs
//	barraiser version           print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/openai"
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/retrieval/pgvector"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/sqlite"
	"github.com/barraiser/barraiser/web"
	"github.com/barraiser/barraiser/webhook"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "barraiser:", err)
		os.Exit(1)
	}
}

// run dispatches the subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "barraiser", Version)
		return nil
	case "migrate":
		cfg, err := parseConfig(args, getenv, stderr)
		if err != nil {
			return err
		}
		if err := migrate(ctx, cfg); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "keys":
		return runKeys(ctx, args, getenv, stdout, stderr)
	case "practice":
		return runPractice(ctx, args, getenv, os.Stdin, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, getenv, stdout, stderr)
	case "serve":
		cfg, err := parseConfig(args, getenv, stderr)
		if err != nil {
			return err
		}
		m := NewMain(cfg, newFormatLogger(stderr, cfg.LogLevel, cfg.LogFormat))
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		fmt.Fprintf(stdout, "Bar Raiser is running at %s\n", m.Server.URL())
		<-ctx.Done()
		m.Logger.Info("shutting down", "timeout", m.Server.ShutdownTimeout)
		return m.Close()
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate, keys, practice, backup or version)", cmd)
	}
}

// Main wires the adapters together. Tests start it on ":0".
type Main struct {
	Config Config
	Logger *slog.Logger

	// Store is the SQLite store, or PostgreSQL when DATABASE_URL is set.
	Store   agent.Store
	Service *agent.Service
	Server  *web.Server
	// Metrics are kept only when ADMIN_ADDR is set; nil otherwise.
	Metrics *web.Metrics

	admin   *adminServer
	closers []func() error
}

// NewMain returns a Main for cfg.
func NewMain(cfg Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger}
}

// Run opens the store, embeds the corpus, resumes unfinished grading and
// starts serving.
func (m *Main) Run(ctx context.Context) error {
	start := time.Now()
	raiseOpenFiles(m.Logger)
	if m.Config.AdminAddr != "" {
		m.Metrics = web.NewMetrics()
	}
	corpus, err := retrieval.LoadCorpus()
	if err != nil {
		return err
	}
	var embedder retrieval.Embedder = retrieval.Hash{}
	if m.Config.EmbeddingModel != "" {
		e, err := openai.NewEmbedder(m.openaiConfig())
		if err != nil {
			return err
		}
		embedder = e
	}
	var rt agent.Retriever
	var claims web.ClaimWatcher
	var keys agent.KeyStore
	storeName := "sqlite"
	if m.Config.DatabaseURL != "" {
		storeName = "postgres"
		db, err := postgres.Open(ctx, m.Config.DatabaseURL)
		if err != nil {
			return err
		}
		m.closers = append(m.closers, func() error { db.Close(); return nil })
		if rt, err = pgvector.New(ctx, db, corpus, embedder); err != nil {
			return err
		}
		m.Store, claims, keys = db, db, db
	} else {
		opts := sqlite.Options{Lock: true, Logger: m.Logger}
		if m.Metrics != nil {
			opts.ObserveCommit = m.Metrics.ObserveCommit
		}
		db, err := sqlite.Open(ctx, m.Config.DataDir, opts)
		if err != nil {
			return err
		}
		m.closers = append(m.closers, db.Close)
		if rt, err = retrieval.NewMemory(ctx, corpus, embedder, db); err != nil {
			return err
		}
		m.Store, keys = db, db
	}
	svcStore := m.Store
	if m.Metrics != nil {
		rt = observedRetriever{rt, m.Metrics}
		if storeName == "postgres" {
			svcStore = turnCommits{m.Store, m.Metrics} // PostgreSQL commits each turn alone
		}
	}
	m.Service = agent.NewService(svcStore, rt, m.Logger)
	m.Service.MaxOpenInterviews = m.Config.MaxOpenInterviews
	m.Service.MaxAnswerChars = m.Config.MaxAnswerChars
	if m.Config.LLMEnabled() {
		model, err := openai.New(m.openaiConfig(), corpus.Principles)
		if err != nil {
			return err
		}
		m.Service.Model = model
		if m.Metrics != nil {
			m.Service.Model = observedModel{model, m.Metrics}
		}
		m.Service.TokenBudget = m.Config.TokenBudget
		baseURL := m.Config.OpenAIBaseURL
		if baseURL == "" {
			baseURL = openai.DefaultBaseURL + " (default)"
		}
		// The key is never logged.
		m.Logger.Info("LLM interviewer", "model", m.Config.LLMModel, "base_url", baseURL, "timeout", m.Config.LLMTimeout,
			"retries", m.Config.LLMRetries, "token_budget", m.Config.TokenBudget)
	}
	if err := m.Service.Recover(ctx); err != nil {
		return err
	}
	// The webhook worker runs beside the server, not in it: it serves no
	// request, and it must stop before the store closes.
	if ws, ok := m.Store.(agent.WebhookStore); ok {
		w := webhook.NewWorker(ws, m.Logger)
		w.Poll, w.Backoff = m.Config.WebhookPoll, m.Config.WebhookBackoff
		w.Start()
		m.closers = append(m.closers, w.Close)
	}
	m.Server = web.NewServer(m.Service, m.Logger)
	m.Server.OriginPatterns = m.Config.Origins
	m.Server.Claims = claims
	m.Server.Keys = keys
	m.Server.RateLimit, m.Server.RateBurst, m.Server.CORSOrigins = m.Config.RateLimit, m.Config.RateBurst, m.Config.CORSOrigins
	m.Server.NextWait = m.Config.NextWait
	m.Server.ShutdownTimeout = m.Config.ShutdownTimeout
	m.Server.IdleTimeout, m.Server.WSPerIP, m.Server.WSFrameRate, m.Server.TrustProxy = m.Config.IdleTimeout, m.Config.WSPerIP, m.Config.WSFrameRate, m.Config.TrustProxy
	m.Server.MaxMessageBytes = m.Config.MaxMessageBytes
	m.Server.MaxBodyBytes = m.Config.MaxBodyBytes
	m.Server.Metrics = m.Metrics
	m.Server.Info = map[string]string{"version": Version, "model": m.Service.Model.Name(), "embedder": embedder.ID(), "store": storeName}
	if err := m.Server.Open(m.Config.Addr); err != nil {
		return err
	}
	m.closers = append(m.closers, m.Server.Close)
	if m.Metrics != nil {
		if m.admin, err = startAdmin(m.Config.AdminAddr, m.Metrics, m.Logger); err != nil {
			return err
		}
		m.closers = append(m.closers, m.admin.Close)
		m.Logger.Info("admin endpoints", "url", m.admin.URL())
	}
	m.Logger.Info("serving", "url", m.Server.URL(), "store", storeName, "data_dir", m.Config.DataDir,
		"model", m.Service.Model.Name(), "embedder", embedder.ID(), "startup", time.Since(start).Round(time.Millisecond))
	return nil
}

// Close stops the server and closes the store, in the reverse order of
// opening.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// openaiConfig is the configuration of the OpenAI-compatible adapters.
func (m *Main) openaiConfig() openai.Config {
	retries := m.Config.LLMRetries
	if retries == 0 {
		retries = -1 // the adapter reads 0 as its default; 0 here means none
	}
	return openai.Config{APIKey: m.Config.OpenAIKey, BaseURL: m.Config.OpenAIBaseURL, Model: m.Config.LLMModel,
		Timeout: m.Config.LLMTimeout, Retries: retries, EmbeddingModel: m.Config.EmbeddingModel,
		EmbeddingDim: m.Config.EmbeddingDim, Logger: m.Logger}
}

// migrate applies the migrations of the configured store.
func migrate(ctx context.Context, cfg Config) error {
	if cfg.DatabaseURL != "" {
		return postgres.Migrate(ctx, cfg.DatabaseURL)
	}
	db, err := sqlite.Open(ctx, cfg.DataDir, sqlite.Options{})
	if err != nil {
		return err
	}
	return db.Close()
}

func newLogger(w io.Writer, level string) *slog.Logger { return newFormatLogger(w, level, "text") }

// newFormatLogger returns a logger at level writing text, or JSON objects
// one a line when format is "json".
func newFormatLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
