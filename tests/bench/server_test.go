package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// server is one running `cabane serve` from the shared test rig, at the
// info log level a box runs with (debug logging would cost memory and CPU
// the figures must not include).
type server struct{ *testrig.App }

// startServer runs `cabane serve` on data and waits for /healthz; the
// test's cleanup stops it (SIGTERM, which also ends any ffmpeg it runs, so
// an unfinished ladder does not keep eating the shared machine's CPU).
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	return &server{testrig.Start(t, testrig.Options{Data: data, Args: extra, LogLevel: "info"})}
}

// waitLog polls the server's log until one line holds both want1 and want2
// and returns the time the server wrote in that line (slog's time=...), so
// the moment is exact however late the poll saw it.
func (s *server) waitLog(t *testing.T, want1, want2 string, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(s.Log(), "\n") {
			if strings.Contains(line, want1) && strings.Contains(line, want2) {
				at, err := logTime(line)
				if err != nil {
					t.Fatal(err)
				}
				return at
			}
		}
		select {
		case <-s.Done():
			t.Fatalf("cabane exited while waiting for %q", want1)
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
