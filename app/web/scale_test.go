package web

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
)

// seedVideos stores n published videos in one transaction (mixed
// privacies, as a real instance has), without media files.
func (r *rig) seedVideos(t testing.TB, n int) {
	ctx := context.Background()
	err := r.store.WithTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			id := uuid.New()
			p := model.PrivacyPublic
			switch i % 10 {
			case 7:
				p = model.PrivacyUnlisted
			case 8:
				p = model.PrivacyPrivate
			case 9:
				p = model.PrivacyLocal
			}
			v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: r.adminChannel,
				Name: fmt.Sprintf("Seeded %05d", i), Privacy: p, Duration: time.Minute, Width: 1920, Height: 1080}
			if err := tx.Videos.Create(ctx, &v); err != nil {
				return err
			}
			if err := tx.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "720p", Width: 1280, Height: 720, Bandwidth: 2_000_000, Codecs: "avc1.64001f"}); err != nil {
				return err
			}
			// One video in twenty was watched this week (trending).
			if i%20 == 0 {
				if err := tx.Videos.AddViews(ctx, map[int64]int64{v.ID: int64(i%97 + 1)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// latency is testrig.Load's figures: the 50th and 99th percentiles and the
// rate.
func latency(t testing.TB, url string, conns, total int) (p50, p99 time.Duration, rps float64) {
	lat, wall := testrig.Load(t, url, conns, total)
	return lat.Pct(50), lat.Pct(99), float64(len(lat)) / wall.Seconds()
}

// TestListingScales guards the listing cost as the instance grows: with
// 10,000 videos the API list and the home page answer within twice their
// time with 100 (each request used to count every video through the joins).
// CABANE_SCALE_FIGURES=1 prints the figures for the closing note.
func TestListingScales(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 videos")
	}
	type figure struct{ p50, p99 time.Duration }
	measure := func(n int) map[string]figure {
		r := newRig(t)
		r.seedVideos(t, n)
		// The guard is about the database's work: the one-second cache of
		// anonymous listings would hide it.
		ttl := r.server.cache.ttl
		r.server.cache.ttl = 0
		defer func() { r.server.cache.ttl = ttl }()
		out := map[string]figure{}
		for _, path := range []string{"/api/v1/videos?count=25", "/api/v1/videos?count=25&sort=-publishedAt", "/api/v1/videos?count=25&sort=-trending", "/"} {
			latency(t, r.http.URL+path, 4, 100) // warm up
			best := figure{p99: time.Hour}
			// The best of three runs: the machine is shared, and a stall
			// elsewhere must not fail the build.
			for range 3 {
				p50, p99, rps := latency(t, r.http.URL+path, 10, 400)
				if os.Getenv("CABANE_SCALE_FIGURES") != "" {
					r.server.cache.ttl = ttl
					_, p99c, rpsc := latency(t, r.http.URL+path, 10, 1000)
					t.Logf("figure: %d videos, GET %s, 10 connections, anonymous (cached): %.0f req/s, p99 %v", n, path, rpsc, p99c)
					r.server.cache.ttl = 0
					t.Logf("figure: %d videos, GET %s, 10 connections: %.0f req/s, p50 %v, p99 %v", n, path, rps, p50, p99)
					p50one, p99one, rpsOne := latency(t, r.http.URL+path, 1, 500)
					t.Logf("figure: %d videos, GET %s, 1 connection: %.0f req/s, p50 %v, p99 %v", n, path, rpsOne, p50one, p99one)
					_, p99_50, rps50 := latency(t, r.http.URL+path, 50, 1000)
					t.Logf("figure: %d videos, GET %s, 50 connections: %.0f req/s, p99 %v", n, path, rps50, p99_50)
				}
				if p99 < best.p99 {
					best = figure{p50, p99}
				}
			}
			out[path] = best
		}
		return out
	}
	small, big := measure(100), measure(10_000)
	for path, s := range small {
		b := big[path]
		ratio := float64(b.p50) / float64(s.p50)
		t.Logf("GET %s: 100 videos p50 %v p99 %v; 10,000 videos p50 %v p99 %v (p50 ratio %.2f)", path, s.p50, s.p99, b.p50, b.p99, ratio)
		if ratio > 2 {
			t.Errorf("GET %s with 10,000 videos takes %.2f× its time with 100 (p50 %v vs %v), want ≤ 2×", path, ratio, b.p50, s.p50)
		}
	}
}
