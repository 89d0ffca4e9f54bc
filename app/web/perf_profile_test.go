package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// TestProfileAPI runs the figures' API requests in process, one at a
// time and with the microcache off, so that -cpuprofile and -memprofile
// show what one uncached request costs with 10,000 videos. A measurement,
// not a test: CABANE_PROFILE=1.
func TestProfileAPI(t *testing.T) {
	if os.Getenv("CABANE_PROFILE") == "" {
		t.Skip("set CABANE_PROFILE=1 to profile the API with 10,000 videos")
	}
	dir := t.TempDir()
	seed.Videos(t, dir, 10_000)
	r := newRigIn(t, dir)
	r.server.Search = &search.Service{Store: r.store.Search(), Lookup: r.videos, TrendingDays: videos.TrendingDays}
	r.server.cache.ttl = 0
	h := r.server.Handler()
	// Only the requests are profiled, not the seeding.
	if out := os.Getenv("CABANE_PROFILE_OUT"); out != "" {
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, path := range []string{
		"/api/v1/videos?count=25&sort=-publishedAt",
		"/api/v1/videos?count=25&sort=-trending",
		"/api/v1/search/videos?search=seeded&count=25",
		"/api/v1/search/videos?search=video%2004242",
	} {
		var lat testrig.Latencies
		size := 0
		for range 500 {
			start := time.Now()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			lat = append(lat, time.Since(start))
			size = rec.Body.Len()
		}
		t.Logf("%s: %v, %d B", path, lat, size)
	}
}
