package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// TestFigureLiveOverhead: what publishing while encoding costs the encode
// itself. The same clip, the same ladder as a server on this box plans
// (board detected, libx264 before the trials), encoded with and without
// Live, alternated so that the shared machine's load hits both alike.
// Goal: a few percent at most.
func TestFigureLiveOverhead(t *testing.T) {
	benchEnabled(t)
	in := clip(t, vp9Clip())
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	r := &media.Runner{}
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	board, err := hardware.DetectBoard(os.DirFS("/"))
	if err != nil {
		t.Fatal(err)
	}
	prof := transcoding.Build(board, hardware.ProbeResult{}, false, "", 1)
	plan := media.PlanFor(info, prof)
	runs := media.Runs(prof, in, info, plan.Encode)
	if len(runs) == 0 {
		t.Fatalf("no encode planned for %s with %s", in, prof)
	}
	run := runs[0]
	run.Ladder.Prefix = "bench"
	encode := func(live bool) time.Duration {
		dir := t.TempDir()
		var l *media.Live
		if live {
			l = &media.Live{Ready: func(context.Context, []string) error { return nil }}
		}
		start := time.Now()
		if err := r.EncodeLadderLive(ctx, run.Encoder, run.Ladder, info.Duration, dir, nil, l); err != nil {
			t.Fatalf("encode (live %v): %v", live, err)
		}
		took := time.Since(start)
		if _, err := os.Stat(filepath.Join(dir, hardware.MediaPlaylistName(run.Ladder.Renditions[0].Name))); err != nil {
			t.Fatalf("encode (live %v) left no playlist: %v", live, err)
		}
		return took
	}
	var plain, live []time.Duration
	for range 2 {
		plain = append(plain, encode(false))
		live = append(live, encode(true))
	}
	sum := func(ds []time.Duration) (s time.Duration) {
		for _, d := range ds {
			s += d
		}
		return s
	}
	over := sum(live).Seconds()/sum(plain).Seconds() - 1
	figure(t, "live publishing's cost, 60 s 1080p30 VP9 → %s (%d renditions, %s), alternated: plain %v, live %v; live/plain %+.1f%% (goal a few %% at most %s)",
		rungs(heights(run.Ladder)), len(run.Ladder.Renditions), run.Encoder.Name(), plain, live, over*100, goal(over <= 0.05))
}

func heights(l hardware.Ladder) []int {
	hs := make([]int, len(l.Renditions))
	for i, r := range l.Renditions {
		hs[i] = r.Height
	}
	return hs
}
