package media

import (
	"os"
	"strings"
	"testing"
	"time"
)

// testdata/progress.txt is the real stdout of
// ffmpeg -progress pipe:1 -nostats … testsrc2 … duration=3 -f null -.
func TestParseProgressRecorded(t *testing.T) {
	f, err := os.Open("testdata/progress.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []Progress
	if err := ParseProgress(f, 3*time.Second, func(p Progress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d reports, want one per progress= line (3)", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Percent < got[i-1].Percent || got[i].OutTime < got[i-1].OutTime {
			t.Errorf("report %d went backwards: %+v after %+v", i, got[i], got[i-1])
		}
	}
	mid, last := got[1], got[2]
	if mid.Percent <= 0 || mid.Percent >= 100 || mid.Speed <= 0 || mid.Remaining <= 0 {
		t.Errorf("mid-run report = %+v", mid)
	}
	if last.Percent != 100 || last.OutTime < 2900*time.Millisecond || last.Remaining != 0 {
		t.Errorf("final report = %+v", last)
	}
}

func TestParseProgressUnknownTotal(t *testing.T) {
	in := "out_time_us=N/A\nspeed=N/A\nprogress=continue\nout_time_us=1500000\nspeed=2.5x\nprogress=continue\nout_time_us=2000000\nspeed= 2.4x\nprogress=end\n"
	var got []Progress
	if err := ParseProgress(strings.NewReader(in), 0, func(p Progress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d reports", len(got))
	}
	if got[0].OutTime != 0 || got[1].OutTime != 1500*time.Millisecond || got[2].OutTime != 2*time.Second {
		t.Errorf("out times = %v %v %v", got[0].OutTime, got[1].OutTime, got[2].OutTime)
	}
	if got[1].Speed != 2.5 || got[2].Speed != 2.4 {
		t.Errorf("speeds = %v %v", got[1].Speed, got[2].Speed)
	}
	for _, p := range got {
		if p.Percent != 0 || p.Remaining != 0 {
			t.Errorf("unknown total must give no percent or estimate: %+v", p)
		}
	}
}

func TestParseProgressRemaining(t *testing.T) {
	in := "out_time_us=10000000\nspeed=2x\nprogress=continue\n"
	var p Progress
	if err := ParseProgress(strings.NewReader(in), 30*time.Second, func(q Progress) { p = q }); err != nil {
		t.Fatal(err)
	}
	// 20 s of media left at 2x is 10 s of wall time.
	if p.Remaining != 10*time.Second || p.Percent < 33.3 || p.Percent > 33.4 {
		t.Errorf("progress = %+v", p)
	}
}
