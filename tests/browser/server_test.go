package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// serverArgs are the command line after the binary: the address and data
// directory are appended as --data and --listen.
// mDNS is off: tests never announce in the root network namespace.
var serverArgs = []string{"serve", "--mdns=false"}

// buildCabane compiles ./cmd/cabane into a temporary directory, as the
// release does (static, no cgo), and returns the binary's path.
func buildCabane(ctx context.Context, t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cabane")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cabane")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/cabane: %v\n%s", err, out)
	}
	t.Logf("built cabane in %s", time.Since(start).Round(time.Millisecond))
	return bin
}

// freeAddr picks a free 127.0.0.1 port. The listener is closed before the
// server binds it; nothing else on a test box races for that port in the
// few milliseconds between.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("close %s: %v", addr, err)
	}
	return addr
}

// startCabane runs bin on a fresh data directory and waits until it answers
// HTTP. It is stopped (SIGTERM, then SIGKILL) when the test ends; its log
// goes to the test log. It returns the base URL.
func startCabane(ctx context.Context, t testing.TB, bin string) string {
	t.Helper()
	data := t.TempDir()
	addr := freeAddr(t)
	args := append(append([]string{}, serverArgs...), "--data", data, "--listen", addr)
	logs := newLogWriter(t, "cabane: ")
	cmd := exec.Command(bin, args...)
	cmd.Dir = data
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s %v: %v", bin, args, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			t.Logf("cabane stopped: %v", err)
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Logf("cabane killed after 10 s without exiting on SIGTERM: %v", <-exited)
		}
		logs.Flush()
	})

	url := "http://" + addr
	if err := waitHTTP(ctx, url, exited, 30*time.Second); err != nil {
		t.Fatalf("cabane %v: %v", args, err)
	}
	return url
}

// waitHTTP polls url until the server answers anything (a redirect to
// /setup is an answer), the process exits, or the timeout passes.
func waitHTTP(ctx context.Context, url string, exited <-chan error, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{
		Timeout:       2 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/", nil)
		if err != nil {
			return fmt.Errorf("request %s: %w", url, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before answering on %s: %w", url, errors.Join(err, errors.New("see the cabane: lines above")))
		case <-ctx.Done():
			return fmt.Errorf("no answer on %s after %s (last error: %v)", url, timeout, err)
		case <-tick.C:
		}
	}
}
