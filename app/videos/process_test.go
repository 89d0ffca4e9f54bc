package videos

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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

// fakeFFmpeg is an ffmpeg on PATH that behaves like a box whose VA-API
// encoder passed its trial but breaks on a real job: any run that names
// h264_vaapi fails half-way; everything else is the real ffmpeg.
const fakeFFmpeg = `#!/bin/sh
case "$*" in
*h264_vaapi*)
	echo "out_time_us=500000" ; echo "progress=continue"
	echo "[h264_vaapi @ 0x1] Failed to end picture encode issue: 24 (internal encoding error)." >&2
	exit 1 ;;
esac
exec ffmpeg "$@"
`

// A hardware encoder that fails mid-job: the job is redone in software at
// once, the video is published, and the failure is recorded.
func TestHardwareFailureFallsBackToSoftware(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	fake := filepath.Join(bin, "ffmpeg-fake")
	if err := os.WriteFile(fake, []byte(fakeFFmpeg), 0o755); err != nil {
		t.Fatal(err)
	}
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
	// A NAS whose VA-API encoder passed its trial.
	tc := transcoding.New(transcoding.Options{Board: hardware.Board{Kind: hardware.KindIntel, Cores: 4, MemTotal: 8 << 30}, Workers: 1})
	if err := tc.UseProbe(ctx, hardware.ProbeResult{Listed: []string{"h264_vaapi"}, Working: []string{"h264_vaapi"},
		DevicePaths: map[string]string{"h264_vaapi": "/dev/dri/renderD128"}}); err != nil {
		t.Fatal(err)
	}
	if p := tc.Profile(); p.Backend().Name() != "h264_vaapi" || p.Fallback == nil {
		t.Fatalf("profile %+v, want VA-API with a software fallback", p)
	}
	svc := &Service{Store: st.Repo(), Jobs: q, Layout: layout, Log: log,
		Media:       &media.Runner{FFmpeg: fake, Logger: log},
		Transcoding: tc}
	q.Register(JobKind, svc.Handle)

	// An upload lands under a ".part" name, whatever its container.
	clip := filepath.Join(dir, "up.part")
	if err := os.Rename(testrig.MakeClip(t, filepath.Join(dir, "up.webm"), testrig.Clip{Seconds: 2, Video: "vp9"}), clip); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Ingest(ctx, clip, UploadMeta{UploaderAccountID: ch.AccountID, ChannelID: ch.ID, Name: "hw", Privacy: model.PrivacyPublic, OriginalName: "hw.webm"})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { q.Run(runCtx, 1); close(done) }()
	defer func() { stop(); <-done }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if v, _ = st.Videos.ByUUID(ctx, v.UUID); v.State != model.StateToTranscode {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v.State != model.StatePublished {
		t.Fatalf("video state %d (%s), want published through the software fallback", v.State, v.Error)
	}
	rs, _ := st.Videos.Renditions(ctx, v.ID)
	if len(rs) != 2 || rs[0].Height != 360 || !SharedAudio(rs[1]) {
		t.Fatalf("renditions %+v, want 360p and the shared audio", rs)
	}
	failures := tc.Status().Failures
	if len(failures) != 1 || failures[0].Encoder != "h264_vaapi" || !strings.Contains(failures[0].Error, "internal encoding error") {
		t.Errorf("recorded failures %+v, want the VA-API error", failures)
	}
}
