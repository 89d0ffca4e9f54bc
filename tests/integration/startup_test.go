package integration

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// orphanFolders makes n media folders whose video row never committed, as
// an upload interrupted by a crash leaves them, last touched an hour ago.
func orphanFolders(t *testing.T, data string, n int) []string {
	var dirs []string
	old := time.Now().Add(-time.Hour)
	for range n {
		d := config.Layout{Root: data}.Video(uuid.NewString())
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(d, old, old)
		dirs = append(dirs, d)
	}
	return dirs
}

// TestStartIsQuickWithManyVideos: the server listens at once however many
// videos it holds (the sweep of media folders, one lookup per folder, used
// to run before listening: 1.4–2.2 s with 10,000 videos), and the sweep
// still removes orphaned folders once it runs.
func TestStartIsQuickWithManyVideos(t *testing.T) {
	small, big := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "data")
	seed.Videos(t, small, 100)
	seed.Videos(t, big, 10_000)
	orphans := orphanFolders(t, big, 3)
	startTime := func(data string) time.Duration {
		// Warm the page cache and the binary, as a box that restarts has.
		testrig.Start(t, testrig.Options{Data: data}).Stop()
		best := time.Hour
		for range 3 {
			t0 := time.Now()
			a := testrig.Start(t, testrig.Options{Data: data})
			best = min(best, time.Since(t0))
			a.Stop()
		}
		return best
	}
	smallStart, bigStart := startTime(small), startTime(big)
	t.Logf("figure: start until /healthz answers: 100 videos %v, 10,000 videos %v", smallStart, bigStart)
	if bigStart > 2*smallStart+50*time.Millisecond {
		t.Errorf("start with 10,000 videos took %v, against %v with 100", bigStart, smallStart)
	}
	// Left running, the sweep reaches every folder, while serving.
	a := testrig.Start(t, testrig.Options{Data: big})
	testrig.WaitFor(t, time.Minute, func() bool {
		for _, d := range orphans {
			if _, err := os.Stat(d); !os.IsNotExist(err) {
				return false
			}
		}
		return true
	})
	a.Stop()
}
