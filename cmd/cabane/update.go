package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/update"
)

// updateCmd is `cabane update FILE|URL`: stage a signed release into the
// data directory, then ask the running server to restart on it and report
// whether it was installed or rolled back.
func updateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := loadConfig("update", args, stderr)
	if err != nil {
		return err
	}
	wait := fs.Duration("wait", 90*time.Second, "how long to wait for the restarted server to be installed or rolled back")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cabane update [--data DIR] [--wait 90s] FILE|URL")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one update file or URL")
	}
	key, err := update.ParsePublicKey(releaseKey)
	if err != nil {
		return err
	}
	src := fs.Arg(0)
	isURL := strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
	var in io.ReadCloser
	if !isURL {
		// Opened before privileges are dropped: the file may be root's.
		if in, err = os.Open(src); err != nil {
			return fmt.Errorf("open update: %w", err)
		}
	}
	l := config.Layout{Root: cfg.DataDir}
	if err := becomeOwner(l.Root); err != nil {
		return err
	}
	if isURL {
		if in, err = download(ctx, src); err != nil {
			return err
		}
	}
	defer in.Close()
	if err := os.MkdirAll(l.Releases(), 0o750); err != nil {
		return fmt.Errorf("create %s: %w", l.Releases(), err)
	}
	self, _ := os.Executable()
	id, err := update.Identify(self, version)
	if err != nil {
		return err
	}
	dir := update.Dir(l.Releases())
	st := update.Stager{Dir: dir, DB: l.DB(), Launcher: id, Snapshot: snapshotOf(l.DB()),
		Log:     slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Running: update.Running{Key: key, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Version: version}}
	started := time.Now()
	m, err := st.Stage(ctx, in)
	if err != nil {
		return fmt.Errorf("update refused, nothing changed: %w", err)
	}
	fmt.Fprintf(stdout, "verified and staged version %s\n", m.Version)
	pid := serverPID(l)
	if pid == 0 {
		fmt.Fprintf(stdout, "no Cabane is running on %s: version %s starts with the next start of the service\n", l.Root, m.Version)
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("ask the server (pid %d) to restart: %w", pid, err)
	}
	fmt.Fprintf(stdout, "restarting the server (pid %d) on %s…\n", pid, m.Version)
	return waitOutcome(ctx, dir, m.Version, started, *wait, stdout)
}

// waitOutcome polls the state until the release is committed or rolled
// back.
func waitOutcome(ctx context.Context, dir update.Dir, v string, since time.Time, wait time.Duration, stdout io.Writer) error {
	deadline := time.Now().Add(wait)
	for {
		s, err := dir.Load()
		if err == nil {
			if !s.Pending && s.Current == v {
				fmt.Fprintf(stdout, "version %s is installed and answers its health check\n", v)
				return nil
			}
			if r := s.LastRollback; r != nil && r.From == v && !r.At.Before(since.Add(-time.Second)) {
				return fmt.Errorf("version %s was rolled back to %s: %s", v, nameOf(r.To), r.Reason)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no outcome after %s (attempt %d of version %s); see journalctl -u cabane", wait, s.Attempts, v)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func nameOf(v string) string {
	if v == "" {
		return "the installed binary"
	}
	return v
}

// becomeOwner: run as root (sudo cabane update), take the data
// directory's owner's identity, so every file staged, the database's
// -wal and -shm included, belongs to the service, and the signal reaches
// it.
func becomeOwner(dataDir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || sys.Uid == 0 {
		return nil
	}
	if err := syscall.Setgroups(nil); err != nil {
		return fmt.Errorf("drop groups: %w", err)
	}
	if err := syscall.Setgid(int(sys.Gid)); err != nil {
		return fmt.Errorf("become group %d: %w", sys.Gid, err)
	}
	if err := syscall.Setuid(int(sys.Uid)); err != nil {
		return fmt.Errorf("become user %d: %w", sys.Uid, err)
	}
	return nil
}

// download fetches an update over HTTP(S), bounded in size and time.
func download(ctx context.Context, url string) (io.ReadCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("download %s: %s", url, resp.Status)
	}
	if resp.ContentLength > update.MaxBinary+4096 {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("download %s: %d bytes is larger than any update", url, resp.ContentLength)
	}
	// The header's size bounds what is read of the body.
	return struct {
		io.Reader
		io.Closer
	}{resp.Body, closeFunc(func() error { defer cancel(); return resp.Body.Close() })}, nil
}

type closeFunc func() error

func (f closeFunc) Close() error { return f() }

// serverPID is the pid of the Cabane serving dataDir, or 0: the pid the
// lock file records, if that process is alive and is a cabane.
func serverPID(l config.Layout) int {
	b, err := os.ReadFile(l.Lock())
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return 0
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), "cabane") {
		return 0
	}
	return pid
}
