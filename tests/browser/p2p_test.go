package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/p2p"
	"cabane.dev/cabane/internal/testrig"
)

// p2pServer starts a Cabane in P2P test mode with a 60 s clip (one small
// rendition and its audio, 4 s segments: 15 of each) uploaded as two
// public videos and one private, published. A minute, so that the few
// segments every viewer takes over HTTP while its peers connect (the next
// 8 s of playback) weigh what they weigh in a real video.
func p2pServer(t *testing.T, extra ...string) (app *testrig.App, user, pass string, public, liar, private string) {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	user, pass = "owner", "a long enough password"
	testrig.Binary(t) // built first: a loaded machine builds slowly, and create-user's minute would count it
	testrig.CreateUser(t, data, user, pass, true)
	app = testrig.Start(t, testrig.Options{Data: data, Env: append([]string{"CABANE_P2P_TEST_HOOKS=1"}, extra...)})
	clip := testrig.MakeClip(t, filepath.Join(t.TempDir(), "p2p_clip.mp4"), testrig.Clip{
		Seconds: 60, Size: "320x240", FPS: 25, Preset: "ultrafast", Args: []string{"-movflags", "+faststart"},
	})
	token := app.Token(user, pass)
	public = app.Upload(t, token, clip, map[string]string{"name": "Shared between viewers", "privacy": "1"})
	liar = app.Upload(t, token, clip, map[string]string{"name": "Shared with a liar", "privacy": "1"})
	private = app.Upload(t, token, clip, map[string]string{"name": "Kept private", "privacy": "3"})
	for _, id := range []string{public, liar, private} {
		app.WaitPublished(t, token, id, 3*time.Minute)
	}
	return app, user, pass, public, liar, private
}

// TestPeerToPeer runs p2p.test.mjs: several Chromium viewers of one public
// video share its segments through the box's tracker (a majority of the
// later viewers' bytes from peers, each segment checked), a lying peer is
// dropped and its victim plays on, P2P turned off means all over HTTP, and
// a private video is never shared.
func TestPeerToPeer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	app, user, pass, public, liar, private := p2pServer(t)
	// What a player of the private video would announce, had it the page.
	master, err := os.ReadFile(filepath.Join(app.Data, "media", private, "hls", "master.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	hashes := p2p.InfoHashes(app.URL("/static/streaming-playlists/hls/"+private+"/master.m3u8"), master)
	if len(hashes) == 0 {
		t.Fatalf("no streams in the private video's master playlist:\n%s", master)
	}
	runNodeTests(ctx, t, "p2p.test.mjs",
		"CABANE_PRIVATE_HASHES="+strings.Join(hashes, ","),
		"CABANE_URL="+app.URL(""),
		"CABANE_VIDEO="+public,
		"CABANE_VIDEO_LIAR="+liar,
		"CABANE_VIDEO_PRIVATE="+private,
		"CABANE_USER="+user,
		"CABANE_PASS="+pass,
	)
}

// TestPeerToPeerFigures prints the figures (CABANE_BENCH=1, as
// tests/bench): for 1, 5 and 10 viewers of one video on loopback, the
// segment bytes the box served per viewer and the share from peers; time
// to first frame with P2P on and off; what P2P adds to the player page.
//
//	CABANE_BENCH=1 go test -count=1 -v -run TestPeerToPeerFigures -timeout 20m ./tests/browser
//
// The time to first frame alone (a minute or two), with more samples
// each way and where the time goes (p2p.bench.mjs):
//
//	CABANE_BENCH=1 CABANE_FIGURES=ttff CABANE_TTFF_SAMPLES=21 CABANE_TTFF_PROFILE=1 \
//	  go test -count=1 -v -run TestPeerToPeerFigures -timeout 20m ./tests/browser
func TestPeerToPeerFigures(t *testing.T) {
	if os.Getenv("CABANE_BENCH") != "1" {
		t.Skip("figures: set CABANE_BENCH=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 18*time.Minute)
	defer cancel()
	app, _, _, public, liar, _ := p2pServer(t)
	runNodeTests(ctx, t, "p2p.bench.mjs",
		"CABANE_URL="+app.URL(""),
		"CABANE_VIDEO="+public,
		"CABANE_VIDEO_B="+liar,
	)
}
