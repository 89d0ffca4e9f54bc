package media

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestThumbnail(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{}
	for _, tc := range []struct {
		name, clip string
		at         time.Duration
		w, h       int
	}{
		{"video frame, same aspect", "h264.mp4", time.Second, 320, 180},
		{"video frame, cropped to a square", "vp9.webm", 500 * time.Millisecond, 200, 200},
		{"seek past the end falls back", "h264.mp4", time.Hour, 160, 90},
		{"audio waveform", "sine.mp3", 0, 400, 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "thumb.jpg")
			if err := r.Thumbnail(ctx, clip(t, tc.clip), nil, tc.at, tc.w, tc.h, out); err != nil {
				t.Fatal(err)
			}
			raw, err := r.ffprobeJSON(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw.Streams) != 1 || raw.Streams[0].CodecName != "mjpeg" {
				t.Fatalf("not a JPEG: %+v", raw.Streams)
			}
			if s := raw.Streams[0]; s.Width != tc.w || s.Height != tc.h {
				t.Errorf("decoded %dx%d, want %dx%d", s.Width, s.Height, tc.w, tc.h)
			}
			// Write-then-rename: nothing but the result in the directory.
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only thumb.jpg", len(entries))
			}
		})
	}
}

func TestThumbnailNotMediaLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "thumb.jpg")
	if err := (&Runner{}).Thumbnail(testCtx(t), clip(t, "text.txt"), nil, 0, 100, 100, out); err == nil {
		t.Fatal("thumbnail of a text file succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// A caller that has the upload's probe passes it: no ffprobe runs (the
// runner here has none).
func TestThumbnailWithKnownProbe(t *testing.T) {
	ctx := testCtx(t)
	in := clip(t, "h264.mp4")
	info, err := (&Runner{}).Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	blind := &Runner{FFprobe: filepath.Join(t.TempDir(), "no-ffprobe")}
	out := filepath.Join(t.TempDir(), "thumb.jpg")
	if err := blind.Thumbnail(ctx, in, info, time.Second, 160, 90, out); err != nil {
		t.Fatalf("thumbnail from a known probe: %v", err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("no thumbnail written: %v", err)
	}
	if err := blind.Thumbnail(ctx, in, nil, time.Second, 160, 90, out); err == nil {
		t.Error("a runner without ffprobe probed: the test proves nothing")
	}
}

// A video's card thumbnail and preview come from one ffmpeg run (one seek,
// one decode), each at its exact size; an audio file's waveform too.
func TestThumbnailsOneRun(t *testing.T) {
	ctx := testCtx(t)
	for _, name := range []string{"h264.mp4", "sine.mp3"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			runs := filepath.Join(dir, "runs")
			wrapper := filepath.Join(dir, "ffmpeg-counting")
			script := "#!/bin/sh\necho run >> '" + runs + "'\nexec ffmpeg \"$@\"\n"
			if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			r := &Runner{FFmpeg: wrapper}
			in := clip(t, name)
			info, err := r.Probe(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			os.Mkdir(out, 0o755)
			pics := []Picture{{Width: 850, Height: 480, Path: filepath.Join(out, "preview.jpg")}, {Width: 280, Height: 158, Path: filepath.Join(out, "thumb.jpg")}}
			if err := r.Thumbnails(ctx, in, info, time.Second, pics...); err != nil {
				t.Fatal(err)
			}
			for _, p := range pics {
				raw, err := r.ffprobeJSON(ctx, p.Path)
				if err != nil || len(raw.Streams) != 1 || raw.Streams[0].Width != p.Width || raw.Streams[0].Height != p.Height {
					t.Errorf("%s: %v %+v, want a %dx%d JPEG", p.Path, err, raw, p.Width, p.Height)
				}
			}
			if b, _ := os.ReadFile(runs); string(b) != "run\n" {
				t.Errorf("ffmpeg ran %d times, want once", len(b)/4)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 2 {
				t.Errorf("%d files beside the pictures' folder, want only the two pictures", len(entries))
			}
		})
	}
}
