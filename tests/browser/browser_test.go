package browser

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestEndToEnd builds and starts a real Cabane on a fresh data directory and
// walks a new owner through it in Chromium (e2e.test.mjs): setup, login,
// upload with progress, processing, HLS playback, logout.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	bin := buildCabane(ctx, t)
	url := startCabane(ctx, t, bin)
	clip := filepath.Join(t.TempDir(), "test_pattern.mp4")
	makeClip(ctx, t, clip, 4)
	shots := screenshotDir(t)

	runNodeTests(ctx, t, "e2e.test.mjs",
		"CABANE_URL="+url,
		"CABANE_CLIP="+clip,
		"CABANE_SCREENSHOTS="+shots,
	)
	if n := countFiles(t, filepath.Join(shots, "e2e-*.png")); n < 6 {
		t.Errorf("%d e2e screenshots in %s, want 6 (one per step)", n, shots)
	}
}

// TestAssetsInChromium checks the browser assets (upload.js, processing.js,
// player.js with the vendored hls.js, cabane.css) in Chromium against the
// stand-in server in fixtures/server.mjs: it needs no Go routes, so it pins
// the scripts' behaviour on their own.
func TestAssetsInChromium(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runNodeTests(ctx, t, "assets.test.mjs", "CABANE_SCREENSHOTS="+screenshotDir(t))
}
