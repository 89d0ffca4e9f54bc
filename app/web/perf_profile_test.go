package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// TestProfileAPI runs the figures' API requests in process, one at a
// time, so that -cpuprofile and -memprofile show what one request costs
// with 10,000 videos, in three ways: anonymous with the microcache off
// (the database's and the renderer's work), anonymous with it on, and
// logged in with a token (as PeerTube's apps ask). It prints latencies
// and heap allocations per request. A measurement, not a test:
// CABANE_PROFILE=1; CABANE_PROFILE_OUT=file writes a CPU profile of the
// way CABANE_PROFILE_MODE names (uncached, cached, token; uncached by
// default).
func TestProfileAPI(t *testing.T) {
	if os.Getenv("CABANE_PROFILE") == "" {
		t.Skip("set CABANE_PROFILE=1 to profile the API with 10,000 videos")
	}
	dir := t.TempDir()
	seed.Videos(t, dir, 10_000)
	r := newRigIn(t, dir)
	r.server.Search = &search.Service{Store: r.store.Search(), Lookup: r.videos, TrendingDays: videos.TrendingDays}
	token := newAPIClient(t, r).tokens["user"]
	ttl := r.server.cache.ttl
	h := r.server.Handler()
	profiled := os.Getenv("CABANE_PROFILE_MODE")
	if profiled == "" {
		profiled = "uncached"
	}
	for _, mode := range []string{"uncached", "cached", "token"} {
		r.server.cache.ttl = ttl
		if mode == "uncached" {
			r.server.cache.ttl = 0
		}
		// Only the requests are profiled, not the seeding.
		if out := os.Getenv("CABANE_PROFILE_OUT"); out != "" && mode == profiled {
			f, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
		for _, path := range []string{
			"/api/v1/videos?count=25&sort=-publishedAt",
			"/api/v1/videos?count=25&sort=-trending",
			"/api/v1/search/videos?search=seeded&count=25",
			"/api/v1/search/videos?search=video%2004242",
		} {
			const n = 500
			var lat testrig.Latencies
			var before, after runtime.MemStats
			size := 0
			runtime.ReadMemStats(&before)
			for range n {
				start := time.Now()
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if mode == "token" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
				}
				lat = append(lat, time.Since(start))
				size = rec.Body.Len()
			}
			runtime.ReadMemStats(&after)
			t.Logf("%-8s %s: %v, %d B, %d allocs/req, %d heap B/req", mode, path, lat, size,
				(after.Mallocs-before.Mallocs)/n, (after.TotalAlloc-before.TotalAlloc)/n)
		}
	}
}
