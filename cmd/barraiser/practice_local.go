package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/sqlite"
)

// startLocal runs the server in this process on a free loopback port, on
// the store serverArgs and the environment choose, and returns it with the
// key of in-process practice.
func startLocal(ctx context.Context, serverArgs []string, getenv func(string) string, stdout, stderr io.Writer) (*Main, string, error) {
	cfg, err := parseConfig(serverArgs, getenv, stderr)
	if err != nil {
		return nil, "", err
	}
	cfg.Addr = "127.0.0.1:0"
	level := cfg.LogLevel
	if level == "info" {
		level = "warn" // the server's progress lines would get in the way of the interview
	}
	m := NewMain(cfg, newLogger(stderr, level))
	if err := m.Run(ctx); err != nil {
		m.Close()
		if errors.Is(err, sqlite.ErrLocked) {
			return nil, "", fmt.Errorf("practice: a running server holds the data directory %s; practise against it instead: "+
				"barraiser practice --server URL, with an API key in BARRAISER_KEY (barraiser keys create NAME makes one)", cfg.DataDir)
		}
		return nil, "", err
	}
	key, err := localKey(ctx, m.Server.Keys, cfg.DataDir, stdout)
	if err != nil {
		m.Close()
		return nil, "", err
	}
	return m, key, nil
}

// localKey returns the key of in-process practice, kept in dir. It
// creates the key, and the file, when there is none or the one kept is no
// longer accepted (revoked, or made for another store).
func localKey(ctx context.Context, ks agent.KeyStore, dir string, stdout io.Writer) (string, error) {
	path := filepath.Join(dir, practiceKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		text := strings.TrimSpace(string(b))
		_, err := agent.Authenticate(ctx, ks, text, time.Now().UTC())
		if err == nil {
			return text, nil
		}
		if code := agent.ErrorCode(err); code != agent.EUNAUTHORIZED && code != agent.EKEYREVOKED {
			return "", fmt.Errorf("practice: check the key in %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("practice: read %s: %w", path, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	k, text, err := agent.NewAPIKey("practice", now)
	if err != nil {
		return "", err
	}
	err = ks.CreateKey(ctx, k)
	if agent.ErrorCode(err) == agent.ECONFLICT {
		// Another key has the name: the file was lost or belongs elsewhere.
		if k, text, err = agent.NewAPIKey("practice-"+k.ID[:8], now); err == nil {
			err = ks.CreateKey(ctx, k)
		}
	}
	if err != nil {
		return "", fmt.Errorf("practice: create a key: %w", err)
	}
	if err := writeSecret(path, text); err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "Created the API key %q for practising here, kept in %s.\n"+
		"To review these interviews in the browser, choose \"Use an API key\" and paste it.\n", k.Name, path)
	return text, nil
}

// writeSecret replaces the file at path with text, readable by its owner
// only; the file appears whole or not at all.
func writeSecret(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("practice: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".practice-key-*") // created with mode 0600
	if err != nil {
		return fmt.Errorf("practice: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("practice: write %s: %w", f.Name(), err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("practice: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("practice: write %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("practice: %w", err)
	}
	return nil
}
