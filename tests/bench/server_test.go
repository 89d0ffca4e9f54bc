package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildCabane builds the binary into the test's temporary directory; the Go
// build cache makes the second build a link step.
func buildCabane(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cabane")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "../../cmd/cabane")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build cabane: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects the server's log; the process writes it while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running `cabane serve`.
type server struct {
	addr string
	data string
	cmd  *exec.Cmd
	log  *lockedBuffer
	// done is closed when the process has exited; waitErr is then its
	// exit status.
	done    chan struct{}
	waitErr error
}

func (s *server) url(p string) string { return "http://" + s.addr + p }

func (s *server) pid() int { return s.cmd.Process.Pid }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `cabane serve` on data and waits for /healthz. The test's
// cleanup stops it with SIGTERM, which also ends any ffmpeg it runs, so an
// unfinished ladder does not keep eating the shared machine's CPU.
func startServer(t *testing.T, bin, data string, extra ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), data: data, log: &lockedBuffer{}, done: make(chan struct{})}
	args := append([]string{"serve", "--data", data, "--listen", s.addr, "--log-level", "info"}, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start cabane: %v", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("cabane log:\n%s", s.log)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("cabane exited at start: %v\n%s", s.waitErr, s.log)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("cabane did not answer /healthz within 30 s\n%s", s.log)
	return nil
}

// stop asks for a clean shutdown and kills the process group if that takes
// more than 30 s.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// createAdmin adds an administrator with `cabane admin create-user`, as a
// person installing the box would, before the server starts.
func createAdmin(t *testing.T, bin, data, user, pass string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "admin", "create-user", "--data", data, "--username", user,
		"--email", user+"@example.org", "--password", pass, "--admin")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cabane admin create-user: %v\n%s", err, out)
	}
}

// waitLog polls the server's log until one line holds both want1 and want2
// and returns the time the server wrote in that line (slog's time=...), so
// the moment is exact however late the poll saw it.
func (s *server) waitLog(t *testing.T, want1, want2 string, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(s.log.String(), "\n") {
			if strings.Contains(line, want1) && strings.Contains(line, want2) {
				at, err := logTime(line)
				if err != nil {
					t.Fatal(err)
				}
				return at
			}
		}
		select {
		case <-s.done:
			t.Fatalf("cabane exited while waiting for %q: %v", want1, s.waitErr)
		case <-time.After(pollEvery):
		}
	}
	t.Fatalf("no log line with %q and %q within %s", want1, want2, timeout)
	return time.Time{}
}

// logTime reads the time=... field that log/slog's text handler starts each
// line with (RFC 3339 with milliseconds).
func logTime(line string) (time.Time, error) {
	f, _, _ := strings.Cut(line, " ")
	v, ok := strings.CutPrefix(f, "time=")
	if !ok {
		return time.Time{}, fmt.Errorf("log line without time=: %q", line)
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("log line time: %w", err)
	}
	return at, nil
}
