package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/barraiser/barraiser/agent"
	brclient "github.com/barraiser/barraiser/client"
)

const practiceUsage = `usage: barraiser practice [--server URL] [--key KEY] [--role sde] [--level L5]
                          [--principles a,b] [--focus text] [--resume ID] [server flags]

Runs a mock interview in this terminal. Questions are shown as the
interviewer writes them. An answer may run over many lines and paragraphs:
a line holding only "." sends it, and so does Ctrl+D. "/end" on a line of
its own stops the questions and prints the debrief at once; Ctrl+D with
nothing typed leaves the interview saved, to be continued with --resume.

With --server, it talks to a running server as the owner of an API key,
read from BARRAISER_KEY or --key. Prefer the environment: a flag can be
seen in ps and stays in the shell history.

Without --server, it runs the server inside this process, on the store
the server would use (DATA_DIR or DATABASE_URL and the server's other
flags), as the owner of a key it creates on first use and keeps in
DATA_DIR/practice.key. If a server already holds DATA_DIR, use --server.

flags:`

// practiceKeyFile holds, in the data directory, the key of in-process
// practice.
const practiceKeyFile = "practice.key"

// Limits of reconnecting after a lost connection.
const (
	maxReconnects    = 10 // consecutive failures to get back in
	maxSupersessions = 5  // consecutive takeovers with no answer stored
	dialTimeout      = 30 * time.Second
	frameTimeout     = 10 * time.Second
)

// practiceFlagNames are the flags practice takes for itself; any other
// flag is the server's, for the in-process mode.
var practiceFlagNames = map[string]bool{"server": true, "key": true, "role": true, "level": true,
	"principles": true, "focus": true, "resume": true, "h": true, "help": true}

// runPractice runs "barraiser practice", reading answers from stdin.
func runPractice(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	own, serverArgs := splitPracticeArgs(args)
	fset := flag.NewFlagSet("barraiser practice", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprintln(stderr, practiceUsage)
		fset.PrintDefaults()
	}
	server := fset.String("server", "", "URL of a running server; empty runs one in this process")
	keyFlag := fset.String("key", "", "API key for --server; BARRAISER_KEY is safer")
	role := fset.String("role", "sde", "sde, em, pm, tpm or general")
	level := fset.String("level", "L5", "L4 to L8")
	principles := fset.String("principles", "", "principle ids to ask about, in order, comma-separated; empty lets the server choose")
	focus := fset.String("focus", "", "what your stories are about, to steer the questions")
	resume := fset.String("resume", "", "id of an unfinished interview to continue")
	if err := fset.Parse(own); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	var base, key, resumeHint string
	if *server != "" {
		if len(serverArgs) > 0 {
			return fmt.Errorf("practice: %s: server flags apply only without --server", strings.Join(serverArgs, " "))
		}
		if key = *keyFlag; key == "" {
			key = getenv("BARRAISER_KEY")
		}
		if key == "" {
			return errors.New("practice: --server needs an API key: export BARRAISER_KEY=… (safer than --key, which ps and the shell history show); barraiser keys create NAME makes one")
		}
		base = *server
		resumeHint = "barraiser practice --server " + base + " --resume "
	} else {
		if *keyFlag != "" {
			return errors.New("practice: --key goes with --server; without it practice uses its own key, kept in the data directory")
		}
		m, k, err := startLocal(ctx, serverArgs, getenv, stdout, stderr)
		if err != nil {
			return err
		}
		defer m.Close()
		base, key = m.Server.URL(), k
		// The store flags are not echoed: a database URL may hold a password.
		resumeHint = "barraiser practice --resume "
		if len(serverArgs) > 0 {
			resumeHint = "barraiser practice [the same store flags] --resume "
		}
	}

	c := brclient.New(base, key, brclient.WithHTTPClient(&http.Client{Timeout: time.Minute}))
	p := &practice{c: c, out: stdout, names: map[string]string{}}
	if *resume != "" {
		iv, err := c.Interview(ctx, *resume)
		if err != nil {
			return fmt.Errorf("practice: %w", err)
		}
		p.id = iv.ID
		p.header(iv.Role, iv.Level, iv.Principles)
	} else {
		req := agent.CreateRequest{Role: *role, Level: *level, Focus: *focus}
		for _, id := range strings.Split(*principles, ",") {
			if id = strings.TrimSpace(id); id != "" {
				req.Principles = append(req.Principles, id)
			}
		}
		iv, err := c.CreateInterview(ctx, req)
		if err != nil {
			return fmt.Errorf("practice: %w", err)
		}
		p.id = iv.ID
		p.header(iv.Role, iv.Level, iv.Principles)
	}
	p.resumeHint = resumeHint + p.id
	fmt.Fprintln(stdout, `Answer in as many lines as you like; a line holding only "." (or Ctrl+D) sends the answer. "/end" finishes now.`)

	lines, stop := readLines(stdin)
	defer stop()
	p.lines = lines
	return p.run(ctx)
}

// splitPracticeArgs sorts args into practice's own flags and the server's.
// Every server flag takes a value, so a flag without "=" takes the next
// argument with it.
func splitPracticeArgs(args []string) (own, server []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			server = append(server, a) // parseConfig reports it
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		dst := &server
		if practiceFlagNames[name] {
			dst = &own
		}
		*dst = append(*dst, a)
		if !hasValue && name != "h" && name != "help" && i+1 < len(args) {
			i++
			*dst = append(*dst, args[i])
		}
	}
	return own, server
}
