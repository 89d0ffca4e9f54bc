package testrig

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options are how to start the app. The zero value is a fresh data
// directory, a free loopback port, debug logs and mDNS off (tests never
// announce in the root network namespace).
type Options struct {
	Data     string   // data directory; a new t.TempDir()/data when empty
	Args     []string // further `cabane serve` flags
	Env      []string // further environment, e.g. "CABANE_MAX_UPLOAD=20M"
	LogLevel string   // "debug" when empty
	// Addr is the 127.0.0.1 host:port to listen on, FreeAddr's when
	// empty: a test that must name the address before the start (a public
	// URL, another instance's configuration) picks it first.
	Addr string
}

// App is one running `cabane serve` process.
type App struct {
	t    testing.TB
	Bin  string
	Data string
	Addr string // host:port where plain HTTP answers
	opts Options

	cmd     *exec.Cmd
	log     *LockedBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // its exit status, once done is closed
}

// FreeAddr picks a free 127.0.0.1 port. The listener is closed before the
// server binds it; nothing else on a test box races for that port in the
// few milliseconds between.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Start runs the binary (built once per process) and waits until
// /healthz answers. The test's cleanup stops it (SIGTERM, then SIGKILL to
// its process group after 30 s) and prints its log if the test failed.
func Start(t testing.TB, opts Options) *App {
	t.Helper()
	if opts.Data == "" {
		opts.Data = filepath.Join(t.TempDir(), "data")
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "debug"
	}
	addr := opts.Addr
	if addr == "" {
		addr = FreeAddr(t)
	}
	a := &App{t: t, Bin: Binary(t), Data: opts.Data, Addr: addr, opts: opts, log: &LockedBuffer{}, done: make(chan struct{})}
	// STUN on a port of its own: apps of parallel tests would fight over 3478.
	args := append([]string{"serve", "--data", a.Data, "--listen", a.Addr, "--log-level", opts.LogLevel, "--mdns=false", "--stun-addr", "127.0.0.1:0"}, opts.Args...)
	for i, arg := range opts.Args {
		if arg == "--http-listen" && i+1 < len(opts.Args) {
			a.Addr = opts.Args[i+1] // with TLS on, plain HTTP answers there
		}
	}
	a.cmd = exec.Command(a.Bin, args...)
	a.cmd.Env = append(os.Environ(), opts.Env...)
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	// Its own process group, so a kill reaches ffmpeg children too.
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start cabane: %v", err)
	}
	go func() {
		a.waitErr = a.cmd.Wait()
		close(a.done)
	}()
	t.Cleanup(func() {
		a.shutdown(30 * time.Second)
		if t.Failed() {
			t.Logf("cabane log (%s):\n%s", a.Addr, a.log)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if resp, err := client.Get(a.URL("/healthz")); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return a
			}
		}
		select {
		case <-a.done:
			t.Fatalf("cabane exited at start: %v\n%s", a.waitErr, a.log)
		case <-time.After(PollEvery):
		}
	}
	t.Fatalf("cabane did not answer /healthz within 30 s\n%s", a.log)
	return nil
}

// URL is the app's plain HTTP address with path p.
func (a *App) URL(p string) string { return "http://" + a.Addr + p }

// Log is everything the process wrote so far.
func (a *App) Log() string { return a.log.String() }

// Pid is the server's process id.
func (a *App) Pid() int { return a.cmd.Process.Pid }

// Done is closed when the process has exited.
func (a *App) Done() <-chan struct{} { return a.done }

// Stop sends SIGTERM and fails the test unless the process exits cleanly
// within 30 s.
func (a *App) Stop() {
	a.t.Helper()
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
		if a.waitErr != nil {
			a.t.Fatalf("cabane did not stop cleanly: %v\n%s", a.waitErr, a.log)
		}
	case <-time.After(30 * time.Second):
		a.t.Fatalf("cabane did not stop within 30 s\n%s", a.log)
	}
}

// Kill is kill -9 on the whole process group, ffmpeg included: a power cut.
func (a *App) Kill() {
	syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
	<-a.done
}

// Restart starts a new process on the same data directory and options
// (on a new port, unless Options named one) once this one has stopped or
// been killed.
func (a *App) Restart() *App {
	a.t.Helper()
	<-a.done
	return Start(a.t, a.opts)
}

// shutdown stops the process politely, then kills what is left of its
// group (an ffmpeg it started must not keep eating the shared CPU).
func (a *App) shutdown(grace time.Duration) {
	select {
	case <-a.done:
	default:
		a.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(grace):
		}
	}
	syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
	<-a.done
}

// LockedBuffer collects a process's output: the process writes while the
// test reads.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
