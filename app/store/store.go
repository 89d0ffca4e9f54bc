// Package store keeps Cabane's state in one SQLite file (modernc.org/sqlite,
// pure Go): opening it with the right pragmas, migrating it from embedded SQL,
// and typed queries, one type per aggregate (videos, accounts and channels,
// sessions and tokens, settings). Multi-table writes go through WithTx, whose
// Tx offers the same aggregates bound to one transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// ErrNotFound and ErrConflict are the model's: callers above the store test
// for them without importing it.
var (
	ErrNotFound = model.ErrNotFound
	ErrConflict = model.ErrConflict
	// ErrRemoteActor: ActorKeys.AddLocal for a remote account or channel.
	ErrRemoteActor = model.ErrRemoteActor
)

// dbtx is what the aggregates query through: the pool or one transaction.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the open database.
type Store struct {
	db     *sql.DB
	stmts  *stmtCache
	counts *counts
	Aggregates
}

// Aggregates are the typed query sets, on the pool (Store) or on one
// transaction (Tx).
type Aggregates struct {
	Videos   *Videos
	Accounts *Accounts
	Sessions *Sessions
	Settings *Settings
}

// aggregates binds the query sets to q; db is set when q is the pool, so
// that multi-statement writes can open their own transaction.
func aggregates(q dbtx, db *sql.DB, c *counts) Aggregates {
	b := base{q: q, db: db, counts: c}
	return Aggregates{Videos: &Videos{b}, Accounts: &Accounts{b}, Sessions: &Sessions{b}, Settings: &Settings{b}}
}

type base struct {
	q      dbtx
	db     *sql.DB // nil inside a Tx
	counts *counts // listing totals, shared by the pool and its transactions
}

// atomic runs fn in a transaction: the caller's when inside WithTx, else
// one of its own. A write of several statements never lands half-way.
func (b base) atomic(ctx context.Context, fn func(q dbtx) error) error {
	if b.db == nil {
		return fn(b.q)
	}
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// Options tune Open.
type Options struct {
	// BackupDir receives a copy of an existing database before it is migrated.
	BackupDir string
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	c, sc := newCounts(), newStmtCache(db)
	s := &Store{db: db, stmts: sc, counts: c, Aggregates: aggregates(sc, db, c)}
	if err := s.migrate(ctx, opt.BackupDir); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// pageCacheKiB bounds each connection's page cache (PRAGMA cache_size).
const pageCacheKiB = 256

func openDB(path string) (*sql.DB, error) {
	if err := makePrivate(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// WAL lets readers run during a write; FULL sync because an SD card can
	// lose power at any moment and a lost commit could orphan media files.
	// cache_size: each pooled connection keeps its own page cache, in
	// SQLite's allocator (modernc's libc heap, which keeps what it once
	// mapped). At SQLite's default of 2 MB each, four connections held 8 MB
	// after a burst of listings on 10,000 videos, a quarter of the idle
	// memory; the pages also sit in the kernel's page cache, so a small
	// cache costs a pread, not a disk read (issue 9's figures unchanged).
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)",
		fmt.Sprintf("cache_size(-%d)", pageCacheKiB)} {
		q.Add("_pragma", p)
	}
	// BEGIN IMMEDIATE: a transaction that will write takes the lock up front
	// instead of failing with SQLITE_BUSY half-way.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// SQLite gives a new -wal and -shm the database file's mode, but files
	// left by an older Cabane (or another tool) keep theirs.
	for _, side := range []string{path + "-wal", path + "-shm"} {
		if err := os.Chmod(side, privateMode); err != nil && !errors.Is(err, os.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("restrict %s: %w", side, err)
		}
	}
	return db, nil
}

// Repo is the store as the domain services see it.
func (s *Store) Repo() repo.Store {
	return repo.Store{Aggregates: s.Aggregates.repo(), WithTx: func(ctx context.Context, fn func(tx repo.Tx) error) error {
		return s.WithTx(ctx, func(tx *Tx) error { return fn(repo.Tx{Aggregates: tx.Aggregates.repo(), SQL: tx.tx}) })
	}}
}

func (a Aggregates) repo() repo.Aggregates {
	return repo.Aggregates{Videos: a.Videos, Accounts: a.Accounts, Sessions: a.Sessions, Settings: a.Settings}
}

// privateMode is for the database and its copies: they hold password hashes
// and session token hashes, which no other local user may read.
const privateMode os.FileMode = 0o600

// makePrivate creates path empty with privateMode when it does not exist (so
// SQLite, which keeps an existing file's mode, never creates it world-
// readable), and narrows the mode of an existing one.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, privateMode)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Chmod(privateMode); err != nil {
		return fmt.Errorf("restrict %s: %w", path, err)
	}
	return nil
}

// DB exposes the handle to packages that keep their own tables (jobs).
func (s *Store) DB() *sql.DB { return s.db }

// Close checkpoints the WAL and closes the database.
func (s *Store) Close() error {
	// Folding the WAL back leaves a single self-contained file behind,
	// which is what a person copying the data directory expects.
	if s.stmts != nil {
		s.stmts.close()
	}
	_, _ = s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return s.db.Close()
}

// Tx is one write transaction: the aggregates bound to it, and the raw
// transaction for packages with tables of their own (the job queue).
type Tx struct {
	Aggregates
	tx *sql.Tx
}

// SQL is the underlying transaction, for jobs.Queue.EnqueueTx.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// WithTx runs fn in one transaction, committing when it returns nil and
// rolling back otherwise.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	if err := fn(&Tx{Aggregates: aggregates(tx, nil, s.counts), tx: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	// A listing read between a statement and this commit saw the old
	// snapshot and may have remembered its total under the new generation:
	// forget totals once more, now that the writes are visible.
	s.counts.invalidate()
	return nil
}

func now() int64 { return time.Now().UnixMilli() }
