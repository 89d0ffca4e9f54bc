package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"testing/fstest"

	"cabane.dev/cabane/app/repo"
)

// The database holds password hashes: it, its WAL files and its backups are
// readable by the owner only, even under a permissive umask, and a file left
// world-readable by an older version is narrowed on open.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "cabane.db")
	st, err := Open(ctx, db, Options{BackupDir: filepath.Join(dir, "backups")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "a@example.org", PasswordHash: "x", ChannelName: "alice_ch"}); err != nil {
		t.Fatal(err)
	}
	// A migration on a non-empty database writes a backup first.
	extra := fstest.MapFS{"migrations/9001_extra.sql": {Data: []byte("CREATE TABLE extra (id INTEGER PRIMARY KEY);")}}
	if err := st.migrateFrom(ctx, extra, filepath.Join(dir, "backups")); err != nil {
		t.Fatal(err)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "backups", "*.db"))
	if len(backups) != 1 {
		t.Fatalf("backups: %v", backups)
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", backups[0]} {
		assertMode(t, p, 0o600)
	}
	// Forget the made-up migration: Open refuses a schema newer than it knows.
	if _, err := st.db.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = 9001"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// An existing database created 0644 is narrowed on open.
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	st, err = Open(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Accounts.UserByLogin(ctx, "alice"); err != nil {
		t.Fatalf("reopened database lost its data: %v", err)
	}
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		assertMode(t, p, 0o600)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("%s: %v", filepath.Base(path), err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", filepath.Base(path), got, want)
	}
}
