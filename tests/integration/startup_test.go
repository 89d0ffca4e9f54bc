package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
)

// seedFolders stores n published videos, each with its media folder, plus
// orphans: media folders whose video row never committed.
func seedFolders(t *testing.T, data string, n, orphans int) []string {
	ctx := context.Background()
	l := config.Layout{Root: data}
	if err := l.Prepare(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, l.DB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "seed", Email: "seed@example.org", PasswordHash: "!",
		Role: model.RoleAdmin, ChannelName: "seed_channel"})
	if err != nil {
		t.Fatal(err)
	}
	err = st.WithTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			id := uuid.New()
			v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID, Name: fmt.Sprintf("Seeded %05d", i),
				Privacy: model.PrivacyPublic}
			if err := tx.Videos.Create(ctx, &v); err != nil {
				return err
			}
			if err := tx.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "720p", Width: 1280, Height: 720, Bandwidth: 1, Codecs: "avc1"}); err != nil {
				return err
			}
			if err := os.MkdirAll(l.HLS(v.UUID), 0o750); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var orphanDirs []string
	old := time.Now().Add(-time.Hour)
	for range orphans {
		d := l.Video(uuid.NewString())
		os.MkdirAll(d, 0o750)
		os.Chtimes(d, old, old)
		orphanDirs = append(orphanDirs, d)
	}
	return orphanDirs
}

// TestStartIsQuickWithManyVideos: the server listens at once however many
// videos it holds (the sweep of media folders, one lookup per folder, used
// to run before listening: 1.4–2.2 s with 10,000 videos), and the sweep
// still removes orphaned folders once it runs.
func TestStartIsQuickWithManyVideos(t *testing.T) {
	var bigData string
	startTime := func(n, orphans int) (time.Duration, []string) {
		data := filepath.Join(t.TempDir(), "data")
		dirs := seedFolders(t, data, n, orphans)
		bigData = data
		// Warm the page cache and the binary, as a box that restarts has.
		testrig.Start(t, testrig.Options{Data: data}).Stop()
		best := time.Hour
		for range 3 {
			t0 := time.Now()
			a := testrig.Start(t, testrig.Options{Data: data})
			best = min(best, time.Since(t0))
			a.Stop()
		}
		return best, dirs
	}
	small, _ := startTime(100, 0)
	big, orphans := startTime(10_000, 3)
	t.Logf("figure: start until /healthz answers: 100 videos %v, 10,000 videos %v", small, big)
	if big > 2*small+50*time.Millisecond {
		t.Errorf("start with 10,000 videos took %v, against %v with 100", big, small)
	}
	// Left running, the sweep reaches every folder, while serving.
	a := testrig.Start(t, testrig.Options{Data: bigData})
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
