package media

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cabane.dev/cabane/hardware"
)

// legacyFixture packages clip h264.mp4 in the old layout, as Cabane did
// before PeerTube's: hlsDir/360p/{index.m3u8,init.mp4,seg-*.m4s} with the
// audio muxed, and a master naming 360p/index.m3u8.
func legacyFixture(t *testing.T) string {
	t.Helper()
	hlsDir := filepath.Join(t.TempDir(), "hls")
	dir := filepath.Join(hlsDir, "360p")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(testCtx(t), "ffmpeg", "-v", "error", "-i", clip(t, "h264.mp4"), "-map", "0:v:0", "-map", "0:a:0",
		"-c", "copy", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
		"-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", filepath.Join(dir, "seg-%05d.m4s"),
		filepath.Join(dir, legacyPlaylist)).CombinedOutput()
	if err != nil {
		t.Fatalf("legacy fixture: %v\n%s", err, out)
	}
	if segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.m4s")); len(segs) < 2 {
		t.Fatalf("fixture has %d segments, want several", len(segs))
	}
	master := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"avc1.64001e,mp4a.40.2\",RESOLUTION=640x360\n360p/index.m3u8\n"
	writeFile(t, filepath.Join(hlsDir, "master.m3u8"), []byte(master))
	return hlsDir
}

// playable: a player (ffprobe) opens the master and finds the picture and
// the sound, whatever state the migration stopped in.
func playable(t *testing.T, hlsDir string) {
	t.Helper()
	info, err := (&Runner{}).Probe(testCtx(t), filepath.Join(hlsDir, "master.m3u8"))
	if err != nil || info.Video == nil || info.Audio == nil || info.Duration < 2*1e9 {
		t.Fatalf("master unplayable: %v %+v", err, info)
	}
}

func TestMigrateLegacy(t *testing.T) {
	hlsDir := legacyFixture(t)
	var steps []string
	did, err := MigrateLegacy(hlsDir, testPrefix, func(s string) error { steps = append(steps, s); return nil })
	if err != nil || !did {
		t.Fatalf("migrate: %v, %v", did, err)
	}
	if got := strings.Join(steps, " "); got != "file playlist hashes master cleanup" {
		t.Errorf("steps %q", got)
	}
	checkMigrated(t, hlsDir)
	// Again: nothing to do.
	if did, err := MigrateLegacy(hlsDir, testPrefix, nil); did || err != nil {
		t.Errorf("second run: %v, %v", did, err)
	}
}

func checkMigrated(t *testing.T, hlsDir string) {
	t.Helper()
	playable(t, hlsDir)
	checkSingleFile(t, hlsDir, "360p") // ranges tile the file; hashes verify
	master, _ := os.ReadFile(filepath.Join(hlsDir, "master.m3u8"))
	if !strings.Contains(string(master), "\n360.m3u8\n") || strings.Contains(string(master), "index.m3u8") {
		t.Errorf("master not switched:\n%s", master)
	}
	if _, err := os.Stat(filepath.Join(hlsDir, "360p")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the old folder survived")
	}
	// The concatenation is a fragmented MP4 of its own, sound included.
	info, err := (&Runner{}).Probe(testCtx(t), filepath.Join(hlsDir, hardware.FragmentedName(testPrefix, "360p")))
	if err != nil || info.Video == nil || info.Audio == nil || info.Duration < 2*1e9 {
		t.Errorf("single file unreadable: %v %+v", err, info)
	}
	if left, _ := filepath.Glob(filepath.Join(hlsDir, ".migrate-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Stopped after each step (a crash there), the video still plays, and the
// next run finishes the migration.
func TestMigrateLegacyInterrupted(t *testing.T) {
	stop := errors.New("crash")
	for _, at := range []string{StepFile, StepPlaylist, StepHashes, StepMaster, StepCleanup} {
		t.Run(at, func(t *testing.T) {
			hlsDir := legacyFixture(t)
			// A killed run's half-written temporary file, too.
			writeFile(t, filepath.Join(hlsDir, ".migrate-123"), []byte("half"))
			_, err := MigrateLegacy(hlsDir, testPrefix, func(s string) error {
				if s == at {
					return stop
				}
				return nil
			})
			if at != StepCleanup && !errors.Is(err, stop) {
				t.Fatalf("err %v, want the crash", err)
			}
			playable(t, hlsDir)
			if _, err := MigrateLegacy(hlsDir, testPrefix, nil); err != nil {
				t.Fatal(err)
			}
			checkMigrated(t, hlsDir)
		})
	}
}
