package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"cabane.dev/cabane/app"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/update"
	"cabane.dev/cabane/app/web"
)

// envLauncher is set by the launcher when it starts a release: the path
// of the launcher, which the release re-executes to restart, and the sign
// that the launcher step already ran.
const envLauncher = "CABANE_LAUNCHER"

// launch is the launcher step at the start of `cabane serve`: in the
// factory binary it may replace this process with the current release (or
// roll a failing one back first). It returns when this process should
// serve.
func launch(ctx context.Context, l config.Layout, log *slog.Logger) {
	if os.Getenv(envLauncher) != "" {
		return
	}
	self, err := os.Executable()
	if err != nil {
		log.Warn("update launcher: cannot find this binary; running it", "err", err)
		return
	}
	dir := update.Dir(l.Releases())
	if dir.Inside(self) {
		return // a release started by hand: it is not a launcher
	}
	if _, err := os.Stat(l.Releases() + "/state.json"); err != nil {
		return // never updated: nothing to decide, no binary to hash
	}
	// Another server on this directory must not see its release rolled
	// back under it: decide only while holding the data directory's lock
	// (app.Open then reports the other server).
	lock, err := app.LockDataDir(l.Root)
	if err != nil {
		return
	}
	defer lock.Close() // released before app.Open takes it; exec closes it too
	id, err := update.Identify(self, version)
	if err != nil {
		log.Error("update launcher: running the installed binary", "err", err)
		return
	}
	ln := update.Launcher{Dir: dir, DB: l.DB(), Self: id, Snapshot: snapshotOf(l.DB()), Log: log.With("part", "update")}
	bin, err := ln.Decide(ctx)
	if err != nil {
		log.Error("update launcher: running the installed binary", "err", err)
		return
	}
	if bin == "" || bin == self {
		return
	}
	if os.Geteuid() == 0 && !rootOwned(bin) {
		// Someone runs the server by hand as root: never execute a file
		// the (sandboxed) service user could have replaced since its
		// signature was checked.
		log.Warn("update launcher: running as root, so not starting a release that the service user owns; run the service instead", "binary", bin)
		return
	}
	env := append(withoutEnv(os.Environ(), envLauncher), envLauncher+"="+self)
	log.Info("starting release", "binary", bin)
	err = syscall.Exec(bin, append([]string{bin}, os.Args[1:]...), env)
	// Still here: the release cannot even be started.
	log.Error("update launcher: start release; rolling it back", "binary", bin, "err", err)
	if err := ln.Abandon("it could not be started: " + err.Error()); err != nil {
		log.Error("update launcher: roll back", "err", err)
	}
}

func withoutEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// lifecycle is what serve adds for updates: a pending release's deadline
// and health check, sd_notify, and the restart through the launcher.
type lifecycle struct {
	log       *slog.Logger
	dir       update.Dir
	layout    config.Layout
	launcher  string // what a restart executes
	pending   bool
	deadline  time.Time
	committed atomic.Bool
	restart   atomic.Bool
	cancel    context.CancelCauseFunc
}

var errRestart = errors.New("restart requested")

func newLifecycle(l config.Layout, log *slog.Logger) *lifecycle {
	lc := &lifecycle{log: log.With("part", "update"), dir: update.Dir(l.Releases()), layout: l}
	self, _ := os.Executable()
	lc.launcher = os.Getenv(envLauncher)
	if lc.launcher == "" {
		lc.launcher = self
	}
	if os.Getenv(envLauncher) == "" && !lc.dir.Inside(self) {
		return lc // the factory binary: never pending
	}
	deadline, pending, err := lc.dir.PendingFor(version)
	if err != nil {
		lc.log.Error("read update state", "err", err)
	}
	lc.pending, lc.deadline = pending, deadline
	if pending {
		// Whatever hangs (opening the database, a port), the release must
		// not outlive its window unproven: exiting lets systemd restart
		// the launcher, which rolls it back.
		time.AfterFunc(time.Until(deadline), func() {
			if !lc.committed.Load() {
				lc.log.Error("release " + version + " did not pass its health check in time: exiting for the launcher to roll it back")
				os.Exit(3)
			}
		})
	}
	return lc
}

// context wraps the server's context: SIGHUP, or an admin upload, ends it
// for a restart.
func (lc *lifecycle) context(ctx context.Context) context.Context {
	ctx, lc.cancel = context.WithCancelCause(ctx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		select {
		case <-hup:
			lc.log.Info("SIGHUP: restarting through the launcher")
			lc.requestRestart()
		case <-ctx.Done():
		}
	}()
	return ctx
}

func (lc *lifecycle) requestRestart() {
	lc.restart.Store(true)
	lc.cancel(errRestart)
}

// onListening proves a pending release healthy, commits it, and tells
// systemd the service is ready.
func (lc *lifecycle) onListening(ctx context.Context, addr net.Addr) {
	if lc.pending {
		url := "http://" + loopback(addr) + "/api/v1/config"
		if err := update.WaitHealthy(ctx, url, lc.deadline); err != nil {
			if ctx.Err() == nil {
				lc.cancel(fmt.Errorf("release %s failed its health check: %w", version, err))
			}
			return
		}
		if err := lc.dir.Commit(version); err != nil {
			lc.cancel(fmt.Errorf("commit release %s: %w", version, err))
			return
		}
		lc.committed.Store(true)
		lc.log.Info("update installed: release answers its health check", "version", version)
	}
	if err := update.Notify("READY=1"); err != nil {
		lc.log.Warn("tell systemd the service is ready", "err", err)
	}
}

// loopback is the address to reach our own listener.
func loopback(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := ta.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(ta.Port))
}

// finish turns the end of the run into serve's result; after a requested
// restart it executes the launcher and does not return.
func (lc *lifecycle) finish(ctx context.Context, runErr error) error {
	cause := context.Cause(ctx)
	if runErr != nil {
		return runErr
	}
	if cause != nil && !errors.Is(cause, errRestart) && !errors.Is(cause, context.Canceled) {
		return cause // the health check failed: a non-zero exit
	}
	if !lc.restart.Load() {
		return nil
	}
	lc.log.Info("restarting", "launcher", lc.launcher)
	err := syscall.Exec(lc.launcher, append([]string{lc.launcher}, os.Args[1:]...), withoutEnv(os.Environ(), envLauncher))
	return fmt.Errorf("restart through %s: %w", lc.launcher, err)
}

// stager installs updates into this data directory.
func (lc *lifecycle) stager(snapshot func(context.Context, string) error) (update.Stager, error) {
	key, err := update.ParsePublicKey(releaseKey)
	if err != nil {
		return update.Stager{}, err
	}
	id, err := update.Identify(lc.launcher, "")
	if err != nil {
		return update.Stager{}, err
	}
	return update.Stager{Dir: lc.dir, DB: lc.layout.DB(), Launcher: id, Snapshot: snapshot, Log: lc.log,
		Running: update.Running{Key: key, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Version: version}}, nil
}

// snapshotOf copies the database at path through a connection of its own
// (the CLI, and the launcher before any server runs).
func snapshotOf(path string) func(ctx context.Context, dst string) error {
	return func(ctx context.Context, dst string) error {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		defer db.Close()
		return update.VacuumInto(ctx, db, dst)
	}
}

// adminHooks let the admin page install an update into this server: the
// snapshot is taken on the server's own connection.
func (lc *lifecycle) adminHooks(db *sql.DB) *web.UpdateHooks {
	h := &web.UpdateHooks{State: lc.dir.Load, Restart: lc.requestRestart}
	if _, err := update.ParsePublicKey(releaseKey); err != nil {
		h.Unavailable = err.Error()
	}
	h.Stage = func(ctx context.Context, r io.Reader) (update.Manifest, error) {
		st, err := lc.stager(func(ctx context.Context, dst string) error { return update.VacuumInto(ctx, db, dst) })
		if err != nil {
			return update.Manifest{}, err
		}
		return st.Stage(ctx, r)
	}
	return h
}

// rootOwned reports whether only root can have written the file at path.
func rootOwned(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == 0 && fi.Mode().Perm()&0o022 == 0
}
