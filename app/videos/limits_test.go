package videos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
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
)

// rig is a videos service on a real database and real ffmpeg, encoding
// one 360p rendition with libx264.
type rig struct {
	svc    *Service
	st     *store.Store
	q      *jobs.Queue
	layout config.Layout
	ch     model.Channel
	dir    string
}

func newRig(t *testing.T, root string) *rig {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if root == "" {
		root = filepath.Join(dir, "data")
	}
	layout := config.Layout{Root: root}
	if err := layout.Prepare(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "a", Email: "a@example.org", PasswordHash: "x", ChannelName: "a_ch"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(st.DB(), log, jobs.Options{Poll: 50 * time.Millisecond})
	prof := transcoding.Build(hardware.Board{Cores: 2, MemTotal: 4 << 30}, hardware.ProbeResult{}, false, "", 1)
	prof.Heights, prof.MaxHeight = []int{360}, 360
	svc := &Service{Store: st.Repo(), Jobs: q, Layout: layout, Log: log, Media: &media.Runner{Logger: log},
		Transcoding: fixedProfile{prof}}
	q.Register(JobKind, svc.Handle)
	return &rig{svc: svc, st: st, q: q, layout: layout, ch: ch, dir: dir}
}

// run processes jobs until the test ends.
func (r *rig) run(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.q.Run(ctx, 1); close(done) }()
	t.Cleanup(func() { stop(); <-done })
}

// makeClip writes a clip with ffmpeg (lavfi inputs) into the rig's dir.
func (r *rig) makeClip(t *testing.T, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(r.dir, name)
	a := append(append([]string{"-v", "error"}, args...), "-y", out)
	if b, err := exec.Command("ffmpeg", a...).CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", name, err, b)
	}
	return out
}

// upload copies a clip to a fresh upload path and ingests it.
func (r *rig) upload(t *testing.T, clip string) (model.Video, error) {
	t.Helper()
	b, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(r.layout.Uploads(), fmt.Sprintf("up-%d.part", time.Now().UnixNano()))
	if err := os.WriteFile(tmp, b, 0o640); err != nil {
		t.Fatal(err)
	}
	return r.svc.Ingest(context.Background(), tmp, UploadMeta{UploaderAccountID: r.ch.AccountID, ChannelID: r.ch.ID, Name: "v", Privacy: model.PrivacyPublic, OriginalName: filepath.Base(clip)})
}

func (r *rig) waitState(t *testing.T, v model.Video, timeout time.Duration, done func(model.Video) bool) model.Video {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		got, err := r.st.Videos.ByUUID(context.Background(), v.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if done(got) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := r.st.Videos.ByUUID(context.Background(), v.UUID)
	t.Fatalf("video %s: state %d (%s) after %v", v.UUID, got.State, got.Error, timeout)
	return got
}

// Each limit refuses an upload before anything is stored or encoded, with
// a message that names the limit; what fits goes through.
func TestIngestRefusesWhatExceedsTheLimits(t *testing.T) {
	r := newRig(t, "")
	r.svc.Limits = config.Limits{MaxDuration: 2 * time.Second, MaxVideoWidth: 320, MaxVideoHeight: 240, MaxFPS: 30, MaxQueuedPerUser: 2}
	small := func(size string, rate, secs int) []string {
		return []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%s:rate=%d:duration=%d", size, rate, secs),
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"long.mp4", small("160x90", 10, 3), "lasts 3 s; this box accepts videos up to 2 s long"},
		{"wide.mp4", small("640x90", 10, 1), "is 640×90 pixels; this box accepts pictures up to 320×240"},
		{"tall.mp4", small("160x480", 10, 1), "is 160×480 pixels"},
		{"fast.mp4", small("160x90", 60, 1), "has 60 frames per second; this box accepts up to 30"},
	} {
		clip := r.makeClip(t, c.name, c.args...)
		_, err := r.upload(t, clip)
		if !errors.Is(err, ErrBadUpload) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want ErrBadUpload saying %q", c.name, err, c.want)
		}
	}
	if n, _ := r.st.Videos.Count(context.Background()); n != 0 {
		t.Fatalf("%d videos stored from refused uploads", n)
	}
	if es, _ := os.ReadDir(r.layout.Media()); len(es) != 0 {
		t.Fatalf("refused uploads left %d media folders", len(es))
	}
	if es, _ := os.ReadDir(r.layout.Uploads()); len(es) != 0 {
		t.Fatalf("refused uploads left %d files in uploads", len(es))
	}
	// Two fit the account's share of the queue; the third waits its turn.
	ok := r.makeClip(t, "ok.mp4", small("160x90", 10, 1)...)
	for i := range 2 {
		if _, err := r.upload(t, ok); err != nil {
			t.Fatalf("upload %d within the limits: %v", i+1, err)
		}
	}
	_, err := r.upload(t, ok)
	if !errors.Is(err, ErrBadUpload) || !strings.Contains(err.Error(), "already have 2 videos waiting") {
		t.Fatalf("third queued upload: %v; want refused for the account's queue share", err)
	}
	if n, _ := r.st.Videos.Count(context.Background()); n != 2 {
		t.Fatalf("%d videos stored, want 2", n)
	}
	js, _ := r.q.List(context.Background(), jobs.ListFilter{})
	for _, j := range js {
		if j.VideoID == 0 || j.OwnerAccountID != r.ch.AccountID {
			t.Errorf("job %+v: want its video and the uploader's account", j)
		}
	}
}

// A truncated faststart MP4 announces its full duration in the header; the
// video shows what was packaged.
func TestTruncatedUploadShowsThePackagedDuration(t *testing.T) {
	r := newRig(t, "")
	full := r.makeClip(t, "full.mp4", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=10", "-f", "lavfi", "-i", "sine=duration=10",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart")
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(r.dir, "cut.mp4")
	if err := os.WriteFile(cut, b[:len(b)*3/10], 0o640); err != nil { // head -c 30 %
		t.Fatal(err)
	}
	v, err := r.upload(t, cut)
	if err != nil {
		t.Fatal(err)
	}
	if v.Duration < 9*time.Second {
		t.Fatalf("probe duration %v: the header should claim ~10 s", v.Duration)
	}
	r.run(t)
	v = r.waitState(t, v, 60*time.Second, func(v model.Video) bool { return v.State != model.StateToTranscode })
	if v.State != model.StatePublished {
		t.Fatalf("state %d (%s), want published", v.State, v.Error)
	}
	if v.Duration <= 0 || v.Duration > 6*time.Second {
		t.Fatalf("duration %v after packaging, want the ~3 s that were there", v.Duration)
	}
}

// fixedProfile always encodes with one profile.
type fixedProfile struct{ p transcoding.Profile }

func (f fixedProfile) Profile() transcoding.Profile { return f.p }
func (fixedProfile) EncoderFailed(string, error)    {}

// Uploads go only to one's own channels: the service checks it, whoever
// calls it, before probing anything, and keeps nothing.
func TestIngestRefusesAnotherAccountsChannel(t *testing.T) {
	r := newRig(t, t.TempDir())
	for _, uploader := range []int64{0, r.ch.AccountID + 1} {
		tmp := filepath.Join(r.layout.Uploads(), fmt.Sprintf("up-%d.part", uploader))
		if err := os.WriteFile(tmp, []byte("not even a video"), 0o640); err != nil {
			t.Fatal(err)
		}
		_, err := r.svc.Ingest(context.Background(), tmp, UploadMeta{UploaderAccountID: uploader, ChannelID: r.ch.ID, Name: "v"})
		if !errors.Is(err, ErrNotYourChannel) {
			t.Errorf("uploader %d on account %d's channel: %v", uploader, r.ch.AccountID, err)
		}
		if _, err := os.Stat(tmp); !os.IsNotExist(err) {
			t.Errorf("the refused upload was kept: %v", err)
		}
	}
	if n, _ := r.st.Videos.Count(context.Background()); n != 0 {
		t.Errorf("%d videos stored", n)
	}
}
