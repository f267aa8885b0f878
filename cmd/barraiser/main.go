// Command barraiser runs the Bar Raiser mock-interview server.
//
//	barraiser [serve] [flags]   run the server (the default)
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
	"github.com/barraiser/barraiser/retrieval"
	"github.com/barraiser/barraiser/store/sqlite"
	"github.com/barraiser/barraiser/web"
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
	case "serve":
		cfg, err := parseConfig(args, getenv, stderr)
		if err != nil {
			return err
		}
		m := NewMain(cfg, newLogger(stderr, cfg.LogLevel))
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		fmt.Fprintf(stdout, "Bar Raiser is running at %s\n", m.Server.URL())
		<-ctx.Done()
		m.Logger.Info("shutting down")
		return m.Close()
	default:
		return fmt.Errorf("unknown command %q (want serve or version)", cmd)
	}
}

// Main wires the adapters together. Tests start it on ":0".
type Main struct {
	Config Config
	Logger *slog.Logger

	DB     *sqlite.DB
	Server *web.Server
}

// NewMain returns a Main for cfg.
func NewMain(cfg Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger}
}

// Run opens the store, embeds the corpus, resumes unfinished grading and
// starts serving.
func (m *Main) Run(ctx context.Context) error {
	start := time.Now()
	if m.Config.DatabaseURL != "" {
		return errors.New("DATABASE_URL is set, but this build has no PostgreSQL store yet; unset it to use the embedded store")
	}
	db, err := sqlite.Open(ctx, m.Config.DataDir, sqlite.Options{Lock: true})
	if err != nil {
		return err
	}
	m.DB = db
	corpus, err := retrieval.LoadCorpus()
	if err != nil {
		return err
	}
	embedder := retrieval.Hash{}
	index, err := retrieval.NewMemory(ctx, corpus, embedder, db)
	if err != nil {
		return err
	}
	svc := agent.NewService(db, index, m.Logger)
	if m.Config.LLMEnabled() {
		m.Logger.Warn("an OpenAI-compatible model is configured, but this build only has the rules interviewer; using rules")
	}
	if err := svc.Recover(ctx); err != nil {
		return err
	}
	m.Server = web.NewServer(svc, m.Logger)
	m.Server.OriginPatterns = m.Config.Origins
	m.Server.Info = map[string]string{"version": Version, "model": svc.Model.Name(), "embedder": embedder.ID(), "store": "sqlite"}
	if err := m.Server.Open(m.Config.Addr); err != nil {
		return err
	}
	m.Logger.Info("serving", "url", m.Server.URL(), "store", "sqlite", "data_dir", m.Config.DataDir,
		"model", svc.Model.Name(), "embedder", embedder.ID(), "startup", time.Since(start).Round(time.Millisecond))
	return nil
}

// Close stops the server and closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.Server != nil {
		errs = append(errs, m.Server.Close())
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
