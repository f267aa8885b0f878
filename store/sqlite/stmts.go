package sqlite

import (
	"context"
	"database/sql"
)

// stmtCache holds the statements of the turn path prepared once per
// pool. Parsing SQL costs the pure-Go SQLite more than running these
// small statements does, and every turn runs several of them.
//
// They are prepared when the store opens, while the pool's connections
// are free: a statement prepared later, inside a transaction, would wait
// for a connection the transaction itself holds. database/sql keeps one
// prepared copy per connection of the pool and prepares a copy on a new
// connection when a transaction there first needs it. Queries not in
// the cache run unprepared.
type stmtCache struct {
	m map[string]*sql.Stmt // read-only once built
}

// newStmtCache prepares queries on pool. A query that fails to prepare
// is left out, to run unprepared and report its error where it is used.
func newStmtCache(ctx context.Context, pool *sql.DB, queries []string) *stmtCache {
	c := &stmtCache{m: make(map[string]*sql.Stmt, len(queries))}
	for _, q := range queries {
		if st, err := pool.PrepareContext(ctx, q); err == nil {
			c.m[q] = st
		}
	}
	return c
}

// stmt returns query prepared, or nil when it is not in the cache.
func (c *stmtCache) stmt(query string) *sql.Stmt { return c.m[query] }

// close closes every cached statement.
func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// hotQueries are the statements every turn or interview runs: reading the
// interview, claiming it, and what EnsureOwner, AppendTurns, SetStatus,
// AddUsage and the committer's savepoints run.
var hotQueries = []string{
	qInterview, qTurns, qState, qClaim, insertOwner,
	qAppendState, qInsertTurn, qTouch, qSetStatus, qAddUsage,
	qSavepoint, qRollbackTo, qRelease,
}

// cachedTx is a transaction of one of the store's pools whose statements
// come from the pool's statement cache. It has the query methods of *sql.Tx.
type cachedTx struct {
	*sql.Tx
	cache *stmtCache
	// uncancelled, when set, replaces the context of every statement: see
	// readTx.
	uncancelled context.Context
}

// stmtCtx returns the context a statement runs with.
func (tx *cachedTx) stmtCtx(ctx context.Context) context.Context {
	if tx.uncancelled != nil {
		return tx.uncancelled
	}
	return ctx
}

// QueryRowContext runs a query expected to return at most one row.
func (tx *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.stmtCtx(ctx)
	if st := tx.cache.stmt(query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// QueryContext runs a query that returns rows.
func (tx *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.stmtCtx(ctx)
	if st := tx.cache.stmt(query); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// ExecContext runs a statement that returns no rows.
func (tx *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.stmtCtx(ctx)
	if st := tx.cache.stmt(query); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}
