package bench

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// backupViewers is how many players fetch the video during the figure;
// each asks the next 1 MiB range when the last one is read, as hls.js does
// while buffering.
const backupViewers = 4

// TestFigureBackup: `cabane backup` of a running box whose database holds
// 10,000 videos and which serves a published 1080p video, and the HLS
// playback p99 of viewers during the backup against the same viewers
// without it, in the same run. Then the archive is restored and checked.
func TestFigureBackup(t *testing.T) {
	benchEnabled(t)
	data := t.TempDir()
	seed.Videos(t, data, listingVideos)
	testrig.CreateUser(t, data, benchUser, benchPass, true)
	s := startServer(t, data)
	token := s.Token(benchUser, benchPass)
	id, _ := uploadFile(t, s, token, clip(t, h264Clip()), "Backup")
	s.waitPlayable(t, id, 1080, 5*time.Minute)
	dir := config.Layout{Root: s.Data}.HLS(id)
	media, size := largestMedia(t, dir)
	rel, _ := filepath.Rel(dir, media)
	u := s.URL("/static/streaming-playlists/hls/" + id + "/" + filepath.ToSlash(rel))
	settle(t, s.Pid())

	// Without a backup: the same viewers for as long as the backup takes
	// (measured first, so the baseline window is known).
	archive := filepath.Join(t.TempDir(), "box.tar")
	stop := make(chan struct{})
	during := make(chan testrig.Latencies)
	go func() { during <- play(t, u, size, stop) }()
	start := time.Now()
	out, err := exec.Command(s.Bin, "backup", "--data", s.Data, archive).CombinedOutput()
	took := time.Since(start)
	close(stop)
	lat := <-during
	if err != nil {
		t.Fatalf("cabane backup: %v\n%s", err, out)
	}
	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	window := max(took, 5*time.Second)
	stop = make(chan struct{})
	go func() { during <- play(t, u, size, stop) }()
	time.Sleep(window)
	close(stop)
	base := <-during

	figure(t, "backup of a running box with %d videos in its database and one published 1080p video: %s, archive %s (%s)",
		listingVideos, took.Round(time.Millisecond), testrig.MiB(fi.Size()/1024), out[:len(out)-1])
	figure(t, "HLS playback during the backup, %d viewers asking 1 MiB ranges of %s: %d requests, p50 %v, p99 %v; without a backup (%s, same run): %d requests, p50 %v, p99 %v",
		backupViewers, rel, len(lat), lat.Pct(50).Round(10*time.Microsecond), lat.Pct(99).Round(10*time.Microsecond),
		window.Round(time.Millisecond), len(base), base.Pct(50).Round(10*time.Microsecond), base.Pct(99).Round(10*time.Microsecond))

	restored := filepath.Join(t.TempDir(), "restored")
	start = time.Now()
	if out, err := exec.Command(s.Bin, "restore", archive, "--data", restored).CombinedOutput(); err != nil {
		t.Fatalf("cabane restore: %v\n%s", err, out)
	}
	figure(t, "restore of that archive into a fresh data directory (hashes and integrity_check included): %s", time.Since(start).Round(time.Millisecond))
}

// play runs backupViewers closed-loop viewers on u (a file of size bytes)
// until stop closes, and returns every request's latency. Any answer but
// 206 fails the test.
func play(t *testing.T, u string, size int64, stop <-chan struct{}) testrig.Latencies {
	var mu sync.Mutex
	var all testrig.Latencies
	var bad atomic.Int64
	var wg sync.WaitGroup
	for v := range backupViewers {
		wg.Go(func() {
			c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer c.CloseIdleConnections()
			var mine testrig.Latencies
			off := int64(v) * (size / backupViewers)
			for {
				select {
				case <-stop:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				default:
				}
				end := min(off+1<<20, size) - 1
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, end))
				t0 := time.Now()
				res, err := c.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusPartialContent {
					bad.Add(1)
				}
				mine = append(mine, time.Since(t0))
				if off = end + 1; off >= size {
					off = 0
				}
			}
		})
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Errorf("%d playback requests failed", bad.Load())
	}
	return all
}
