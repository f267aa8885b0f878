// Command loadgen puts load on a Bar Raiser server running on this machine:
// simulated candidates, each an owner of its own (the cookie a fresh
// cookie jar gets from GET /), drive interviews over real WebSockets.
//
//	loadgen -mode active -n 200 -think-min 0 -think-max 1s -duration 60s
//	loadgen -mode idle -n 1000 -hold 30s -duration 5m
//	loadgen -mode model -sim-addr 127.0.0.1:8090 -duration 1h
//
// In active mode every candidate answers each question after a think time
// and starts a new interview when one ends, so that -n stay in progress.
// In idle mode each opens one interview, reads its first question and then
// says nothing for -hold, while the server's memory is watched.
//
// The report gives interviews completed, errors by code, and the latency
// of each turn as the client sees it (answer sent to next question
// received) at p50, p99 and max; beside it, when -metrics names the
// server's Prometheus endpoint, the quantiles of the server's own
// histograms over the run; and the server's resident memory per connected
// session, read from /proc for -pid or the process listening on the
// target's port.
//
// With -sim-addr, loadgen also serves a simulated OpenAI-compatible model
// with a set time to the first token (-ttft) and pace (-tps), and prints
// the environment that points a server at it. Mode model serves only the
// model, so that the server can be started against it before the load.
//
// loadgen refuses any target that does not resolve to loopback addresses
// only, and raises its own open-files limit to the hard limit first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// run parses args, runs the load and prints the report to stdout; logs go
// to stderr. In model mode it returns a nil report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (*Report, error) {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var sim *simModel
	if cfg.SimAddr != "" {
		if err := checkLoopbackAddr(ctx, cfg.SimAddr); err != nil {
			return nil, fmt.Errorf("-sim-addr: %w", err)
		}
		sim, err = startSimModel(cfg.SimAddr, cfg.TTFT, cfg.TokensPerSec, log)
		if err != nil {
			return nil, err
		}
		defer sim.Close()
		fmt.Fprintf(stdout, "simulated model at %s; point the server at it with:\n  %s\n", sim.BaseURL(), strings.Join(sim.Env(), " "))
	}
	if cfg.Mode == ModeModel {
		mctx, cancel := context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
		<-mctx.Done()
		fmt.Fprintf(stdout, "simulated model served %d chat requests (%d streamed, %d refused) and %d embeddings requests in %s\n",
			sim.chats.Load(), sim.streams.Load(), sim.failures.Load(), sim.embeds.Load(), cfg.Duration)
		return nil, nil
	}
	start := time.Now()
	rep, err := execute(ctx, cfg, sim, log)
	if err != nil {
		return nil, err
	}
	rep.Write(stdout)
	log.Debug("done", "took", time.Since(start))
	return rep, nil
}
