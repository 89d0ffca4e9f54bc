package app

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"cabane.dev/cabane/app/config"
)

// lockDataDir takes the data directory for this process. Two servers on
// one directory would each clear the other's partial uploads, kill its
// ffmpeg as "left by the last run" and run its jobs twice; the second one
// must stop before touching anything. The kernel drops the lock when the
// process dies, kill -9 included.
func lockDataDir(dir string) (*os.File, error) {
	path := config.Layout{Root: dir}.Lock()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another Cabane is already running on the data directory %s", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The holder's pid, for `cabane update` to signal (SIGHUP: restart
	// through the launcher). Only ever read as a hint.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "%d\n", os.Getpid())
	}
	return f, nil
}

// LockDataDir takes the data directory's lock outside an App: the update
// launcher decides (and may restore the database) only while it holds it.
// Close the file to release it; an exec releases it too (close-on-exec).
func LockDataDir(dir string) (*os.File, error) { return lockDataDir(dir) }
