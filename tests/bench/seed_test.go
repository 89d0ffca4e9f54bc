package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
)

// seedVideos fills a data directory with n published public videos of four
// renditions each, through the store's API, as n finished uploads would
// leave it (without their media files, which an idle server never reads).
func seedVideos(ctx context.Context, data string, n int) error {
	l := config.Layout{Root: data}
	if err := l.Prepare(); err != nil {
		return err
	}
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		return err
	}
	defer st.Close()
	// Nobody logs in to the seeded instance: any string is a hash that
	// matches no password.
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "seed", Email: "seed@example.org", PasswordHash: "!",
		Role: model.RoleAdmin, ChannelName: "seed_channel", ChannelDisplay: "Seeded channel"})
	if err != nil {
		return fmt.Errorf("seed user: %w", err)
	}
	// One transaction for the rows: a thousand fsyncs would only measure
	// the disk.
	vs := make([]model.Video, n)
	err = st.WithTx(ctx, func(tx *store.Tx) error {
		for i := range vs {
			id := uuid.New()
			vs[i] = model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID,
				Name: fmt.Sprintf("Seeded video %04d", i), Description: "A video seeded for the idle memory figure, with a description of ordinary length.",
				Privacy: model.PrivacyPublic, Duration: time.Duration(60+i%600) * time.Second, Width: 1920, Height: 1080,
				OriginalName: fmt.Sprintf("clip-%04d.mp4", i), OriginalFile: "original.mp4", Size: 30 << 20}
			if err := tx.Videos.Create(ctx, &vs[i]); err != nil {
				return fmt.Errorf("seed video %d: %w", i, err)
			}
			if err := tx.Videos.AddRenditions(ctx, vs[i].ID, ladderRows(vs[i].ID)...); err != nil {
				return fmt.Errorf("seed renditions of %s: %w", vs[i].UUID, err)
			}
			if err := tx.Videos.SetThumbnail(ctx, vs[i].ID); err != nil {
				return fmt.Errorf("seed thumbnail of %s: %w", vs[i].UUID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// ladderRows are the renditions a 1080p upload ends with.
func ladderRows(videoID int64) []model.Rendition {
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
