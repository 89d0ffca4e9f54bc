package videos

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/internal/testrig"
)

// countProbes makes the rig's ffprobe a wrapper that notes each run; the
// returned func says how many there were.
func countProbes(t *testing.T, r *rig) func() int {
	t.Helper()
	log := filepath.Join(r.dir, "ffprobe-runs")
	wrapper := filepath.Join(r.dir, "ffprobe-counting")
	script := fmt.Sprintf("#!/bin/sh\necho run >> '%s'\nexec ffprobe \"$@\"\n", log)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r.svc.Media.FFprobe = wrapper
	return func() int {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "run\n")
	}
}

// countFFmpeg is countProbes for ffmpeg.
func countFFmpeg(t *testing.T, r *rig) func() int {
	t.Helper()
	log := filepath.Join(r.dir, "ffmpeg-runs")
	wrapper := filepath.Join(r.dir, "ffmpeg-counting")
	script := fmt.Sprintf("#!/bin/sh\necho run >> '%s'\nexec ffmpeg \"$@\"\n", log)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r.svc.Media.FFmpeg = wrapper
	return func() int {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "run\n")
	}
}

// An H.264/AAC upload is published through the copy path with one ffprobe
// in all, Ingest's: the job reuses it, the copied rendition is described
// from the plan, the shared audio needs none, and the thumbnails reuse it
// too. The renditions still say what the files hold. Two ffmpeg runs in
// all: the copy, and one for both pictures.
func TestCopyPathProbesOnce(t *testing.T) {
	r := newRig(t, "")
	probes, runs := countProbes(t, r), countFFmpeg(t, r)
	in := testrig.MakeClip(t, filepath.Join(r.dir, "in.mp4"), testrig.Clip{Seconds: 2, Size: "640x360", FPS: 25})
	v, err := r.upload(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if n := probes(); n != 1 {
		t.Fatalf("%d ffprobe runs after Ingest, want 1", n)
	}
	r.run(t)
	v = r.waitState(t, v, 60*time.Second, func(v model.Video) bool { return v.State != model.StateToTranscode && v.HasThumbnail })
	if v.State != model.StatePublished {
		t.Fatalf("state %d (%s), want published", v.State, v.Error)
	}
	rs, err := r.st.Videos.Renditions(context.Background(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "360p" || !rs[0].Copied || rs[0].Width != 640 || rs[0].Height != 360 || rs[0].FPS != 25 ||
		!strings.HasPrefix(rs[0].Codecs, "avc1.") || !SharedAudio(rs[1]) || rs[1].Codecs != "mp4a.40.2" {
		t.Fatalf("renditions %+v, want 360p copied at 640x360 25 fps and the shared AAC audio", rs)
	}
	master, err := os.ReadFile(filepath.Join(r.layout.HLS(v.UUID), MasterName))
	if err != nil || !strings.Contains(string(master), "RESOLUTION=640x360") || !strings.Contains(string(master), "FRAME-RATE=25.000") {
		t.Fatalf("master playlist %q, %v", master, err)
	}
	for _, p := range []string{r.layout.Thumbnail(v.UUID), r.layout.Preview(v.UUID)} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("image %s: %v", p, err)
		}
	}
	if n := probes(); n != 1 {
		t.Errorf("%d ffprobe runs from upload to thumbnails, want 1 (Ingest's)", n)
	}
	if n := runs(); n != 2 {
		t.Errorf("%d ffmpeg runs, want 2 (the copy, the pictures)", n)
	}
}

// A job's progress is live in memory; the row hears of it at most every
// progressWriteEvery, the first time included, so a copy done in a second
// writes none (one commit fewer beside the copy, on an SD card).
func TestProgressOfAShortRunStaysInMemory(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "")
	v, err := r.upload(t, testrig.MakeClip(t, filepath.Join(r.dir, "in.mp4"), testrig.Clip{Seconds: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.Videos.SetProgress(ctx, v.ID, 42); err != nil { // a value no report below sends
		t.Fatal(err)
	}
	report := r.svc.progressFunc(ctx, &jobs.Job{ID: -1}, v.ID)
	for _, pct := range []float64{0, 37, 100} {
		report(media.Progress{Percent: pct})
	}
	if got := r.svc.Progress(v); got != 100 {
		t.Errorf("live progress %v, want 100", got)
	}
	if row, _ := r.st.Videos.ByID(ctx, v.ID); row.Progress != 42 {
		t.Errorf("the row's progress became %v within a second: written at once", row.Progress)
	}
}

// A job queued without the probe (before it was carried, or whose
// original changed size since) probes the file itself and publishes.
func TestCopyPathJobWithoutProbeProbes(t *testing.T) {
	for name, payload := range map[string]func(v model.Video) string{
		"old payload": func(v model.Video) string { return fmt.Sprintf(`{"video_id":%d}`, v.ID) },
		"size changed": func(v model.Video) string {
			return fmt.Sprintf(`{"video_id":%d,"probe":{"Duration":1},"probed_size":1}`, v.ID)
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, "")
			probes := countProbes(t, r)
			in := testrig.MakeClip(t, filepath.Join(r.dir, "in.mp4"), testrig.Clip{Seconds: 2, Size: "640x360"})
			v, err := r.upload(t, in)
			if err != nil {
				t.Fatal(err)
			}
			j := &jobs.Job{Kind: JobKind, Payload: json.RawMessage(payload(v)), Attempts: 1, MaxAttempts: 5}
			if err := r.svc.Handle(context.Background(), j); err != nil {
				t.Fatal(err)
			}
			got, _ := r.st.Videos.ByID(context.Background(), v.ID)
			rs, _ := r.st.Videos.Renditions(context.Background(), v.ID)
			if got.State != model.StatePublished || len(rs) != 2 || rs[0].Width != 640 || rs[0].FPS != 30 {
				t.Fatalf("state %d (%s), renditions %+v", got.State, got.Error, rs)
			}
			if n := probes(); n != 2 {
				t.Errorf("%d ffprobe runs, want 2 (Ingest's and the job's own)", n)
			}
		})
	}
}
