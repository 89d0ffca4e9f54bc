package integration

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// TestFigureLatencyUnderTranscode measures the p99 latency of the video
// list and of an HLS segment while a 1080p software transcode runs, against
// the same figures idle. A measurement, not a pass/fail test on a shared
// machine: it runs only with CABANE_BENCH=1 (make bench).
func TestFigureLatencyUnderTranscode(t *testing.T) {
	if os.Getenv("CABANE_BENCH") != "1" {
		t.Skip("measurement: run with CABANE_BENCH=1 (make bench)")
	}
	dir := t.TempDir()
	small := makeClip(t, dir, "small.mp4", 8, "1280x720", "h264")
	big := makeClip(t, dir, "big.webm", 40, "1920x1080", "vp9")
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})
	in.Setup()
	token := in.Token("alice", "correct horse")
	_, res := apiUpload(t, in, token, small, map[string]string{"name": "small"})
	id := res["video"].(map[string]any)["uuid"].(string)
	waitVideo(t, in, id, time.Minute, "all renditions", func(v apiVideo) bool { return len(heights(v)) == 3 })
	// One segment: a byte range of the rendition's single file.
	seg := in.URL("/static/streaming-playlists/hls/" + id + "/" + id + "-720-fragmented.mp4")
	list := in.URL("/api/v1/videos?count=15")

	idleList, idleSeg := p99(t, list, 300), p99(t, seg, 300)
	_, res = apiUpload(t, in, token, big, map[string]string{"name": "big"})
	bigID := res["video"].(map[string]any)["uuid"].(string)
	waitVideo(t, in, bigID, time.Minute, "the transcode to start", func(v apiVideo) bool { return v.ProcessingProgress > 1 })
	busyList, busySeg := p99(t, list, 300), p99(t, seg, 300)
	if v := video(t, in, bigID); v.State.ID == 1 {
		t.Fatalf("the transcode finished during the measurement: make the clip longer")
	}
	fmt.Printf("FIGURE: p99 GET /api/v1/videos idle %v, during 1080p transcode %v, ratio %.2f (goal <= 3)\n", idleList, busyList, float64(busyList)/float64(idleList))
	fmt.Printf("FIGURE: p99 HLS segment idle %v, during 1080p transcode %v, ratio %.2f (goal <= 3)\n", idleSeg, busySeg, float64(busySeg)/float64(idleSeg))
}

func p99(t *testing.T, u string, n int) time.Duration {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	ds := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[n*99/100]
}
