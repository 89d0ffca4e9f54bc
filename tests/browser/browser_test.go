package browser

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testrig.RemoveBinary()
	os.Exit(code)
}

// clip is a seconds-long 640x360 H.264/AAC mp4 at 25 fps with a keyframe
// every 2 s and its index first, as a phone or camera hands Cabane a file.
func clip(t *testing.T, path string, seconds float64) string {
	return testrig.MakeClip(t, path, testrig.Clip{Seconds: seconds, FPS: 25, Preset: "ultrafast", Args: []string{"-movflags", "+faststart"}})
}

// TestEndToEnd builds and starts a real Cabane on a fresh data directory and
// walks a new owner through it in Chromium (e2e.test.mjs): setup, login,
// upload with progress, processing, HLS playback, logout.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	app := testrig.Start(t, testrig.Options{})
	c := clip(t, filepath.Join(t.TempDir(), "test_pattern.mp4"), 4)
	shots := screenshotDir(t)

	runNodeTests(ctx, t, "e2e.test.mjs",
		"CABANE_URL="+app.URL(""),
		"CABANE_SETUP_CODE="+app.SetupCode(),
		"CABANE_CLIP="+c,
		"CABANE_SCREENSHOTS="+shots,
	)
	if n := countFiles(t, filepath.Join(shots, "e2e-*.png")); n < 6 {
		t.Errorf("%d e2e screenshots in %s, want 6 (one per step)", n, shots)
	}
}

// TestAssetsInChromium checks the browser assets in Chromium
// (assets.test.mjs): upload.js on the real server's /upload page, logged in
// as an administrator made with `cabane admin create-user`; player.js (with
// the vendored hls.js), processing.js and cabane.css on the stand-in pages
// of fixtures/server.mjs for the states a real server cannot be held in.
func TestAssetsInChromium(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	data := filepath.Join(t.TempDir(), "data")
	const user, pass = "owner", "a long enough password"
	testrig.CreateUser(t, data, user, pass, true)
	app := testrig.Start(t, testrig.Options{Data: data})
	runNodeTests(ctx, t, "assets.test.mjs",
		"CABANE_URL="+app.URL(""),
		"CABANE_USER="+user,
		"CABANE_PASS="+pass,
		"CABANE_SCREENSHOTS="+screenshotDir(t))
}
