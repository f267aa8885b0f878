package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkStartup measures Main.Run on an empty DATA_DIR: create the
// database, migrate, embed the corpus, listen. Close is not timed.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-data-dir", b.TempDir()}, func(string) string { return "" }, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		b.StartTimer()
		if err := m.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		m.Close()
		b.StartTimer()
	}
}
