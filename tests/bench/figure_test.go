package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// benchEnabled skips a Figure test unless CABANE_BENCH=1 (see the package
// comment for why this skip is allowed).
func benchEnabled(t *testing.T) {
	t.Helper()
	if os.Getenv("CABANE_BENCH") != "1" {
		t.Skip("a measurement, not a test: run with CABANE_BENCH=1 (make bench)")
	}
}

// figure prints one FIGURE line on stdout, where bench-figures.sh greps it,
// with the load average at the time: on a shared box a figure means little
// without it.
func figure(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf("FIGURE: %s | load %s", fmt.Sprintf(format, args...), loadAvg())
	fmt.Println(line)
	t.Log(line)
}

// loadAvg is the 1, 5 and 15 minute load averages from /proc/loadavg.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// goal says whether a measured value is within its goal, in the words of the
// FIGURE line.
func goal(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
