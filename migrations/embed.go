// Package migrations holds the SQL schema of each store as plain, ordered
// migration files embedded in the binary.
package migrations

import "embed"

// SQLite holds the migrations of the embedded store, in sqlite/.
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// Postgres holds the migrations of the PostgreSQL store, in postgres/.
//
//go:embed postgres/*.sql
var Postgres embed.FS
