package browser

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// TestPeerTubePlayerInterop runs interop.test.mjs: a "PeerTube-like"
// player on another site's page (another loopback origin), configured as
// PeerTube 7.1's player configures the vendored p2p-media-loader from what
// Cabane's Video object says (swarm id = its HLS playlist URL, trackers =
// its tracker link, segments checked against its sha256 link), and a
// viewer of Cabane's own watch page find each other through Cabane's
// tracker, and the foreign player plays verified segments from the Cabane
// viewer. The Video's Infohash tags, the API's p2pMediaLoaderInfohashes and
// the hashes both players announce are the same.
func TestPeerTubePlayerInterop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	addr := testrig.FreeAddr(t)
	data := filepath.Join(t.TempDir(), "data")
	user, pass := "owner", "a long enough password"
	testrig.Binary(t)
	testrig.CreateUser(t, data, user, pass, true)
	// A public URL (its loopback address, private fetches allowed): the
	// Video object is served only by a box that federates.
	app := testrig.Start(t, testrig.Options{Data: data, Addr: addr, Args: []string{"--public-url", "http://" + addr},
		Env: []string{"CABANE_ALLOW_PRIVATE_FETCH=127.0.0.0/8"}})
	clip := testrig.MakeClip(t, filepath.Join(t.TempDir(), "interop_clip.mp4"), testrig.Clip{
		Seconds: 40, Size: "320x240", FPS: 25, Preset: "ultrafast", Args: []string{"-movflags", "+faststart"},
	})
	token := app.Token(user, pass)
	video := app.Upload(t, token, clip, map[string]string{"name": "Shared with PeerTube", "privacy": "1"})
	app.WaitPublished(t, token, video, 3*time.Minute)
	runNodeTests(ctx, t, "interop.test.mjs", "CABANE_URL="+app.URL(""), "CABANE_VIDEO="+video)
}
