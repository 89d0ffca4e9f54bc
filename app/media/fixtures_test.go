package media

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata golden files")

// Clips are generated once per test binary (in a temp dir removed by
// TestMain) because several tests read the same ones and CPU is shared.
var clips struct {
	mu   sync.Mutex
	dir  string
	made map[string]string
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		runChild() // a re-executed test binary playing the server
		return
	}
	flag.Parse()
	dir, err := os.MkdirTemp("", "cabane-media-test-")
	if err != nil {
		panic(err)
	}
	clips.dir, clips.made = dir, map[string]string{}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lavfiClips are made by the shared rig's generator.
var lavfiClips = map[string]testrig.Clip{
	// 3 s 640x360 H.264/AAC at a modest bitrate: the copy path's input.
	"h264.mp4": {Seconds: 3, Size: "640x360", Bitrate: 600, SampleRate: 44100},
	// 2 s 1280x720 VP9/Opus: a WebM that must be encoded.
	"vp9.webm": {Seconds: 2, Size: "1280x720", Video: "vp9"},
	// 8 s small clip: long enough to cancel an encode mid-run.
	"long.mp4": {Seconds: 8, Size: "640x360", Preset: "ultrafast"},
	"sine.mp3": {Seconds: 3, Video: "none"},
}

// clipRecipes are ffmpeg arguments (after the global flags) writing the
// clip to the path appended last, for what the generator does not make.
var clipRecipes = map[string][]string{
	"still.jpg": {"-f", "lavfi", "-i", "testsrc2=size=400x300", "-frames:v", "1"},
}

// clip returns the path of a generated test clip.
func clip(t *testing.T, name string) string {
	t.Helper()
	clips.mu.Lock()
	defer clips.mu.Unlock()
	if p, ok := clips.made[name]; ok {
		return p
	}
	p := filepath.Join(clips.dir, name)
	switch name {
	case "text.txt":
		writeFile(t, p, []byte("Bonjour ! Ceci est un fichier texte, pas une vidéo.\n"))
	case "empty.mp4":
		writeFile(t, p, nil)
	case "truncated.mp4":
		// An upload cut short: the moov atom, written last, is missing.
		data, err := os.ReadFile(clipLocked(t, "h264.mp4"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, data[:len(data)/2])
	default:
		clipLocked(t, name)
	}
	clips.made[name] = p
	return p
}

func clipLocked(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(clips.dir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if c, ok := lavfiClips[name]; ok {
		return testrig.MakeClip(t, p, c)
	}
	recipe, ok := clipRecipes[name]
	if name == "cover.mp3" {
		// An MP3 with cover art: a "video" stream that is not a video.
		recipe, ok = []string{"-i", clipLocked(t, "sine.mp3"), "-i", clipLocked(t, "still.jpg"),
			"-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "copy", "-disposition:v", "attached_pic"}, true
	}
	if name == "rotated.mp4" {
		// A phone's portrait video: landscape pixels and a display matrix.
		// ffmpeg 5.1 writes the matrix from the rotate tag only when copying.
		recipe, ok = []string{"-i", clipLocked(t, "h264.mp4"), "-map", "0:v", "-c", "copy", "-metadata:s:v", "rotate=90"}, true
	}
	if !ok {
		t.Fatalf("no recipe for clip %s", name)
	}
	args := append([]string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error"}, recipe...)
	ffmpegOK(t, append(args, p)...)
	return p
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func ffmpegOK(t *testing.T, args ...string) {
	t.Helper()
	// A bounded run: a recipe that never ends must fail, not outlive the test.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertNoStaging fails if a ".partial-*" directory is left in hlsDir.
func assertNoStaging(t *testing.T, hlsDir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(hlsDir, ".partial-*"))
	if len(left) > 0 {
		t.Errorf("staging directories left behind: %v", left)
	}
}
