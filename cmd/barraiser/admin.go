package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/barraiser/barraiser/web"
)

// adminServer serves the operator's endpoints on ADMIN_ADDR, never on the
// public address: the metrics at /metrics and the Go profiler under
// /debug/pprof/.
type adminServer struct {
	ln  net.Listener
	srv *http.Server
}

// adminHandler routes the admin endpoints on a mux of its own; the
// profiler's handlers are not taken from http.DefaultServeMux.
func adminHandler(metrics *web.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index) // the named profiles too: heap, goroutine …
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// startAdmin listens on addr and serves the admin endpoints in the
// background.
func startAdmin(addr string, metrics *web.Metrics, logger *slog.Logger) (*adminServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin: listen: %w", err)
	}
	// No write timeout: a CPU profile or a trace takes as long as it is asked to.
	a := &adminServer{ln: ln, srv: &http.Server{Handler: adminHandler(metrics), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin serve", "err", err)
		}
	}()
	return a, nil
}

// URL returns the base URL of the admin server.
func (a *adminServer) URL() string { return "http://" + a.ln.Addr().String() }

// Close stops the admin server, waiting up to five seconds for requests in
// flight and then cutting them off: a profile still running is of no use
// once the process stops.
func (a *adminServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		a.srv.Close()
		return nil
	}
	if err != nil {
		return fmt.Errorf("admin: shutdown: %w", err)
	}
	return nil
}
