package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/barraiser/barraiser/client"
)

// runner holds what the candidates of one run share.
type runner struct {
	cfg       Config
	st        *stats
	log       *slog.Logger
	transport *http.Transport
	sem       chan struct{} // bounds the set-ups in flight
	// stop ends the run early, once cfg.Interviews are complete.
	stop context.CancelFunc
}

// complete counts one interview complete, and ends the run when it was
// the last one asked for.
func (r *runner) complete() {
	if n := r.st.completed.Add(1); r.cfg.Interviews > 0 && n >= int64(r.cfg.Interviews) {
		r.stop()
	}
}

// acquire takes a set-up slot, or fails when ctx ends first.
func (r *runner) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives a set-up slot back.
func (r *runner) release() { <-r.sem }

// execute runs the load cfg describes against its target and returns what
// it measured. sim is the simulated model when one is served, else nil.
func execute(ctx context.Context, cfg Config, sim *simModel, log *slog.Logger) (*Report, error) {
	if err := checkLoopback(ctx, cfg.Target); err != nil {
		return nil, fmt.Errorf("-target: %w", err)
	}
	if cfg.Metrics != "" {
		if err := checkLoopback(ctx, cfg.Metrics); err != nil {
			return nil, fmt.Errorf("-metrics: %w", err)
		}
	}
	cfg.Target = strings.TrimRight(cfg.Target, "/")
	rep := &Report{Mode: cfg.Mode, Target: cfg.Target, Candidates: cfg.Candidates, ThinkMin: cfg.ThinkMin, ThinkMax: cfg.ThinkMax}

	limit, err := raiseFileLimit()
	if err != nil {
		rep.Hints = append(rep.Hints, err.Error())
	}
	rep.FileLimit = limit
	// Each candidate holds one socket, and sometimes an HTTP connection too.
	if need := uint64(cfg.Candidates) + uint64(cfg.OpenConcurrency) + 64; limit > 0 && need > limit {
		rep.Hints = append(rep.Hints, fmt.Sprintf("loadgen may open about %d files but may only have %d open: raise the hard limit (ulimit -Hn, or LimitNOFILE) or lower -n", need, limit))
	}

	transport := &http.Transport{
		Proxy:               nil, // the target is on this machine: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * cfg.OpenConcurrency,
		MaxIdleConnsPerHost: 2 * cfg.OpenConcurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	defer transport.CloseIdleConnections()
	probe := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	rep.ServerModel, err = serverModel(ctx, cfg.Target, transport)
	if err != nil {
		return nil, fmt.Errorf("the server at %s does not answer: %w", cfg.Target, err)
	}
	if sim != nil && !strings.HasPrefix(rep.ServerModel, "llm:") {
		rep.Hints = append(rep.Hints, "the server runs "+rep.ServerModel+", not the simulated model: start it with "+strings.Join(sim.Env(), " "))
	}

	mem := &memSampler{}
	mem.pid, rep.Memory.Note = serverPID(cfg)
	if mem.pid > 0 {
		rep.Memory.PID = mem.pid
		if before, err := readRSS(mem.pid); err != nil {
			rep.Memory.Note = err.Error()
			mem.pid = 0
		} else {
			rep.Memory.Before = before
			mem.peak = before
		}
		if lim, err := processFileLimit(mem.pid); err == nil && uint64(cfg.Candidates)+64 > lim {
			rep.Hints = append(rep.Hints, fmt.Sprintf("the server (pid %d) may only have %d files open, fewer than %d connections need", mem.pid, lim, cfg.Candidates))
		}
	}

	var before map[string]*histogram
	if cfg.Metrics != "" {
		before, err = scrapeMetrics(ctx, probe, cfg.Metrics)
		if err != nil {
			log.Info("no metrics before the run", "err", err)
		}
	}

	r := &runner{cfg: cfg, st: newStats(), log: log, transport: transport, sem: make(chan struct{}, cfg.OpenConcurrency)}
	mem.st = r.st
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	r.stop = cancel
	stopWatch := r.watch(runCtx, mem)
	start := time.Now()
	switch cfg.Mode {
	case ModeIdle:
		r.idle(runCtx, mem, rep)
	default:
		r.active(runCtx)
	}
	rep.Elapsed = time.Since(start)
	stopWatch()
	rep.Memory.Peak, rep.Memory.ConnectedAtPeak, rep.PeakConnected = mem.results()
	rep.Memory.MostConnected = rep.PeakConnected

	if cfg.Metrics != "" {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		after, err := scrapeMetrics(sctx, probe, cfg.Metrics)
		scancel()
		switch {
		case err != nil:
			rep.MetricsNote = err.Error()
		default:
			rep.ServerHistograms = serverHistograms(before, after, cfg.MetricsMatch)
			if before == nil {
				rep.MetricsNote = "counts since the server started (the first scrape failed)"
			}
			if len(rep.ServerHistograms) == 0 {
				rep.MetricsNote = fmt.Sprintf("no histogram whose name matches %q at %s", cfg.MetricsMatch, cfg.Metrics)
			}
		}
	}
	r.st.snapshot(rep)
	if sim != nil {
		rep.Sim = &SimReport{Chats: sim.chats.Load(), Streams: sim.streams.Load(), Failures: sim.failures.Load(), TTFT: sim.ttft, PerToken: sim.perToken}
	}
	return rep, nil
}

// serverModel asks the server which model it runs, as an owner of its
// own: GET / for the cookie, then GET /api/v1/info.
func serverModel(ctx context.Context, target string, transport http.RoundTripper) (string, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: transport, Jar: jar, Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+"/", nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	info, err := client.New(target, "", client.WithHTTPClient(hc)).Info(ctx)
	if err != nil {
		return "", err
	}
	return info["model"], nil
}

// serverPID returns the server's process id: -pid, or the process that
// listens on the target's port. It returns 0 and the reason when there is
// none to be had.
func serverPID(cfg Config) (int, string) {
	if cfg.PID > 0 {
		return cfg.PID, ""
	}
	u, err := url.Parse(cfg.Target)
	if err != nil {
		return 0, err.Error()
	}
	port, err := strconv.Atoi(u.Port())
	if u.Port() == "" {
		port, err = 80, nil
		if u.Scheme == "https" {
			port = 443
		}
	}
	if err != nil {
		return 0, err.Error()
	}
	pid, err := findListener(port)
	if err != nil {
		return 0, err.Error()
	}
	return pid, ""
}

// active runs every candidate through interviews until ctx ends.
func (r *runner) active(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range r.cfg.Candidates {
		wg.Go(func() { r.newCandidate(i).runActive(ctx) })
	}
	wg.Wait()
}

// idle opens one interview per candidate, waits until each is open or has
// failed, holds them all for cfg.Hold and then lets them go. The memory
// of the server at the end of the hold goes into rep.
func (r *runner) idle(ctx context.Context, mem *memSampler, rep *Report) {
	hold, endHold := context.WithCancel(ctx)
	defer endHold()
	var ready, done sync.WaitGroup
	ready.Add(r.cfg.Candidates)
	for i := range r.cfg.Candidates {
		done.Go(func() { r.newCandidate(i).runIdle(ctx, hold, ready.Done) })
	}
	allReady := make(chan struct{})
	go func() { ready.Wait(); close(allReady) }()
	start := time.Now()
	select {
	case <-allReady:
	case <-ctx.Done():
	}
	rep.OpenTime = time.Since(start)
	if ctx.Err() == nil {
		r.log.Info("connections open; holding", "open", r.st.connected.Load(), "took", rep.OpenTime.Round(time.Millisecond), "hold", r.cfg.Hold)
		sleep(ctx, r.cfg.Hold)
		rep.Memory.Held, rep.Memory.HeldConnections = mem.sample(), r.st.connected.Load()
	}
	// Letting the connections go is no part of the measure.
	mem.freeze()
	endHold()
	done.Wait()
}

// watch samples the server's memory often and logs progress now and then,
// until the returned function is called.
func (r *runner) watch(ctx context.Context, mem *memSampler) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			if ctx.Err() != nil {
				mem.freeze() // the run is over; what follows is tearing down
			}
			rss := mem.sample()
			if r.cfg.Progress > 0 && time.Since(last) >= r.cfg.Progress && ctx.Err() == nil {
				last = time.Now()
				r.log.Info("progress", "connected", r.st.connected.Load(), "turns", r.st.turns.Load(),
					"completed", r.st.completed.Load(), "errors", r.st.errorCount(), "server_rss_mib", rss>>20)
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// memSampler keeps the highest memory the server was seen with, from the
// measure before the run until freeze, and how many connections were open
// at that moment.
type memSampler struct {
	pid    int // 0: nothing to sample
	st     *stats
	frozen atomic.Bool

	mu            sync.Mutex
	peak          int64
	peakConns     int64
	mostConnected int64
}

// freeze ends the measure: later samples change no peak.
func (m *memSampler) freeze() { m.frozen.Store(true) }

// sample reads the server's memory now, returning it (0 when unknown),
// and keeps the peaks until freeze.
func (m *memSampler) sample() int64 {
	conns := m.st.connected.Load()
	var rss int64
	if m.pid > 0 {
		rss, _ = readRSS(m.pid)
	}
	if m.frozen.Load() {
		return rss
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if rss > m.peak {
		m.peak, m.peakConns = rss, conns
	}
	m.mostConnected = max(m.mostConnected, conns)
	return rss
}

// results returns the peak memory, the connections open then and the
// most connections seen open at once.
func (m *memSampler) results() (peak, connsAtPeak, mostConnected int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak, m.peakConns, m.mostConnected
}
