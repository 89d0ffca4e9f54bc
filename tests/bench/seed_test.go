package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
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
	_, ch, err := st.CreateUser(ctx, store.NewUser{Username: "seed", Email: "seed@example.org", PasswordHash: "!",
		Role: store.RoleAdmin, ChannelName: "seed_channel", ChannelDisplay: "Seeded channel"})
	if err != nil {
		return fmt.Errorf("seed user: %w", err)
	}
	// One transaction for the rows: a thousand fsyncs would only measure
	// the disk.
	tx, err := st.BeginTx(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	vs := make([]store.Video, n)
	for i := range vs {
		id := uuid.New()
		vs[i] = store.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID,
			Name: fmt.Sprintf("Seeded video %04d", i), Description: "A video seeded for the idle memory figure, with a description of ordinary length.",
			Privacy: store.PrivacyPublic, Duration: time.Duration(60+i%600) * time.Second, Width: 1920, Height: 1080,
			OriginalName: fmt.Sprintf("clip-%04d.mp4", i), OriginalFile: "original.mp4", Size: 30 << 20}
		if err := st.CreateVideo(ctx, tx, &vs[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("seed video %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	for _, v := range vs {
		if err := st.AddRenditions(ctx, v.ID, ladderRows(v.ID)...); err != nil {
			return fmt.Errorf("seed renditions of %s: %w", v.UUID, err)
		}
		if err := st.SetVideoThumbnail(ctx, v.ID); err != nil {
			return fmt.Errorf("seed thumbnail of %s: %w", v.UUID, err)
		}
	}
	return nil
}

// ladderRows are the renditions a 1080p upload ends with.
func ladderRows(videoID int64) []store.Rendition {
	rung := func(name string, w, h, bw int, copied bool) store.Rendition {
		return store.Rendition{VideoID: videoID, Name: name, Width: w, Height: h, FPS: 30, Bandwidth: bw, AverageBandwidth: bw * 8 / 10,
			Codecs: "avc1.640028,mp4a.40.2", Size: int64(bw) / 8 * 60, Copied: copied}
	}
	return []store.Rendition{
		rung("1080p", 1920, 1080, 4_200_000, true),
		rung("720p", 1280, 720, 2_200_000, false),
		rung("480p", 854, 480, 1_100_000, false),
		rung("360p", 640, 360, 700_000, false),
	}
}
