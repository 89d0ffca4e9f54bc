// Package store keeps Cabane's state in one SQLite file (modernc.org/sqlite,
// pure Go): opening it with the right pragmas, migrating it from embedded SQL,
// and typed queries for the rest of the app.
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
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique name is already taken.
var ErrConflict = errors.New("already exists")

// Store is the open database.
type Store struct {
	db *sql.DB
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
	s := &Store{db: db}
	if err := s.migrate(ctx, opt.BackupDir); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func openDB(path string) (*sql.DB, error) {
	if err := makePrivate(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// WAL lets readers run during a write; FULL sync because an SD card can
	// lose power at any moment and a lost commit could orphan media files.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"} {
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
	db.SetMaxIdleConns(2)
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
	_, _ = s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return s.db.Close()
}

func now() int64 { return time.Now().UnixMilli() }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
