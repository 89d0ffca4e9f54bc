package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// clipSeconds is the length of the figures' clips: a minute, the length
// the design notes' memory measurements used.
const clipSeconds = 60

// clipSpec is a test clip from the rig's generator, cached under name.
type clipSpec struct {
	name string // file name in the cache, with the container's extension
	clip testrig.Clip
}

// h264Clip is what a phone or a camera hands over: 1080p30 H.264 High at
// about 4 Mb/s with a keyframe every 2 s, AAC audio. It takes the copy path.
func h264Clip() clipSpec {
	return clipSpec{name: "h264-1080p30-60s-4M.mp4", clip: testrig.Clip{Seconds: clipSeconds, Size: "1920x1080", Bitrate: 4000}}
}

// vp9Clip is the same picture as VP9/Opus WebM: it must be encoded.
func vp9Clip() clipSpec {
	return clipSpec{name: "vp9-1080p30-60s.webm", clip: testrig.Clip{Seconds: clipSeconds, Size: "1920x1080", Video: "vp9", Bitrate: 4000}}
}

// clip returns the path of spec's clip, rendering it once into
// os.TempDir()/cabane-bench: a 60 s 1080p render costs a minute of CPU,
// which a second run should not pay again.
func clip(t *testing.T, spec clipSpec) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "cabane-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, spec.name)
	if d, err := probeDuration(out); err == nil && d > clipSeconds-1 {
		return out
	}
	// Render beside the final name and rename: an interrupted run leaves no
	// truncated clip for the next one to trust.
	tmp := filepath.Join(dir, fmt.Sprintf(".partial-%d-%s", os.Getpid(), spec.name))
	defer os.Remove(tmp)
	start := time.Now()
	testrig.MakeClip(t, tmp, spec.clip)
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	t.Logf("rendered %s in %s", out, time.Since(start).Round(time.Second))
	return out
}

// probeDuration is a media file's duration in seconds, by ffprobe.
func probeDuration(path string) (float64, error) {
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", path).Output()
	if err != nil {
		return 0, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	var r struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return 0, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	return strconv.ParseFloat(r.Format.Duration, 64)
}

// probeHeights reads a file or URL (a master playlist over HTTP) with
// ffprobe and returns the heights of its video streams.
func probeHeights(ctx context.Context, target string) ([]int, error) {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=height",
		"-of", "json", target).Output()
	if err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w", target, err)
	}
	var r struct {
		Streams []struct {
			Height int `json:"height"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w", target, err)
	}
	hs := make([]int, 0, len(r.Streams))
	for _, s := range r.Streams {
		hs = append(hs, s.Height)
	}
	return hs, nil
}

// bareCopyHLS is the reference for the copy path: plain ffmpeg copying the
// clip into fMP4 HLS with the segment length Cabane uses, nothing around it.
func bareCopyHLS(t *testing.T, in string) time.Duration {
	t.Helper()
	dir := t.TempDir()
	start := time.Now()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-y", "-v", "error", "-i", in,
		"-map", "0:v:0", "-map", "0:a:0", "-c", "copy",
		"-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
		"-hls_segment_filename", filepath.Join(dir, "seg-%05d.m4s"), filepath.Join(dir, "index.m3u8"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bare ffmpeg copy to HLS: %v\n%s", err, out)
	}
	took := time.Since(start)
	if hs, err := probeHeights(context.Background(), filepath.Join(dir, "index.m3u8")); err != nil || len(hs) != 1 || hs[0] != 1080 {
		t.Fatalf("bare copy's playlist: heights %v, %v", hs, err)
	}
	return took
}
