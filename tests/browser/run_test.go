package browser

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// logWriter forwards whole lines to t.Log, so a child's output is readable
// in `go test -v` and kept in a failing test's report.
type logWriter struct {
	t      testing.TB
	prefix string
	mu     sync.Mutex
	buf    bytes.Buffer
}

func newLogWriter(t testing.TB, prefix string) *logWriter {
	return &logWriter{t: t, prefix: prefix}
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			// An unfinished line: keep it for the next write.
			w.buf.Reset()
			w.buf.WriteString(line)
			return len(p), nil
		}
		w.t.Log(w.prefix + line[:len(line)-1])
	}
}

// Flush logs a last line that had no newline.
func (w *logWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 0 {
		w.t.Log(w.prefix + w.buf.String())
		w.buf.Reset()
	}
}

// testDir is this package's directory (go test runs in it).
func testDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	return dir
}

// ensureNodeModules installs the packages of package-lock.json when one is
// not there yet (`make test` may have done it already).
func ensureNodeModules(ctx context.Context, t testing.TB) {
	t.Helper()
	dir := testDir(t)
	installed := true
	for _, pkg := range []string{"playwright-core", "axe-core"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			installed = false
		}
	}
	if installed {
		return
	}
	out := newLogWriter(t, "npm: ")
	defer out.Flush()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		t.Fatalf("npm ci in %s: %v", dir, err)
	}
}

// runNodeTests runs `node --test <file>` in this directory with extra
// environment, streaming its TAP output to the test log.
func runNodeTests(ctx context.Context, t testing.TB, file string, env ...string) {
	t.Helper()
	ensureNodeModules(ctx, t)
	out := newLogWriter(t, "node: ")
	defer out.Flush()
	cmd := exec.CommandContext(ctx, "node", "--test", "--test-reporter=spec", file)
	cmd.Dir = testDir(t)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	// On a timeout, stop node politely first so playwright closes Chromium.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	out.Flush()
	if err != nil {
		t.Fatalf("node --test %s failed after %s: %v", file, time.Since(start).Round(time.Millisecond), err)
	}
	t.Logf("node --test %s passed in %s", file, time.Since(start).Round(time.Millisecond))
}

// screenshotDir is $CABANE_SCREENSHOTS when set, else test-results/screenshots
// in this directory (ignored by git): kept after the run for a human to look at.
func screenshotDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CABANE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(testDir(t), "test-results", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots dir: %v", err)
	}
	return dir
}

// countFiles is how many files match pattern, for checking screenshots exist.
func countFiles(t testing.TB, pattern string) int {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatalf("glob %s: %v", pattern, err)
	}
	return len(m)
}
