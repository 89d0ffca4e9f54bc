package hardware

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// updateGolden rewrites the golden files: go test ./hardware -update.
// Other backends' golden tests should call checkGolden rather than declare
// their own -update flag (a second declaration panics at start-up).
var updateGolden = flag.Bool("update", false, "rewrite testdata/golden files")

// checkGolden compares an argument list, one argument per line, with
// testdata/golden/<name>.
func checkGolden(t *testing.T, name string, args []string) {
	t.Helper()
	got := strings.Join(args, "\n") + "\n"
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./hardware -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s: arguments changed (go test ./hardware -update if intended)\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// ladder1080 is what app/media plans for a 1080p30 source with audio.
func ladder1080() Ladder {
	return Ladder{
		Input:     "/data/media/v/original.mp4",
		OutputDir: "/data/media/v/hls/.partial-1",
		HasAudio:  true,
		Prefix:    "v", AudioBitrate: 128000,
		SegmentSeconds: 4,
		Renditions: []Rendition{
			{Name: "1080p", Width: 1920, Height: 1080, FPS: 30, VideoBitrate: 6220800, MaxRate: 6220800, BufSize: 12441600, AudioBitrate: 128000},
			{Name: "720p", Width: 1280, Height: 720, FPS: 30, VideoBitrate: 3041280, MaxRate: 3041280, BufSize: 6082560, AudioBitrate: 128000},
			{Name: "480p", Width: 854, Height: 480, FPS: 30, VideoBitrate: 1475712, MaxRate: 1475712, BufSize: 2951424, AudioBitrate: 128000},
			{Name: "360p", Width: 640, Height: 360, FPS: 30, VideoBitrate: 1036800, MaxRate: 1036800, BufSize: 2073600, AudioBitrate: 128000},
		},
	}
}

func TestLibx264Golden1080p(t *testing.T) {
	checkGolden(t, "libx264_1080p.args", Libx264{}.Args(ladder1080()))
}

func TestLibx264Golden480p(t *testing.T) {
	l := Ladder{
		Input:     "/data/media/v/original.webm",
		OutputDir: "/data/media/v/hls/.partial-2",
		HasAudio:  true,
		Prefix:    "v", AudioBitrate: 128000,
		Threads: 2,
		Renditions: []Rendition{
			{Name: "480p", Width: 854, Height: 480, FPS: 30000.0 / 1001, VideoBitrate: 1474238, MaxRate: 1474238, BufSize: 2948476, AudioBitrate: 96000},
			{Name: "360p", Width: 640, Height: 360, FPS: 30000.0 / 1001, VideoBitrate: 1035764, MaxRate: 1035764, BufSize: 2071528, AudioBitrate: 96000},
		},
	}
	checkGolden(t, "libx264_480p.args", Libx264{}.Args(l))
}

// The parts of the command that playback depends on, asserted directly so a
// careless -update cannot bless a broken ladder.
func TestLibx264ArgsInvariants(t *testing.T) {
	l := ladder1080()
	args := Libx264{}.Args(l)
	joined := " " + strings.Join(args, " ") + " "
	if n := strings.Count(joined, " -i "); n != 1 {
		t.Errorf("want one input (decode once), got %d", n)
	}
	if n := strings.Count(joined, " -filter_complex "); n != 1 {
		t.Errorf("want one filter graph, got %d", n)
	}
	if !strings.Contains(joined, "split=4[s0][s1][s2][s3]") {
		t.Errorf("filter graph does not split into 4 branches: %s", joined)
	}
	for i, r := range l.Renditions {
		playlist := filepath.Join(l.OutputDir, MediaPlaylistName(r.Name))
		if !strings.Contains(joined, " "+playlist+" ") {
			t.Errorf("rendition %d: no output %s", i, playlist)
		}
	}
	if n := strings.Count(joined, " -c:a aac "); n != 1 {
		t.Errorf("audio encoded %d times, want once (shared by every rendition)", n)
	}
	if !strings.Contains(joined, " -map 0:a:0 -c:a aac -b:a 128000 -ac 2 ") || !strings.HasSuffix(joined, " "+filepath.Join(l.OutputDir, "0.m3u8")+" ") {
		t.Errorf("the audio is not the last output, into 0.m3u8:\n%s", joined)
	}
	for _, want := range []string{" -g 60 ", " -sc_threshold 0 ", " -pix_fmt yuv420p ", " -preset veryfast "} {
		if strings.Count(joined, want) != len(l.Renditions) {
			t.Errorf("%q should appear once per rendition:\n%s", want, joined)
		}
	}
	if got := (Libx264{Preset: "ultrafast"}).Args(l); !strings.Contains(strings.Join(got, " "), "-preset ultrafast") {
		t.Error("Preset is ignored")
	}
	if strings.Contains(joined, "-rc-lookahead") {
		t.Error("rc-lookahead passed without being set: the preset's own value should stand")
	}
	l.Threads = 2
	bounded := " " + strings.Join(Libx264{RCLookahead: 10}.Args(l), " ") + " "
	if n := strings.Count(bounded, " -rc-lookahead 10 "); n != len(l.Renditions) {
		t.Errorf("-rc-lookahead 10 appears %d times, want once per rendition:\n%s", n, bounded)
	}
	// -threads before -i caps the decoder, once per output the encoders.
	if !strings.HasPrefix(bounded, " -threads 2 -i ") || strings.Count(bounded, " -threads 2 ") != 1+len(l.Renditions) {
		t.Errorf("threads do not cap the decoder and every encoder:\n%s", bounded)
	}
	l.HasAudio = false
	if s := strings.Join(Libx264{}.Args(l), " "); strings.Contains(s, "0:a") || strings.Contains(s, "-c:a") {
		t.Errorf("audio flags without audio: %s", s)
	}
}

func TestFormatFPS(t *testing.T) {
	for in, want := range map[float64]string{
		30: "30", 25: "25", 29.97: "30000/1001", 30000.0 / 1001: "30000/1001",
		59.94: "60000/1001", 24000.0 / 1001: "24000/1001", 12.5: "12.5", 0: "30", 60: "60",
	} {
		if got := FormatFPS(in); got != want {
			t.Errorf("FormatFPS(%v) = %q, want %q", in, got, want)
		}
	}
}
