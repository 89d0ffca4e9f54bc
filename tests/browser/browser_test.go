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

// TestEndToEnd builds and starts two real Cabanes on fresh data directories
// (setup runs once per server: one for the English story and the page tour,
// one for the French story) and runs e2e.test.mjs in one Chromium: setup,
// upload through the upload page (two files dropped at once in English, one
// chosen in French: each card's progress, details saved while it
// processes), playback, the quality and captions menus, share and embed
// code, comments and their report form, like, subscribe, search, playlist,
// edit, delete; then every page through axe-core and screenshots at two
// widths in light and dark.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	en := testrig.Start(t, testrig.Options{})
	fr := testrig.Start(t, testrig.Options{})
	// 854x480 so that Cabane copies it and encodes a 360p rung: a quality
	// to switch to. 10 s: playback passes 2 s with room to switch.
	c := testrig.MakeClip(t, filepath.Join(t.TempDir(), "test_pattern.mp4"), testrig.Clip{
		Seconds: 10, Size: "854x480", FPS: 25, Preset: "ultrafast", Args: []string{"-movflags", "+faststart"},
	})
	// A second, small file that the English story uploads beside the first.
	c2 := testrig.MakeClip(t, filepath.Join(t.TempDir(), "deuxieme_clip.mp4"), testrig.Clip{
		Seconds: 3, Size: "320x240", FPS: 25, Preset: "ultrafast", Args: []string{"-movflags", "+faststart"},
	})
	shots := screenshotDir(t)
	// The counts below are of this run's files, not an earlier run's.
	for _, scheme := range []string{"light", "dark"} {
		for _, width := range []string{"phone", "desktop"} {
			old, _ := filepath.Glob(filepath.Join(shots, "*-"+width+"-"+scheme+".png"))
			for _, f := range old {
				if err := os.Remove(f); err != nil {
					t.Fatalf("remove an old screenshot: %v", err)
				}
			}
		}
	}

	runNodeTests(ctx, t, "e2e.test.mjs",
		"CABANE_URL="+en.URL(""),
		"CABANE_SETUP_CODE="+en.SetupCode(),
		"CABANE_URL_FR="+fr.URL(""),
		"CABANE_SETUP_CODE_FR="+fr.SetupCode(),
		"CABANE_CLIP="+c,
		"CABANE_CLIP2="+c2,
		"CABANE_SCREENSHOTS="+shots,
	)
	// 27 pages (setup, login, the 24 of the tour, error) at 2 widths x 2 schemes.
	for _, page := range []string{"setup", "login", "home", "watch", "embed", "playlist", "recently-added", "admin-moderation", "error"} {
		if n := countFiles(t, filepath.Join(shots, page+"-*-*.png")); n != 4 {
			t.Errorf("%d screenshots of %s in %s, want 4 (phone and desktop, light and dark)", n, page, shots)
		}
	}
	if n := countFiles(t, filepath.Join(shots, "*-phone-dark.png")); n < 27 {
		t.Errorf("%d pages screenshotted at phone width in dark, want 27", n)
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
