package media

import (
	"os"
	"path/filepath"
	"testing"
)

// initSegment makes a real fMP4 init segment with the given x264 profile.
func initSegment(t *testing.T, profile string) []byte {
	t.Helper()
	dir := t.TempDir()
	ffmpegOK(t, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=0.5",
		"-f", "lavfi", "-i", "sine=duration=0.5", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", profile, "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-f", "hls", "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
		"-hls_segment_filename", filepath.Join(dir, "s%d.m4s"), filepath.Join(dir, "index.m3u8"))
	data, err := os.ReadFile(filepath.Join(dir, "init.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCodecsFromInit(t *testing.T) {
	for profile, want := range map[string]string{
		// x264's baseline sets constraint_set0 and constraint_set1
		// (Constrained Baseline): 42C0, which a name-based table gets wrong.
		"baseline": "avc1.42c0",
		"main":     "avc1.4d40",
		"high":     "avc1.6400",
	} {
		t.Run(profile, func(t *testing.T) {
			got, err := codecsFromInit(initSegment(t, profile))
			if err != nil {
				t.Fatal(err)
			}
			// Profile and constraint bytes; the level byte is checked
			// against ffprobe in TestEncodeLadderLibx264.
			if len(got) != 2 || len(got[0]) != len("avc1.640000") || got[0][:9] != want || got[1] != "mp4a.40.2" {
				t.Errorf("codecs = %v, want %sxx and mp4a.40.2", got, want)
			}
		})
	}
}

// A damaged init segment is an error, never a panic.
func TestCodecsFromInitTruncated(t *testing.T) {
	data := initSegment(t, "high")
	for n := 0; n < len(data); n++ {
		if _, err := codecsFromInit(data[:n]); err == nil && n < len(data)/2 {
			t.Fatalf("a %d-byte prefix of a %d-byte init segment parsed without error", n, len(data))
		}
	}
}
