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
// The two instances are measured in alternation, best p50 of five rounds
// each: the machine is shared, and load that comes and goes must weigh on
// both sides alike rather than fail the build. CABANE_SCALE_FIGURES=1
// prints more figures for the closing note.
func TestListingScales(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 videos")
	}
	small, big := newRig(t), newRig(t)
	small.seedVideos(t, 100)
	big.seedVideos(t, 10_000)
	// The guard is about the database's work: the one-second cache of
	// anonymous listings would hide it.
	for _, r := range []*rig{small, big} {
		ttl := r.server.cache.ttl
		r.server.cache.ttl = 0
		t.Cleanup(func() { r.server.cache.ttl = ttl })
	}
	for _, path := range []string{"/api/v1/videos?count=25", "/api/v1/videos?count=25&sort=-publishedAt", "/api/v1/videos?count=25&sort=-trending", "/"} {
		latency(t, small.http.URL+path, 4, 100) // warm up
		latency(t, big.http.URL+path, 4, 100)
		bestS, bestB := time.Hour, time.Hour
		var p99S, p99B time.Duration
		for range 5 {
			s50, s99, _ := latency(t, small.http.URL+path, 10, 200)
			b50, b99, _ := latency(t, big.http.URL+path, 10, 200)
			if s50 < bestS {
				bestS, p99S = s50, s99
			}
			if b50 < bestB {
				bestB, p99B = b50, b99
			}
		}
		if os.Getenv("CABANE_SCALE_FIGURES") != "" {
			for _, n := range []struct {
				r    *rig
				size int
			}{{small, 100}, {big, 10_000}} {
				for _, conns := range []int{1, 10, 50} {
					p50, p99, rps := latency(t, n.r.http.URL+path, conns, 500)
					t.Logf("figure: %d videos, GET %s, %d connections: %.0f req/s, p50 %v, p99 %v", n.size, path, conns, rps, p50, p99)
				}
			}
		}
		ratio := float64(bestB) / float64(bestS)
		t.Logf("GET %s: 100 videos p50 %v p99 %v; 10,000 videos p50 %v p99 %v (p50 ratio %.2f)", path, bestS, p99S, bestB, p99B, ratio)
		if ratio > 2 {
			t.Errorf("GET %s with 10,000 videos takes %.2f× its time with 100 (p50 %v vs %v), want ≤ 2×", path, ratio, bestB, bestS)
		}
	}
}
