package update

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
)

// The rules a pending release must meet.
const (
	// HealthWindow is how long a new release has, from its first start, to
	// answer its own health check.
	HealthWindow = 60 * time.Second
	// MaxAttempts is how many starts a pending release gets: a fourth
	// start means it crashed three times.
	MaxAttempts = 3
)

// Reasons recorded in last_rollback.
const (
	ReasonCrashed    = "crashed 3 times"
	ReasonNoHealth   = "no health check within 60 s"
	ReasonNoSnapshot = "the database could not be copied before the first start"
	ReasonNoBinary   = "its binary is missing"
)

// Launcher is the start of `cabane serve` in the factory binary (the one
// the image or the package installed): it decides which release runs.
type Launcher struct {
	Dir  Dir
	DB   string
	Self Identity
	Now  func() time.Time
	// Snapshot refreshes the pre-update copy at a release's first start,
	// while no server writes: no data is lost between staging and start.
	Snapshot func(ctx context.Context, dst string) error
	Log      *slog.Logger
}

// Decide applies the state machine and returns the release binary to
// run, or "" to run the launcher's own code. An error leaves the box on
// the launcher's own binary, which always starts.
func (l Launcher) Decide(ctx context.Context) (string, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	log := l.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := l.Dir.Load()
	if err != nil {
		return "", err
	}
	if st.Launcher.SHA256 != l.Self.SHA256 {
		if st.Launcher.SHA256 != "" && st.Current != "" {
			// apt (or a new image) replaced the factory binary: it is
			// authoritative, the releases installed over the old one are
			// not.
			log.Warn("the installed binary changed since the last update: running it, not release "+st.Current,
				"installed", l.Self.Version, "release", st.Current)
			st.Current, st.Previous, st.Pending, st.Attempts, st.Deadline = "", "", false, 0, time.Time{}
		}
		st.Launcher = l.Self
		if err := l.Dir.Save(st); err != nil {
			return "", err
		}
	}
	if st.Current == "" {
		return "", nil
	}
	if st.Pending {
		st.Attempts++
		reason := ""
		switch {
		case st.Attempts == 1:
			st.Deadline = now().Add(HealthWindow)
			if err := l.refreshSnapshot(ctx, st.Current); err != nil {
				log.Error("update: copy the database before the first start", "err", err)
				reason = ReasonNoSnapshot
			}
		case st.Attempts > MaxAttempts:
			reason = ReasonCrashed
		case now().After(st.Deadline):
			reason = ReasonNoHealth
		}
		// Persist the attempt before anything else: a crash from here on
		// still counts.
		if err := l.Dir.Save(st); err != nil {
			return "", err
		}
		if reason != "" {
			if st, err = l.rollBack(st, reason); err != nil {
				return "", err
			}
		}
	}
	if st.Current == "" {
		return "", nil
	}
	bin := l.Dir.Binary(st.Current)
	if _, err := os.Stat(bin); err != nil {
		if st, err = l.rollBack(st, ReasonNoBinary); err != nil {
			return "", err
		}
		if st.Current == "" {
			return "", nil
		}
		bin = l.Dir.Binary(st.Current)
	}
	return bin, nil
}

// Abandon rolls the current release back now (its binary would not even
// start); it does nothing when the factory binary is current.
func (l Launcher) Abandon(reason string) error {
	st, err := l.Dir.Load()
	if err != nil || st.Current == "" {
		return err
	}
	_, err = l.rollBack(st, reason)
	return err
}

// refreshSnapshot replaces the staging-time copy with one taken now.
func (l Launcher) refreshSnapshot(ctx context.Context, v string) error {
	if _, err := os.Stat(l.DB); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if l.Snapshot == nil {
		return nil // the staging-time copy stays
	}
	dst := l.Dir.snapshot(v)
	tmp := dst + ".new"
	os.Remove(tmp)
	if err := l.Snapshot(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return durable.Rename(tmp, dst)
}

// rollBack restores the database copied before the failed release (when
// that release may have changed it), goes back to the previous release and
// records why. It is safe to repeat: a
// power cut half-way rolls back again at the next start.
func (l Launcher) rollBack(st State, reason string) (State, error) {
	failed := st.Current
	snap := l.Dir.snapshot(failed)
	// The copy goes back only over a database that a pending release may
	// have changed. A release that never started (its copy could not be
	// taken) left the live database as the previous one wrote it, and a
	// committed release's database holds everything since: putting an
	// older copy there would lose it. (A previous binary that finds a
	// newer schema refuses to start rather than misread it.)
	restore := st.Pending && reason != ReasonNoSnapshot
	if _, err := os.Stat(snap); err == nil && restore {
		if err := restoreDB(snap, l.DB); err != nil {
			return st, fmt.Errorf("roll back %s: %w", failed, err)
		}
	}
	at := time.Now
	if l.Now != nil {
		at = l.Now
	}
	st.LastRollback = &Rollback{From: failed, To: st.Previous, Reason: reason, At: at().UTC()}
	st.Current, st.Previous, st.Pending, st.Attempts, st.Deadline = st.Previous, "", false, 0, time.Time{}
	if err := l.Dir.Save(st); err != nil {
		return st, err
	}
	if l.Log != nil {
		l.Log.Error("update rolled back", "from", failed, "to", nameOf(st.Current), "reason", reason)
	}
	os.RemoveAll(l.Dir.release(failed))
	return st, nil
}

// nameOf is how the factory binary is named in messages.
func nameOf(v string) string {
	if v == "" {
		return "the installed binary"
	}
	return v
}

// restoreDB puts the snapshot in place of the database: a copy beside it,
// fsynced, then the WAL of the failed release removed, then the rename.
func restoreDB(snap, db string) error {
	tmp := db + ".rollback"
	if err := copyFile(snap, tmp); err != nil {
		return err
	}
	for _, side := range []string{db + "-wal", db + "-shm"} {
		if err := os.Remove(side); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", side, err)
		}
	}
	return durable.Rename(tmp, db)
}

// Identify hashes a binary.
func Identify(path, version string) (Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return Identity{}, fmt.Errorf("identify %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Identity{}, fmt.Errorf("identify %s: %w", path, err)
	}
	return Identity{Path: path, Version: version, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Inside reports whether the binary at path is one of the releases (a
// release never acts as the launcher).
func (d Dir) Inside(path string) bool {
	rel, err := filepath.Rel(string(d), path)
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}
