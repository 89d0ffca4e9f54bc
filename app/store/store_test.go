package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

func open(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := Open(context.Background(), filepath.Join(dir, "cabane.db"), Options{BackupDir: filepath.Join(dir, "backups")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}

func TestOpenSetsPragmasAndMigrates(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	var mode string
	var fk, busy int
	st.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	st.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	st.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
	if mode != "wal" || fk != 1 || busy < 1000 {
		t.Errorf("journal_mode %s, foreign_keys %d, busy_timeout %d", mode, fk, busy)
	}
	v, err := st.SchemaVersion(ctx)
	ms, _ := loadMigrations(migrationFiles)
	if err != nil || v != ms[len(ms)-1].version {
		t.Errorf("schema version %d (%v), want %d", v, err, ms[len(ms)-1].version)
	}
}

// Every pooled connection, not only the first, bounds its page cache: the
// caches are per connection and their memory stays with the process.
func TestEveryConnectionBoundsItsPageCache(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	var conns []*sql.Conn
	for range 3 {
		c, err := st.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var size int
		if err := c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != -pageCacheKiB {
			t.Errorf("connection %d: cache_size %d, want %d (KiB)", i, size, -pageCacheKiB)
		}
		c.Close()
	}
}

// Migrating an existing database keeps a copy first; each migration is its
// own transaction, so a failing one leaves the earlier ones applied and
// nothing of itself.
func TestMigrationBackupAndAtomicity(t *testing.T) {
	ctx := context.Background()
	st, dir := open(t)
	if _, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "a@example.org", PasswordHash: "x", ChannelName: "alice_ch"}); err != nil {
		t.Fatal(err)
	}
	good := fstest.MapFS{
		"migrations/0001_init.sql":  {Data: []byte("SELECT 1;")},
		"migrations/9001_extra.sql": {Data: []byte("CREATE TABLE extra (id INTEGER PRIMARY KEY);")},
		"migrations/9002_bad.sql":   {Data: []byte("CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);")},
	}
	err := st.migrateFrom(ctx, good, filepath.Join(dir, "backups"))
	if err == nil || !strings.Contains(err.Error(), "9002_bad") {
		t.Fatalf("bad migration: err %v", err)
	}
	if v, _ := st.SchemaVersion(ctx); v != 9001 {
		t.Errorf("version after a failed migration: %d, want 9001", v)
	}
	var n int
	if err := st.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed migration left its table behind (%d, %v)", n, err)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "backups", "*.db"))
	if len(backups) == 0 {
		t.Fatal("no backup made before migrating an existing database")
	}
	// The backup is a real database at the old version, with the data.
	b, err := Open(ctx, backups[0], Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Accounts.UserByLogin(ctx, "alice"); err != nil {
		t.Errorf("backup lacks the user: %v", err)
	}
}

// A database a newer Cabane migrated is refused, not misread: an older
// release must not open it (the update's rollback restores the copy instead).
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	st, _ := open(t)
	newer := fstest.MapFS{"migrations/9999_future.sql": {Data: []byte("CREATE TABLE future (id INTEGER);")}}
	if err := st.migrateFrom(ctx, newer, ""); err != nil {
		t.Fatal(err)
	}
	err := st.migrate(ctx, "")
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("opening a v9999 database: %v", err)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"migrations/init.sql": {Data: []byte("")}},
		"duplicate": {"migrations/0001_a.sql": {Data: []byte("")}, "migrations/0001_b.sql": {Data: []byte("")}},
	} {
		if _, err := loadMigrations(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCreateUserNamesAreUnique(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	u, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "a@example.org", PasswordHash: "h", Role: model.RoleAdmin, ChannelName: "films"})
	if err != nil || u.AccountID == 0 || ch.Account.Name != "alice" {
		t.Fatalf("create: %+v %+v %v", u, ch, err)
	}
	for _, nu := range []repo.NewUser{
		{Username: "ALICE", Email: "b@example.org", ChannelName: "other"},  // user names ignore case
		{Username: "bob", Email: "A@example.org", ChannelName: "other2"},   // so do e-mails
		{Username: "bob", Email: "b@example.org", ChannelName: "films"},    // channel taken
		{Username: "films", Email: "c@example.org", ChannelName: "films2"}, // account named like a channel
		{Username: "carol", Email: "d@example.org", ChannelName: "alice"},  // channel named like an account
	} {
		if _, _, err := st.Accounts.CreateUser(ctx, nu); !errors.Is(err, ErrConflict) {
			t.Errorf("%+v: err %v, want ErrConflict", nu, err)
		}
	}
	if ok, _ := st.Accounts.HasAdmin(ctx); !ok {
		t.Error("HasAdmin false after creating an admin")
	}
	// A failed creation left no half user behind.
	if _, err := st.Accounts.UserByLogin(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("half-created user: %v", err)
	}
}

func TestCloseLeavesNoWAL(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cabane.db")
	st, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Accounts.CreateUser(context.Background(), repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "h", ChannelName: "a_ch"})
	st.Close()
	if fi, err := os.Stat(p + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("WAL of %d bytes after Close", fi.Size())
	}
}

func TestVideoByIDEveryFormUsesAnIndex(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	_, ch, _ := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "h", ChannelName: "a_ch"})
	v := &model.Video{UUID: "0b6e1c5e-9d0a-4b8f-8f5e-2a1f3c4d5e6f", ShortUUID: "2ZbZ3pC9mGZ8mUXHzRbk1V", ChannelID: ch.ID, Name: "v"}
	if err := st.Videos.Create(ctx, v); err != nil {
		t.Fatal(err)
	}
	for _, got := range []func() (model.Video, error){
		func() (model.Video, error) { return st.Videos.ByUUID(ctx, v.UUID) },
		func() (model.Video, error) { return st.Videos.ByShortUUID(ctx, v.ShortUUID) },
		func() (model.Video, error) { return st.Videos.ByID(ctx, v.ID) },
	} {
		if g, err := got(); err != nil || g.ID != v.ID {
			t.Errorf("lookup = %d, %v", g.ID, err)
		}
	}
	if _, err := st.Videos.ByID(ctx, v.ID+1); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing id: %v, want ErrNotFound", err)
	}
	if _, err := st.Videos.ByShortUUID(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing short UUID: %v, want ErrNotFound", err)
	}
	var plan string
	rows, _ := st.db.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT id FROM videos v WHERE v.short_uuid = ?", v.ShortUUID)
	for rows.Next() {
		var a, b, c int
		var d string
		rows.Scan(&a, &b, &c, &d)
		plan += d
	}
	rows.Close()
	if !strings.Contains(plan, "INDEX") {
		t.Errorf("short UUID lookup scans: %s", plan)
	}
}

// Unique violations are told by SQLite's result code, whatever the message
// says (it changes between SQLite versions and languages).
func TestConflictsByResultCode(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "h", ChannelName: "a_ch"})
	if err != nil {
		t.Fatal(err)
	}
	// Same e-mail, other names: only the UNIQUE constraint catches it.
	if _, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "b", Email: "A@example.org", PasswordHash: "h", ChannelName: "b_ch"}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate e-mail: %v, want ErrConflict", err)
	}
	v := model.Video{UUID: "0b6e1c5e-9d0a-4b8f-8f5e-2a1f3c4d5e6f", ShortUUID: "x", ChannelID: ch.ID, Name: "v"}
	if err := st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	v2 := v
	v2.ShortUUID = "y"
	if err := st.Videos.Create(ctx, &v2); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate UUID: %v, want ErrConflict", err)
	}
	if isUnique(errors.New("UNIQUE constraint failed: videos.uuid")) {
		t.Error("a message alone was taken for a constraint failure")
	}
}

// A listing total counted while a transaction is still open must not
// outlive its commit (the count sees the old snapshot).
func TestListingTotalAfterCommit(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "h", ChannelName: "a_ch"})
	if err != nil {
		t.Fatal(err)
	}
	q := repo.VideoQuery{ChannelID: ch.ID}
	err = st.WithTx(ctx, func(tx *Tx) error {
		v := model.Video{UUID: "0b6e1c5e-9d0a-4b8f-8f5e-2a1f3c4d5e6f", ShortUUID: "x", ChannelID: ch.ID, Name: "v"}
		if err := tx.Videos.Create(ctx, &v); err != nil {
			return err
		}
		// Another connection reads (and remembers) the total meanwhile.
		if _, n, err := st.Videos.List(ctx, q); err != nil || n != 0 {
			t.Errorf("total during the transaction: %d, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if vs, n, err := st.Videos.List(ctx, q); err != nil || n != 1 || len(vs) != 1 {
		t.Errorf("after commit: total %d, %d rows, %v; want 1", n, len(vs), err)
	}
}
