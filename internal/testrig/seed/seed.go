// Package seed fills a data directory with videos through the store, for
// tests and figures that need many. It is apart from testrig because it
// imports the store and the videos service, whose own tests use testrig.
package seed

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
)

// Videos fills a data directory with n published public videos of four
// renditions each, through the store, as n finished uploads leave it: rows,
// thumbnails flagged, and each video's (empty) media folder, which the
// start-up sweep visits. It returns their UUIDs.
func Videos(t testing.TB, data string, n int) []string {
	t.Helper()
	ctx := context.Background()
	l := config.Layout{Root: data}
	if err := l.Prepare(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Nobody logs in to the seeded instance: any string is a hash that
	// matches no password.
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "seed", Email: "seed@example.org", PasswordHash: "!",
		Role: model.RoleAdmin, ChannelName: "seed_channel", ChannelDisplay: "Seeded channel"})
	if err != nil {
		t.Fatalf("seed user: %v", err)
	}
	ids := make([]string, n)
	// One transaction for the rows: ten thousand fsyncs would only measure
	// the disk.
	err = st.WithTx(ctx, func(tx *store.Tx) error {
		for i := range ids {
			id := uuid.New()
			v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID,
				Name: fmt.Sprintf("Seeded video %05d", i), Description: "A seeded video, with a description of ordinary length.",
				Privacy: model.PrivacyPublic, Duration: time.Duration(60+i%600) * time.Second, Width: 1920, Height: 1080,
				OriginalName: fmt.Sprintf("clip-%05d.mp4", i), OriginalFile: "original.mp4", Size: 30 << 20}
			if err := tx.Videos.Create(ctx, &v); err != nil {
				return fmt.Errorf("seed video %d: %w", i, err)
			}
			if err := tx.Videos.AddRenditions(ctx, v.ID, LadderRows(v.ID)...); err != nil {
				return fmt.Errorf("seed renditions of %s: %w", v.UUID, err)
			}
			if err := tx.Videos.SetThumbnail(ctx, v.ID); err != nil {
				return fmt.Errorf("seed thumbnail of %s: %w", v.UUID, err)
			}
			if err := os.MkdirAll(l.HLS(v.UUID), 0o750); err != nil {
				return err
			}
			ids[i] = v.UUID
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return ids
}

// LadderRows are the renditions a 1080p upload ends with.
func LadderRows(videoID int64) []model.Rendition {
	rung := func(name string, w, h, bw int, copied bool) model.Rendition {
		return model.Rendition{VideoID: videoID, Name: name, Width: w, Height: h, FPS: 30, Bandwidth: bw, AverageBandwidth: bw * 8 / 10,
			Codecs: "avc1.640028,mp4a.40.2", Size: int64(bw) / 8 * 60, Copied: copied}
	}
	return []model.Rendition{
		rung("1080p", 1920, 1080, 4_200_000, true),
		rung("720p", 1280, 720, 2_200_000, false),
		rung("480p", 854, 480, 1_100_000, false),
		rung("360p", 640, 360, 700_000, false),
	}
}
