package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := filepath.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and _", base)
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// SchemaVersion is the highest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}

// ErrSchemaTooNew: the database was migrated by a newer Cabane.
var ErrSchemaTooNew = errors.New("database from a newer version")

func (s *Store) migrate(ctx context.Context, backupDir string) error {
	return s.migrateFrom(ctx, migrationFiles, backupDir)
}

func (s *Store) migrateFrom(ctx context.Context, fsys fs.FS, backupDir string) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if n := len(ms); n > 0 && cur > ms[n-1].version {
		// A newer Cabane migrated this file: this one would misread it
		// (an update rolled back by hand, or an older release installed).
		return fmt.Errorf("database schema v%d is newer than this Cabane knows (v%d): %w", cur, ms[n-1].version, ErrSchemaTooNew)
	}
	var pending []migration
	for _, m := range ms {
		if m.version > cur {
			pending = append(pending, m)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if cur > 0 && backupDir != "" {
		// An existing database is about to change shape: keep a consistent
		// copy first, so a bad migration never costs a creator their data.
		if err := os.MkdirAll(backupDir, 0o750); err != nil {
			return fmt.Errorf("backup dir: %w", err)
		}
		dst := filepath.Join(backupDir, fmt.Sprintf("cabane-v%d-%s.db", cur, time.Now().UTC().Format("20060102T150405Z")))
		if err := makePrivate(dst); err != nil { // VACUUM INTO accepts an empty file and keeps its mode
			return fmt.Errorf("back up database: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
			return fmt.Errorf("back up database before migrating from v%d: %w", cur, err)
		}
	}
	for _, m := range pending {
		err := s.WithTx(ctx, func(tx *Tx) error {
			if _, err := tx.SQL().ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.SQL().ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, now())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}
