package videos

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
	"cabane.dev/cabane/internal/testrig"
)

// A VP9 upload is playable (master playlist, EVENT media playlists whose
// first segment decodes) while its ladder still encodes, stays "to
// transcode" for the API meanwhile, and ends as the usual VOD layout.
func TestVP9UploadPlayableBeforeEncodeEnds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	layout := config.Layout{Root: filepath.Join(dir, "data")}
	if err := layout.Prepare(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, layout.DB(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "x", ChannelName: "a_ch"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(st.DB(), log, jobs.Options{Poll: 50 * time.Millisecond})
	tc := transcoding.New(transcoding.Options{Board: hardware.Board{Kind: hardware.KindGeneric, Cores: 2, MemTotal: 8 << 30}, Workers: 1})
	svc := &Service{Store: st.Repo(), Jobs: q, Layout: layout, Log: log, Media: &media.Runner{Logger: log}, Transcoding: tc}
	q.Register(JobKind, svc.Handle)

	clip := filepath.Join(dir, "up.part")
	if err := os.Rename(testrig.MakeClip(t, filepath.Join(dir, "up.webm"), testrig.Clip{Seconds: 16, Size: "1280x720", Video: "vp9"}), clip); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Ingest(ctx, clip, UploadMeta{UploaderAccountID: ch.AccountID, ChannelID: ch.ID, Name: "live", Privacy: model.PrivacyPublic, OriginalName: "live.webm"})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { q.Run(runCtx, 1); close(done) }()
	defer func() { stop(); <-done }()

	hlsDir := layout.HLS(v.UUID)
	var sawGrowing bool
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		v, _ = st.Videos.ByUUID(ctx, v.UUID)
		if v.State != model.StateToTranscode {
			break
		}
		if !sawGrowing && svc.Growing(v) {
			sawGrowing = true
			if !svc.Playable(v) {
				t.Error("growing but not playable")
			}
			// What a player fetches first decodes.
			info, err := svc.Media.Probe(ctx, filepath.Join(hlsDir, MasterName))
			if err != nil || info.Video == nil || info.Video.Codec != "h264" {
				t.Errorf("master while encoding: %+v, %v", info, err)
			}
			b, _ := os.ReadFile(filepath.Join(hlsDir, hardware.MediaPlaylistName("720p")))
			if !bytes.Contains(b, []byte("#EXT-X-PLAYLIST-TYPE:EVENT")) || bytes.Contains(b, []byte("ENDLIST")) {
				t.Errorf("720p playlist while encoding:\n%s", b)
			}
			if st, err := os.Stat(filepath.Join(hlsDir, media.SegmentsSha256Name)); err == nil {
				t.Errorf("segments-sha256.json before the end (%d bytes)", st.Size())
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v.State != model.StatePublished {
		t.Fatalf("state %d (%s), want published", v.State, v.Error)
	}
	if !sawGrowing {
		t.Fatal("never playable before the encode ended")
	}
	if svc.Growing(v) {
		t.Error("still growing once published")
	}
	for _, n := range []string{"720p", "480p", "360p", media.AudioRenditionName} {
		b, err := os.ReadFile(filepath.Join(hlsDir, hardware.MediaPlaylistName(n)))
		if err != nil || !bytes.Contains(b, []byte("#EXT-X-PLAYLIST-TYPE:VOD")) || !bytes.Contains(b, []byte("#EXT-X-ENDLIST")) {
			t.Errorf("%s final playlist: %v\n%s", n, err, b)
		}
	}
	if _, err := os.Stat(filepath.Join(hlsDir, media.SegmentsSha256Name)); err != nil {
		t.Error(err)
	}
	// The thumbnails, made once the video was playable, are there.
	if !v.HasThumbnail {
		t.Error("published without its thumbnails")
	}
	for _, p := range []string{layout.Preview(v.UUID), layout.Thumbnail(v.UUID)} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("thumbnail %s: %v", p, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(hlsDir, ".*"))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
