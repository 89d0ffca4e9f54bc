package integration

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// A "local network only" video is served on every route to the home
// network and is a plain 404 everywhere else, listings included.
func TestFamilyOnlyVideos(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "family.mp4", 3, "640x360", "h264")
	// 127.0.0.1 plays the home network, 127.0.0.2 the internet.
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data"), Args: []string{"--lan", "127.0.0.1/32"}})
	in.Setup()
	token := in.Token("alice", "correct horse")
	code, res := apiUpload(t, in, token, clip, map[string]string{"name": "Grandma's birthday", "privacy": "6"})
	if code != 200 {
		t.Fatalf("upload: %d %v", code, res)
	}
	id := res["video"].(map[string]any)["uuid"].(string)
	short := res["video"].(map[string]any)["shortUUID"].(string)
	v := waitVideo(t, in, id, 60*time.Second, "publication", func(v apiVideo) bool {
		return v.State.ID == 1 && len(heights(v)) > 0
	})
	home, outside := testrig.ClientFrom("127.0.0.1"), testrig.ClientFrom("127.0.0.2")
	// The copy path publishes before the thumbnails exist (until then
	// their paths redirect to a placeholder): wait for the images, which
	// the routes below include.
	testrig.WaitFor(t, 60*time.Second, func() bool {
		return status(t, home, in.URL(v.ThumbnailPath), nil) == 200 && status(t, home, in.URL(v.PreviewPath), nil) == 200
	})
	hls := "/static/streaming-playlists/hls/" + id + "/"
	routes := []string{"/w/" + short, "/videos/watch/" + id, "/api/v1/videos/" + id, hls + "master.m3u8",
		hls + "360.m3u8", hls + id + "-360-fragmented.mp4", hls + "segments-sha256.json", v.ThumbnailPath, v.PreviewPath}
	for _, r := range routes {
		if got := status(t, home, in.URL(r), nil); got != 200 {
			t.Errorf("home GET %s: %d, want 200", r, got)
		}
		if got := status(t, outside, in.URL(r), nil); got != 404 {
			t.Errorf("outside GET %s: %d, want 404", r, got)
		}
		// A forged header from outside changes nothing: no proxy is trusted.
		if got := status(t, outside, in.URL(r), map[string]string{"X-Forwarded-For": "127.0.0.1"}); got != 404 {
			t.Errorf("outside GET %s with a forged X-Forwarded-For: %d, want 404", r, got)
		}
	}
	for _, r := range []string{"/", "/c/alice_films", "/a/alice", "/api/v1/videos"} {
		if b := body(t, home, in.URL(r)); !strings.Contains(b, "Grandma") {
			t.Errorf("home listing %s does not show the family video", r)
		}
		if b := body(t, outside, in.URL(r)); strings.Contains(b, "Grandma") || strings.Contains(b, id) {
			t.Errorf("outside listing %s reveals the family video", r)
		}
	}
}

func status(t *testing.T, c *http.Client, u string, hdr map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func body(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
