package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// probeRendition reads a published rendition back through its playlist,
// as a player would.
func probeRendition(t *testing.T, dir string) *Info {
	t.Helper()
	info, err := (&Runner{}).Probe(testCtx(t), filepath.Join(dir, hardware.PlaylistName))
	if err != nil {
		t.Fatalf("rendition %s unreadable: %v", dir, err)
	}
	return info
}

func TestCopyHLS(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{Nice: 10, IdleIO: true}
	in := clip(t, "h264.mp4")
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanFor(info, transcoding.Profile{})
	if plan.Copy == nil || !plan.CopyAudio {
		t.Fatalf("a modest H.264/AAC clip must be copied: %s", summary(plan))
	}
	hlsDir := t.TempDir()
	if err := r.CopyHLS(ctx, in, info, plan, hlsDir, nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(hlsDir, plan.Copy.Name)
	got := probeRendition(t, dir)
	if got.Video == nil || got.Video.Codec != "h264" || got.Video.Width != 640 || got.Video.Height != 360 {
		t.Errorf("copied video = %+v", got.Video)
	}
	if got.Audio == nil || got.Audio.Codec != "aac" {
		t.Errorf("copied audio = %+v", got.Audio)
	}
	if d := got.Duration; d < 2800*time.Millisecond || d > 3300*time.Millisecond {
		t.Errorf("duration %v, want ~3s", d)
	}
	// Copying must not have re-encoded: same bitstream profile and level.
	if got.Video.Profile != info.Video.Profile {
		t.Errorf("profile %q, source %q", got.Video.Profile, info.Video.Profile)
	}
	for _, f := range []string{hardware.PlaylistName, hardware.InitSegmentName, "seg-00000.m4s"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	assertNoStaging(t, hlsDir)
}

func TestEncodeLadderLibx264(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{}
	in := clip(t, "vp9.webm")
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanFor(info, transcoding.Profile{})
	if plan.Copy != nil || len(plan.Encode) != 3 {
		t.Fatalf("VP9 720p must encode 720/480/360: %s", summary(plan))
	}
	hlsDir := t.TempDir()
	var reports []Progress
	run := Runs(transcoding.Profile{}, in, info, plan.Encode)[0]
	err = r.EncodeLadder(ctx, run.Encoder, run.Ladder, info.Duration, hlsDir, func(p Progress) { reports = append(reports, p) })
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name string
		w, h int
	}{{"720p", 1280, 720}, {"480p", 854, 480}, {"360p", 640, 360}} {
		got := probeRendition(t, filepath.Join(hlsDir, want.name))
		if got.Video == nil || got.Video.Codec != "h264" || got.Video.Width != want.w || got.Video.Height != want.h {
			t.Errorf("%s: video = %+v", want.name, got.Video)
		}
		if got.Audio == nil || got.Audio.Codec != "aac" || got.Audio.Channels != 2 {
			t.Errorf("%s: audio = %+v", want.name, got.Audio)
		}
	}
	if len(reports) < 2 {
		t.Fatalf("progress reported %d times", len(reports))
	}
	for i := 1; i < len(reports); i++ {
		if reports[i].Percent < reports[i-1].Percent {
			t.Errorf("percent went backwards: %v then %v", reports[i-1].Percent, reports[i].Percent)
		}
	}
	if last := reports[len(reports)-1]; last.Percent != 100 {
		t.Errorf("final percent %v", last.Percent)
	}
	assertNoStaging(t, hlsDir)

	// The same renditions feed Describe and the master playlist.
	var variants []Variant
	for _, name := range []string{"360p", "720p", "480p"} {
		v, err := r.Describe(ctx, filepath.Join(hlsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		variants = append(variants, v)
		checkVariant(t, filepath.Join(hlsDir, name), v)
	}
	if variants[1].Bandwidth <= variants[0].Bandwidth {
		t.Errorf("720p bandwidth %d not above 360p's %d", variants[1].Bandwidth, variants[0].Bandwidth)
	}
	master := filepath.Join(hlsDir, "master.m3u8")
	if err := WriteMaster(master, variants); err != nil {
		t.Fatal(err)
	}
	// A player's view: ffprobe opens the master and picks a variant.
	if info, err := r.Probe(ctx, master); err != nil || info.Video == nil || info.Audio == nil {
		t.Errorf("master playlist unreadable: %v %+v", err, info)
	}
	data, _ := os.ReadFile(master)
	if i, j := strings.Index(string(data), "720p/index.m3u8"), strings.Index(string(data), "360p/index.m3u8"); i < 0 || j < 0 || i > j {
		t.Errorf("master not sorted by bandwidth:\n%s", data)
	}
}

var avc1Re = regexp.MustCompile(`^avc1\.64([0-9a-f]{2})([0-9a-f]{2}),mp4a\.40\.2$`)

// checkVariant compares Describe's answer with what ffprobe says.
func checkVariant(t *testing.T, dir string, v Variant) {
	t.Helper()
	raw, err := (&Runner{}).ffprobeJSON(testCtx(t), filepath.Join(dir, hardware.PlaylistName))
	if err != nil {
		t.Fatal(err)
	}
	var level, w, h int
	for _, s := range raw.Streams {
		if s.CodecType == "video" {
			level, w, h = s.Level, s.Width, s.Height
		}
	}
	m := avc1Re.FindStringSubmatch(v.Codecs)
	if m == nil {
		t.Fatalf("%s: codecs %q, want avc1.64xxxx,mp4a.40.2 (High profile, AAC-LC)", dir, v.Codecs)
	}
	if l, _ := strconv.ParseUint(m[2], 16, 8); int(l) != level {
		t.Errorf("%s: codecs level byte %s, ffprobe says level %d", dir, m[2], level)
	}
	if v.Width != w || v.Height != h || v.FrameRate < 29.9 || v.FrameRate > 30.1 {
		t.Errorf("%s: variant %+v, ffprobe %dx%d", dir, v, w, h)
	}
	if v.URI != filepath.Base(dir)+"/index.m3u8" {
		t.Errorf("uri %q", v.URI)
	}
	if v.AverageBandwidth <= 0 || v.Bandwidth < v.AverageBandwidth {
		t.Errorf("%s: bandwidth %d average %d", dir, v.Bandwidth, v.AverageBandwidth)
	}
}

func TestEncodeLadderCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	r := &Runner{}
	in := clip(t, "long.mp4")
	hlsDir := t.TempDir()
	l := hardware.Ladder{Input: in, HasAudio: true, Renditions: []hardware.Rendition{
		{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1_000_000, BufSize: 2_000_000},
		{Name: "240p", Width: 426, Height: 240, FPS: 30, MaxRate: 500_000, BufSize: 1_000_000},
	}}
	var sawStaging bool
	err := r.EncodeLadder(ctx, hardware.Libx264{Preset: "medium"}, l, 8*time.Second, hlsDir, func(p Progress) {
		left, _ := filepath.Glob(filepath.Join(hlsDir, ".partial-*", "360p", "*"))
		sawStaging = sawStaging || len(left) > 0
		if p.OutTime > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !sawStaging {
		t.Error("ffmpeg was not writing into the staging dir when cancelled")
	}
	entries, _ := os.ReadDir(hlsDir)
	if len(entries) != 0 {
		t.Errorf("left in hlsDir after cancel: %v", entries)
	}
	if pids := processesMentioning(hlsDir); len(pids) > 0 {
		t.Errorf("ffmpeg still running after cancel: pids %v", pids)
	}
}

// processesMentioning lists processes whose command line contains s.
func processesMentioning(s string) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), s) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestEncodeLadderFailureLeavesNothing(t *testing.T) {
	hlsDir := t.TempDir()
	l := hardware.Ladder{Input: clip(t, "text.txt"), Renditions: []hardware.Rendition{{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1e6, BufSize: 2e6}}}
	err := (&Runner{}).EncodeLadder(testCtx(t), hardware.Libx264{}, l, 0, hlsDir, nil)
	if err == nil || !strings.Contains(err.Error(), "Invalid data") {
		t.Fatalf("err = %v, want ffmpeg's own reason in the error", err)
	}
	if entries, _ := os.ReadDir(hlsDir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestEncodeLadderReplacesOldRendition(t *testing.T) {
	hlsDir := t.TempDir()
	old := filepath.Join(hlsDir, "360p")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(old, "stale.m4s"), []byte("old"))
	l := hardware.Ladder{Input: clip(t, "h264.mp4"), HasAudio: true, Renditions: []hardware.Rendition{{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1e6, BufSize: 2e6}}}
	if err := (&Runner{}).EncodeLadder(testCtx(t), hardware.Libx264{Preset: "ultrafast"}, l, 3*time.Second, hlsDir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(old, "stale.m4s")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the old rendition's files survived the re-encode")
	}
	probeRendition(t, old)
	assertNoStaging(t, hlsDir)
}

func TestAudioOnlyHLS(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{}
	in := clip(t, "sine.mp3")
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, still := range []string{"", clip(t, "still.jpg")} {
		t.Run(fmt.Sprintf("still=%q", filepath.Base(still)), func(t *testing.T) {
			hlsDir := t.TempDir()
			if err := r.AudioOnlyHLS(ctx, in, still, info, hlsDir, nil); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(hlsDir, AudioRenditionName)
			got := probeRendition(t, dir)
			if got.Video == nil || got.Video.Codec != "h264" || got.Video.Width%2 != 0 {
				t.Errorf("still video track = %+v", got.Video)
			}
			if got.Audio == nil || got.Audio.Codec != "aac" {
				t.Errorf("audio = %+v", got.Audio)
			}
			// -shortest: the looped picture must stop with the sound.
			if d := got.Duration; d < 2500*time.Millisecond || d > 4500*time.Millisecond {
				t.Errorf("duration %v, want ~3s", d)
			}
			v, err := r.Describe(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(v.Codecs, "avc1.64") || !strings.HasSuffix(v.Codecs, ",mp4a.40.2") {
				t.Errorf("codecs %q", v.Codecs)
			}
			assertNoStaging(t, hlsDir)
		})
	}
}
