package bench

import (
	"context"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// wrkFigure is the server alone under 10 connections: wrk (C, no gzip
// asked, nothing decoded) leaves the 2 cores to the server, where the
// in-process Go client competes for them. A token is sent as PeerTube's
// apps send it (the listings' microcache serves it by viewer class).
type wrkFigure struct {
	rps      float64
	p50, p99 time.Duration
}

var (
	wrkRate    = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkLatency = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$`)
	wrkFailed  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func runWrk(t *testing.T, url, token string, d time.Duration) (wrkFigure, bool) {
	t.Helper()
	if _, err := exec.LookPath("wrk"); err != nil {
		return wrkFigure{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	args := []string{"-t2", "-c10", "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency"}
	if token != "" {
		args = append(args, "-H", "Authorization: Bearer "+token)
	}
	out, err := exec.CommandContext(ctx, "wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk %s: %v\n%s", url, err, out)
	}
	if m := wrkFailed.FindSubmatch(out); m != nil {
		t.Fatalf("wrk %s: %s non-2xx answers\n%s", url, m[1], out)
	}
	var f wrkFigure
	if m := wrkRate.FindSubmatch(out); m != nil {
		f.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range wrkLatency.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[3])]
		d := time.Duration(v * float64(unit))
		if string(m[1]) == "50" {
			f.p50 = d
		} else {
			f.p99 = d
		}
	}
	if f.rps == 0 || f.p99 == 0 {
		t.Fatalf("wrk %s: unreadable output\n%s", url, out)
	}
	return f, true
}
