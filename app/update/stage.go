package update

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
)

// Stager installs an update file as the next release, without switching
// to it: the launcher does that at the next start.
type Stager struct {
	Dir     Dir
	DB      string // the live database, cabane.db
	Running Running
	// Launcher is recorded in a new state file; the launcher corrects it
	// at its next start if it is another binary.
	Launcher Identity
	// Snapshot writes a consistent copy of the live database to dst
	// (VACUUM INTO on the server's own connection, or a fresh one).
	Snapshot func(ctx context.Context, dst string) error
	Log      *slog.Logger
	// MigrateTimeout bounds the new binary's trial migration.
	MigrateTimeout time.Duration
}

// Stage verifies the update read from r, writes its binary, checks that
// the new binary can migrate a copy of the database, and marks it
// pending. On any error nothing of the installed state changes.
func (s Stager) Stage(ctx context.Context, r io.Reader) (Manifest, error) {
	br := bufio.NewReader(r)
	h, err := ReadHeader(br)
	if err != nil {
		return Manifest{}, err
	}
	if err := h.Accept(s.Running); err != nil {
		return h.Manifest, err
	}
	st, err := s.Dir.Load()
	if err != nil {
		return h.Manifest, err
	}
	if st.Pending && st.Attempts > 0 {
		return h.Manifest, fmt.Errorf("version %s is being tried now; wait until it is installed or rolled back", st.Current)
	}
	v := h.Version
	if st.Current == v && !st.Pending {
		return h.Manifest, fmt.Errorf("version %s is already installed", v)
	}
	staging := s.Dir.stagingDir(v)
	if err := os.RemoveAll(staging); err != nil {
		return h.Manifest, fmt.Errorf("clear %s: %w", staging, err)
	}
	if err := os.MkdirAll(staging, 0o750); err != nil {
		return h.Manifest, fmt.Errorf("create %s: %w", staging, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(staging)
		}
	}()
	if err := writeBinary(s.Dir.stagedBinary(v), h, br); err != nil {
		return h.Manifest, err
	}
	snap := filepath.Join(staging, "pre-update.db")
	if err := s.snapshot(ctx, snap); err != nil {
		return h.Manifest, err
	}
	if err := s.tryMigrate(ctx, s.Dir.stagedBinary(v), snap, staging); err != nil {
		return h.Manifest, err
	}
	// In place: the release directory, then the state that points at it.
	final := s.Dir.release(v)
	if err := os.RemoveAll(final); err != nil {
		return h.Manifest, fmt.Errorf("replace %s: %w", final, err)
	}
	if err := durable.Rename(staging, final); err != nil {
		return h.Manifest, err
	}
	done = true
	next := st
	if !(st.Pending && st.Attempts == 0) {
		// A staged release that never started is replaced, not kept as
		// the one to go back to.
		next.Previous = st.Current
	}
	next.Current, next.Pending, next.Attempts, next.Deadline = v, true, 0, time.Time{}
	if next.Launcher.SHA256 == "" {
		next.Launcher = s.Launcher
	}
	if err := s.Dir.Save(next); err != nil {
		return h.Manifest, err
	}
	s.logger().Info("update staged", "version", v, "previous", next.Previous)
	return h.Manifest, nil
}

func (s Stager) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// writeBinary writes the verified body, executable, and fsyncs it.
func writeBinary(path string, h Header, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return fmt.Errorf("write the new binary: %w", err)
	}
	if err := h.CopyBody(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// snapshot copies the live database, if there is one yet.
func (s Stager) snapshot(ctx context.Context, dst string) error {
	if _, err := os.Stat(s.DB); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if s.Snapshot == nil {
		return errors.New("no way to snapshot the database")
	}
	if err := s.Snapshot(ctx, dst); err != nil {
		return fmt.Errorf("snapshot the database: %w", err)
	}
	return nil
}

// tryMigrate runs the new binary's migrations on a copy of the snapshot:
// a release that cannot open this database is refused before anything
// switches to it.
func (s Stager) tryMigrate(ctx context.Context, bin, snap, dir string) error {
	trial := filepath.Join(dir, "migrate-trial.db")
	defer func() {
		for _, p := range []string{trial, trial + "-wal", trial + "-shm", trial + "-journal"} {
			os.Remove(p)
		}
	}()
	if _, err := os.Stat(snap); err == nil {
		if err := copyFile(snap, trial); err != nil {
			return err
		}
	}
	timeout := s.MigrateTimeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "migrate", "--db", trial)
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return fmt.Errorf("the new binary cannot migrate a copy of the database (%w): %s", err, msg)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("sync %s: %w", to, err)
	}
	return out.Close()
}

// VacuumInto writes a consistent copy of db to dst (which must not exist)
// while others keep reading and writing.
func VacuumInto(ctx context.Context, db *sql.DB, dst string) error {
	// VACUUM INTO keeps the mode of an empty file it is given: the copy
	// holds everything the database does, so it is private.
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	f.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		os.Remove(dst)
		return fmt.Errorf("VACUUM INTO %s: %w", dst, err)
	}
	if err := durable.SyncFile(dst); err != nil {
		return err
	}
	return nil
}
