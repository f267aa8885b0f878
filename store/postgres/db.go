// Package postgres is the PostgreSQL store of Bar Raiser, for servers that
// run as several processes against one database. It implements agent.Store
// and agent.EmbeddingStore with the same semantics as the embedded SQLite
// store (see store/storetest), keeps the corpus vectors in pgvector columns
// and migrates its schema with goose.
//
// Every method takes a pool connection for the length of one call. Writes
// that must check an interview's state first lock its row (SELECT … FOR
// UPDATE) so that writers of one interview queue even across processes.
// Claims are announced with NOTIFY on ClaimsChannel; WatchClaims listens.
package postgres

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/barraiser/barraiser/agent"
	"github.com/barraiser/barraiser/migrations"
)

// DB is the PostgreSQL store. It implements agent.Store, agent.EmbeddingStore
// and agent.KeyStore and is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
	// listen configures the dedicated connections of WatchClaims.
	listen *pgx.ConnConfig
}

var (
	_ agent.Store          = (*DB)(nil)
	_ agent.EmbeddingStore = (*DB)(nil)
	_ agent.KeyStore       = (*DB)(nil)
)

// StatementCacheCapacity is how many prepared statements each pooled
// connection keeps, unless the database URL sets statement_cache_capacity.
const StatementCacheCapacity = 1024

// Open applies every pending migration to the database at databaseURL (a
// postgres:// URL or a key=value DSN), then opens a connection pool on it
// and checks that it can connect. The pool's size is pool_max_conns from
// the URL when given, else max(8, 4*GOMAXPROCS); each connection attempt
// gives up after connect_timeout from the URL, else ConnectTimeout.
//
// Every method reports a database it cannot reach, or a connection lost
// midway, as a store_unavailable *agent.Error with a RetryAfter (see
// fault); the pool replaces the broken connections by itself once the
// server is back.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	// Migrate first: the pool registers the pgvector types on every new
	// connection, which fails until the extension exists.
	if err := Migrate(ctx, databaseURL); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database URL: %w", err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	// Retrieval names its partial index with literals, so a corpus of 16
	// principles, 5 roles and 5 levels brings over 400 distinct searches;
	// each connection keeps them prepared (planning one again costs a
	// millisecond or more with that many indexes on the table).
	if !strings.Contains(databaseURL, "statement_cache_capacity") {
		cfg.ConnConfig.StatementCacheCapacity = StatementCacheCapacity
	}
	// A server that accepts no connection must fail the request, not hold
	// it until the client gives up.
	if !strings.Contains(databaseURL, "connect_timeout") {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			return fmt.Errorf("postgres: register pgvector types: %w", err)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	db := &DB{pool: pool, listen: cfg.ConnConfig.Copy()}
	// The pool connects lazily: make a bad URL or a down server fail here.
	if err := db.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Pool returns the connection pool, for code that queries the same
// database (such as the pgvector retriever).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks that a connection to the database can be had and used.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Ready checks that the database can be reached and that every migration
// this build embeds has been applied, for a readiness probe. A database
// migrated further by a newer build counts as ready.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	want, err := latestMigration()
	if err != nil {
		return err
	}
	var have *int64
	if err := db.pool.QueryRow(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&have); err != nil {
		return fmt.Errorf("postgres: read migration version: %w", err)
	}
	if have == nil || *have < want {
		got := int64(0)
		if have != nil {
			got = *have
		}
		return fmt.Errorf("postgres: database at migration %d, this build needs %d", got, want)
	}
	return nil
}

// latestMigration is the highest version among the embedded migrations.
var latestMigration = sync.OnceValues(func() (int64, error) {
	return migrations.Latest(migrations.Postgres, "postgres/*.sql")
})

// Close closes the pool, waiting for the connections in use to be
// returned. It does not stop WatchClaims, which ends with its context.
func (db *DB) Close() { db.pool.Close() }

// writeTx runs fn in one read-committed transaction and commits it when fn
// returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// snapshot runs the queries that queue puts in a batch in one read-only,
// repeatable-read transaction, sent together in one pipeline: one round trip,
// and every query reads the same snapshot. The queries' callbacks run as
// their results arrive; the first error, theirs or the server's, is
// returned as is.
func (db *DB) snapshot(ctx context.Context, queue func(b *pgx.Batch)) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: acquire connection: %w", err)
	}
	defer conn.Release()
	var b pgx.Batch
	b.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
	queue(&b)
	b.Queue(`COMMIT`)
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		rollback(ctx, conn)
		return err
	}
	return nil
}

// rollback ends the transaction open on conn, if any, even when ctx is
// done. When that fails it closes the connection, which the pool then
// discards on Release; closing ends the transaction too.
func rollback(ctx context.Context, conn *pgxpool.Conn) {
	if conn.Conn().PgConn().TxStatus() == 'I' { // idle: none open
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, `ROLLBACK`); err != nil {
		conn.Conn().Close(ctx)
	}
}
