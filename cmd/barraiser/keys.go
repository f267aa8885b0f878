package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/store/postgres"
	"github.com/barraiser/barraiser/store/sqlite"
)

const keysUsage = `usage:
  barraiser keys create NAME [-webhook URL] [flags]
                                       create a key; it is printed once, as the last line
  barraiser keys list [flags]          list keys, never their secrets
  barraiser keys revoke NAME [flags]   revoke a key at once, on every server

With -webhook, the server POSTs each debrief of the key's interviews to URL,
signed with a webhook secret that create prints once, on the line before the
key. The flags and environment choose the store as for the server: -data-dir
(DATA_DIR) or -database-url (DATABASE_URL). The commands work while a
server runs on the same store.`

// runKeys runs "barraiser keys …".
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, keysUsage)
		return errors.New("keys: want create, list or revoke")
	}
	sub, args := args[0], args[1:]
	var webhook *string
	if sub == "create" {
		var err error
		if args, webhook, err = cutWebhookFlag(args); err != nil {
			fmt.Fprintln(stderr, keysUsage)
			return fmt.Errorf("keys create: %w", err)
		}
	}
	name := ""
	if sub == "create" || sub == "revoke" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprintln(stderr, keysUsage)
			return fmt.Errorf("keys %s: want a key name", sub)
		}
		name, args = args[0], args[1:]
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	ks, closeStore, err := openKeyStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "create":
		return createKey(ctx, ks, name, webhook, stdout)
	case "list":
		return listKeys(ctx, ks, stdout)
	case "revoke":
		k, err := ks.RevokeKey(ctx, name, time.Now().UTC())
		if err != nil {
			return fmt.Errorf("keys revoke: %s", agent.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Revoked key %q (id %s). Requests with it now get 401 and its connections close.\n", k.Name, k.ID)
		return nil
	default:
		fmt.Fprintln(stderr, keysUsage)
		return fmt.Errorf("keys: unknown command %q (want create, list or revoke)", sub)
	}
}

// openKeyStore opens the configured store for the key commands. The
// embedded store is opened without the data directory's lock, which a
// running server holds.
func openKeyStore(ctx context.Context, cfg Config) (agent.KeyStore, func(), error) {
	if cfg.DatabaseURL != "" {
		db, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, nil, err
		}
		return db, db.Close, nil
	}
	db, err := sqlite.Open(ctx, cfg.DataDir, sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// cutWebhookFlag removes "-webhook URL" (or --webhook, or =URL) from
// args, wherever it stands, and returns the rest and the URL, nil when the
// flag is absent. The flag package would stop at the key's name.
func cutWebhookFlag(args []string) (rest []string, webhook *string, err error) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		if name != "-webhook" && name != "--webhook" {
			rest = append(rest, args[i])
			continue
		}
		if webhook != nil {
			return nil, nil, errors.New("-webhook given twice")
		}
		if !hasValue {
			if i+1 == len(args) {
				return nil, nil, errors.New("-webhook wants a URL")
			}
			i++
			value = args[i]
		}
		webhook = &value
	}
	return rest, webhook, nil
}

// createKey stores a new key and prints it once, as the last line. With a
// webhook URL it also gives the key a webhook secret, printed on the line
// before the key.
func createKey(ctx context.Context, ks agent.KeyStore, name string, webhook *string, stdout io.Writer) error {
	k, text, err := agent.NewAPIKey(name, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("keys create: %s", agent.ErrorMessage(err))
	}
	if webhook != nil {
		if k.WebhookURL, err = agent.ValidateWebhookURL(*webhook); err != nil {
			return fmt.Errorf("keys create: %s", agent.ErrorMessage(err))
		}
		k.WebhookSecret = agent.NewWebhookSecret()
	}
	if err := ks.CreateKey(ctx, k); err != nil {
		if code := agent.ErrorCode(err); code != agent.EINTERNAL {
			return fmt.Errorf("keys create: %s", agent.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(stdout, "Created key %q (id %s). It is shown only now; keep it secret.\n", k.Name, k.ID)
	if k.WebhookURL != "" {
		fmt.Fprintf(stdout, "Debriefs of its interviews go to %s, signed with the webhook secret below (the line before the key), also shown only now.\n", k.WebhookURL)
		fmt.Fprintln(stdout, k.WebhookSecret)
	}
	fmt.Fprintln(stdout, text)
	return nil
}

// listKeys prints every key, newest use and revocation included.
func listKeys(ctx context.Context, ks agent.KeyStore, stdout io.Writer) error {
	keys, err := ks.Keys(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintln(stdout, "No keys yet: create one with barraiser keys create NAME.")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tID\tCREATED\tLAST USED\tSTATUS\tWEBHOOK")
	for _, k := range keys {
		status := "active"
		if k.Revoked() {
			status = "revoked " + k.RevokedAt.Format(time.DateTime)
		}
		hook := k.WebhookURL // never the webhook's secret
		if hook == "" {
			hook = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, k.ID, k.CreatedAt.Format(time.DateTime), dateOrNever(k.LastUsedAt), status, hook)
	}
	return w.Flush()
}

func dateOrNever(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format(time.DateTime)
}
