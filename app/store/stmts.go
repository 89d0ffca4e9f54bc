package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each query once. Parsing SQL was a third of the CPU a
// listing request cost (modernc's SQLite is C translated to Go): a prepared
// statement skips it. database/sql re-prepares a statement on each pooled
// connection that first runs it, so one *sql.Stmt serves them all.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	warming map[string]bool // being prepared for inTx, off its connection
}

// maxStmts bounds the cache; the queries are built from a few shapes
// (listings vary with their filters and sort), far fewer than this.
const maxStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, warming: map[string]bool{}}
}

// stmt returns the prepared statement for query, or nil when it cannot be
// prepared (the caller then runs the query unprepared, which reports the
// error the same way).
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxStmts
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	// Prepared without the lock: it waits for a free connection, and a
	// transaction holding one may be asking the cache (inTx) meanwhile.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[query]; ok {
		st.Close() // prepared twice at once: keep the first
		return old
	}
	if len(c.stmts) >= maxStmts {
		st.Close()
		return nil
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// close releases the statements before the database closes.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	clear(c.stmts)
}

// inTx runs the cache's prepared statements inside tx: database/sql reuses
// a statement already prepared on the transaction's connection, so a
// write path that runs the same few statements per call (the inbox's:
// one transaction per activity) stops parsing them each time.
type inTx struct {
	tx *sql.Tx
	c  *stmtCache
}

// cachedTx wraps tx when q is the statement cache; otherwise tx itself.
func cachedTx(tx *sql.Tx, q dbtx) dbtx {
	if c, ok := q.(*stmtCache); ok {
		return inTx{tx: tx, c: c}
	}
	return tx
}

// ready is query's prepared statement if there is one already. A
// transaction holds one of the pool's few connections: preparing on the
// pool from inside it could wait for a connection other transactions
// hold while they wait for this one's lock. So a miss runs unprepared,
// and the statement is prepared beside, once a connection is free.
func (c *stmtCache) ready(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if !c.warming[query] && len(c.stmts)+len(c.warming) < maxStmts {
		c.warming[query] = true
		go func() {
			// Without the lock: preparing waits for a free connection.
			st, err := c.db.PrepareContext(context.Background(), query)
			c.mu.Lock()
			defer c.mu.Unlock()
			delete(c.warming, query)
			if err != nil {
				return
			}
			if _, ok := c.stmts[query]; ok || len(c.stmts) >= maxStmts {
				st.Close()
				return
			}
			c.stmts[query] = st
		}()
	}
	return nil
}

func (t inTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.c.ready(query); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t inTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.ready(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t inTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.c.ready(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
