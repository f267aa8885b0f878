package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The modes of a run.
const (
	// ModeActive drives every candidate through whole interviews, one after
	// another, answering after a think time.
	ModeActive = "active"
	// ModeIdle opens one interview per candidate, reads its first question
	// and then keeps the connection open without a word.
	ModeIdle = "idle"
	// ModeModel only serves the simulated model, for a server to be started
	// against it.
	ModeModel = "model"
)

// Config is what one run is told to do, from its flags.
type Config struct {
	// Target is the server's base URL; it must resolve to loopback only.
	Target string
	Mode   string
	// Candidates is how many simulated candidates run at once.
	Candidates int
	// Duration bounds the whole run, in every mode.
	Duration time.Duration
	// Interviews, when above zero, ends an active run as soon as that many
	// interviews are complete, if Duration has not ended it first.
	Interviews int
	// Hold is how long idle mode keeps its connections open once they are
	// all open.
	Hold time.Duration
	// ThinkMin and ThinkMax bound the pause before each answer, drawn
	// uniformly between the two.
	ThinkMin, ThinkMax time.Duration
	// Principles is the principle_count of each interview (1 to 4).
	Principles int
	// OpenConcurrency bounds how many candidates set up an interview (owner
	// cookie, creation, WebSocket handshake) concurrently.
	OpenConcurrency int
	// TurnTimeout bounds the wait for each frame the server owes.
	TurnTimeout time.Duration
	// Metrics, when set, is the server's Prometheus endpoint, scraped
	// once at the start and once at the end; MetricsMatch picks the histograms shown.
	Metrics      string
	MetricsMatch *regexp.Regexp
	// PID is the server's process id; zero finds it by the target's port.
	PID int
	// SimAddr, when set, is where the simulated model listens; TTFT and
	// TokensPerSec shape its answers.
	SimAddr      string
	TTFT         time.Duration
	TokensPerSec float64
	// Seed makes the candidates' answers and pauses repeatable.
	Seed uint64
	// Progress is how often a progress line is logged; zero logs none.
	Progress time.Duration
}

// defaultMetricsMatch picks the server's latency histograms of a turn.
const defaultMetricsMatch = `answer|question|turn`

// parseConfig reads a Config from the command line.
func parseConfig(args []string, stderr io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: loadgen [flags]\n\nSimulated candidates drive interviews over WebSockets against a server on this machine.\n\nflags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.Target, "target", "http://127.0.0.1:8080", "base URL of the server; only loopback addresses are accepted")
	fs.StringVar(&c.Mode, "mode", ModeActive, "active (answer and start again), idle (open and hold) or model (serve the simulated model only)")
	fs.IntVar(&c.Candidates, "n", 10, "simulated candidates, each its own owner")
	fs.DurationVar(&c.Duration, "duration", time.Minute, "how long the run lasts at most")
	fs.IntVar(&c.Interviews, "interviews", 0, "active mode: stop once this many interviews are complete; 0 for no limit")
	fs.DurationVar(&c.Hold, "hold", 30*time.Second, "idle mode: how long the open connections are held")
	fs.DurationVar(&c.ThinkMin, "think-min", 0, "shortest pause before an answer")
	fs.DurationVar(&c.ThinkMax, "think-max", time.Second, "longest pause before an answer")
	fs.IntVar(&c.Principles, "principles", 2, "principles per interview, 1 to 4")
	fs.IntVar(&c.OpenConcurrency, "open-concurrency", 64, "interview set-ups in flight at once")
	fs.DurationVar(&c.TurnTimeout, "turn-timeout", time.Minute, "longest wait for a frame the server owes")
	fs.StringVar(&c.Metrics, "metrics", "", "URL of the server's Prometheus metrics, scraped at the start and at the end (optional)")
	match := fs.String("metrics-match", defaultMetricsMatch, "regular expression picking the histograms shown from -metrics")
	fs.IntVar(&c.PID, "pid", 0, "the server's process id, for its memory; 0 finds the process listening on the target's port")
	fs.StringVar(&c.SimAddr, "sim-addr", "", "serve a simulated OpenAI-compatible model at this loopback address, e.g. 127.0.0.1:8090")
	fs.DurationVar(&c.TTFT, "ttft", 300*time.Millisecond, "simulated model: time to the first token")
	fs.Float64Var(&c.TokensPerSec, "tps", 40, "simulated model: tokens per second once the first is out")
	fs.Uint64Var(&c.Seed, "seed", uint64(time.Now().UnixNano()), "seed of the answers and pauses")
	fs.DurationVar(&c.Progress, "progress", 10*time.Second, "how often to log progress; 0 for never")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	re, err := regexp.Compile(*match)
	if err != nil {
		return Config{}, fmt.Errorf("invalid -metrics-match: %w", err)
	}
	c.MetricsMatch = re
	if c.Mode == ModeModel && c.SimAddr == "" {
		c.SimAddr = "127.0.0.1:8090"
	}
	return c, c.validate()
}

// validate checks the values that flags cannot check alone.
func (c Config) validate() error {
	switch {
	case c.Mode != ModeActive && c.Mode != ModeIdle && c.Mode != ModeModel:
		return fmt.Errorf("invalid -mode %q: want active, idle or model", c.Mode)
	case c.Candidates < 1:
		return fmt.Errorf("invalid -n %d: want at least 1", c.Candidates)
	case c.Duration <= 0:
		return fmt.Errorf("invalid -duration %s: want more than 0", c.Duration)
	case c.Interviews < 0:
		return fmt.Errorf("invalid -interviews %d: want 0 or more", c.Interviews)
	case c.Mode == ModeIdle && c.Hold <= 0:
		return fmt.Errorf("invalid -hold %s: want more than 0", c.Hold)
	case c.ThinkMin < 0 || c.ThinkMax < c.ThinkMin:
		return fmt.Errorf("invalid think time %s to %s: want 0 <= -think-min <= -think-max", c.ThinkMin, c.ThinkMax)
	case c.Principles < 1 || c.Principles > 4:
		return fmt.Errorf("invalid -principles %d: want 1 to 4", c.Principles)
	case c.OpenConcurrency < 1:
		return fmt.Errorf("invalid -open-concurrency %d: want at least 1", c.OpenConcurrency)
	case c.TurnTimeout <= 0:
		return fmt.Errorf("invalid -turn-timeout %s: want more than 0", c.TurnTimeout)
	case c.TTFT < 0:
		return fmt.Errorf("invalid -ttft %s: want 0 or more", c.TTFT)
	case c.TokensPerSec <= 0:
		return fmt.Errorf("invalid -tps %g: want more than 0", c.TokensPerSec)
	case c.PID < 0:
		return fmt.Errorf("invalid -pid %d", c.PID)
	}
	return nil
}

// checkLoopback refuses a URL (http or https) whose host resolves to any
// address that is not loopback, so that the load never leaves this machine.
func checkLoopback(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target %q: the scheme must be http or https", raw)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("target %q: no host", raw)
	}
	return checkLoopbackHost(ctx, u.Hostname())
}

// checkLoopbackHost refuses a host name or address that resolves to
// nothing, or to anything beside loopback addresses.
func checkLoopbackHost(ctx context.Context, host string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("host %q: %w", host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("host %q resolves to no address", host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("host %q resolves to %s, which is not loopback: loadgen only loads this machine", host, a.IP)
		}
	}
	return nil
}

// checkLoopbackAddr refuses a listen address (host:port) whose host is not
// loopback; an empty host would listen on every interface.
func checkLoopbackAddr(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "" {
		return fmt.Errorf("address %q listens on every interface: name a loopback host", addr)
	}
	return checkLoopbackHost(ctx, host)
}
