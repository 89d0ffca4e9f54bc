package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"cabane.dev/cabane/app/model"
)

// TestHLSMasterCost measures what one master playlist request costs the
// server itself, without the network: a measurement, run with
// CABANE_BENCH=1 (and -cpuprofile to see where the time goes):
//
//	CABANE_BENCH=1 go test -run HLSMasterCost -v -cpuprofile cpu.out ./app/web/
func TestHLSMasterCost(t *testing.T) {
	if os.Getenv("CABANE_BENCH") != "1" {
		t.Skip("a measurement, not a test: run with CABANE_BENCH=1")
	}
	r := newRig(t)
	ch, err := r.server.Accounts.ChannelsOf(t.Context(), r.userAccount(t, "user"))
	if err != nil || len(ch) == 0 {
		t.Fatal("no channel for user", err)
	}
	v := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	master := "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH=4200000,RESOLUTION=1920x1080,CODECS=\"avc1.640028,mp4a.40.2\"\n1080p/index.m3u8\n"
	if err := os.WriteFile(filepath.Join(r.layout.HLS(v.UUID), "master.m3u8"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
	h := r.server.Handler()
	path := "/static/streaming-playlists/hls/" + v.UUID + "/master.m3u8"
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != http.StatusOK || w.Body.Len() != len(master) {
					b.Errorf("GET master: %d, %d bytes", w.Code, w.Body.Len())
					return
				}
			}
		})
	})
	fmt.Printf("master playlist, in process: %s %s (%.0f req/s)\n", res, res.MemString(), float64(res.N)/res.T.Seconds())
}
