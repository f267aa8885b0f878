// Package migrations holds the SQL schema of each store as plain, ordered
// migration files embedded in the binary.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// SQLite holds the migrations of the embedded store, in sqlite/.
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// Postgres holds the migrations of the PostgreSQL store, in postgres/.
//
//go:embed postgres/*.sql
var Postgres embed.FS

// Latest returns the highest version among the migrations in fsys that
// match pattern, such as "sqlite/*.sql": the version a database must be at
// to be current.
func Latest(fsys fs.FS, pattern string) (int64, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var latest int64
	for _, name := range names {
		v, err := goose.NumericComponent(name)
		if err != nil {
			return 0, fmt.Errorf("migration %s: %w", name, err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}
