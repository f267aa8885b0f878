package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/sqlite"
)

// TestBackupWhileServing copies the store of a running server in the
// middle of an interview, with a connection open on it, and finds the
// interview and its answered turns in the copy; then the interview goes
// on in the server.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, dir)
	c := newClient(t, m.Server.URL())
	iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep"]}`)
	conn, _ := c.open(iv.WSURL)
	readType(t, conn, "question")
	send(t, conn, answer(strongAnswer, "b-1"))
	ack := readType(t, conn, "ack")
	readType(t, conn, "question")

	copyDir := t.TempDir()
	dest := filepath.Join(copyDir, sqlite.FileName)
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"backup", dest, "-data-dir", dir}, noEnv, &stdout, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(stdout.String(), "Backed up") {
		t.Errorf("backup printed %q", stdout.String())
	}
	// The server goes on after the copy.
	send(t, conn, answer(strongAnswer, "b-2"))
	readType(t, conn, "ack")

	db, err := sqlite.Open(context.Background(), copyDir, sqlite.Options{})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer db.Close()
	got, err := db.Interview(context.Background(), "", iv.ID)
	if err != nil {
		t.Fatalf("interview in the copy: %v", err)
	}
	answered := 0
	for _, tn := range got.Turns {
		if tn.Speaker == agent.SpeakerCandidate {
			answered++
			if tn.Seq != ack.Seq || tn.Text != strongAnswer {
				t.Errorf("copied answer %d %.40q, want seq %d", tn.Seq, tn.Text, ack.Seq)
			}
		}
	}
	if answered != 1 || got.Status != agent.StatusInProgress {
		t.Errorf("copy holds %d answers and status %s, want the one made before the backup, in progress", answered, got.Status)
	}
}

// noEnv is an environment with nothing set.
func noEnv(string) string { return "" }

// TestBackupRefusals checks that backup never overwrites a file, needs a
// path and a store, and points PostgreSQL users at pg_dump.
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	startMain(t, dir) // backups are made while a server runs
	existing := filepath.Join(t.TempDir(), "taken.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no path", []string{"backup"}, "want the path"},
		{"a flag instead of a path", []string{"backup", "-data-dir", dir}, "want the path"},
		{"an existing file", []string{"backup", existing, "-data-dir", dir}, "already exists"},
		{"PostgreSQL", []string{"backup", filepath.Join(t.TempDir(), "x.db"), "-database-url", "postgres://nowhere.invalid/db"}, "pg_dump"},
		{"no store", []string{"backup", filepath.Join(t.TempDir(), "x.db"), "-data-dir", t.TempDir()}, "no store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, noEnv, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
		t.Errorf("the existing file now holds %q (%v)", b, err)
	}
}
