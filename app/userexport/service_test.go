package userexport_test

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/visibility"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*userexport.Service, *store.Store, *clock) {
	t.Helper()
	l := config.Layout{Root: t.TempDir()}
	if err := l.Prepare(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Now()}
	return &userexport.Service{Store: st.UserExports(), Layout: l, URIs: uris.New("https://videos.example.org"), Now: c.now}, st, c
}

// One export at a time per user; only the user (or an admin) asks; the
// archive is a ZIP with PeerTube's files, downloadable by token until it
// expires two days later, when Prune deletes file and row; a new one
// waits until the ready one is deleted.
func TestExportLifecycle(t *testing.T) {
	ctx := context.Background()
	s, st, c := newService(t)
	u, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "alice@example.org", PasswordHash: "!", ChannelName: "alice_channel"})
	if err != nil {
		t.Fatal(err)
	}
	me := visibility.Viewer{UserID: u.ID, AccountID: u.AccountID}
	if _, err := s.Request(ctx, visibility.Viewer{UserID: u.ID + 1}, u.ID, false); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("another user's request: %v, want ErrForbidden", err)
	}
	if _, err := s.Request(ctx, visibility.Viewer{UserID: u.ID + 1, IsAdmin: true}, u.ID+5, false); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("an admin's request for nobody: %v, want ErrNotFound", err)
	}
	if _, err := s.Request(ctx, visibility.Viewer{UserID: u.ID + 1, IsAdmin: true}, u.ID, false); err != nil {
		t.Errorf("an admin's request: %v", err)
	}
	if _, err := s.Request(ctx, me, u.ID, false); !errors.Is(err, userexport.ErrBusy) {
		t.Errorf("a second request while one is pending: %v, want ErrBusy", err)
	}
	list, _ := s.List(ctx, me, u.ID)
	if len(list) != 1 || list[0].State != userexport.StatePending {
		t.Fatalf("list: %+v", list)
	}
	first := list[0]
	// A build stopped (the server shutting down) is not a failure: the
	// export waits for the job's next run.
	stopped, cancel := context.WithCancel(ctx)
	if err := s.Build(stopped, first.ID, func(float64) { cancel() }); err == nil {
		t.Fatal("a stopped build succeeded")
	}
	if e, _ := st.UserExports().Get(ctx, first.ID); e.State != userexport.StatePending {
		t.Errorf("after a stopped build: state %d, want pending", e.State)
	}
	var steps []float64
	if err := s.Build(ctx, first.ID, func(p float64) { steps = append(steps, p) }); err != nil {
		t.Fatal(err)
	}
	if len(steps) < 3 || steps[len(steps)-1] < 90 {
		t.Errorf("progress went %v", steps)
	}
	e, _ := st.UserExports().Get(ctx, first.ID)
	if e.State != userexport.StateCompleted || e.Size <= 0 || !e.ExpiresAt.Equal(c.t.Add(userexport.Keep).Truncate(time.Millisecond)) {
		t.Fatalf("after the build: %+v", e)
	}
	zr, err := zip.OpenReader(s.Path(e))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	zr.Close()
	for _, n := range []string{"peertube/account.json", "peertube/channels.json", "peertube/videos.json", "peertube/comments.json",
		"peertube/likes.json", "peertube/dislikes.json", "peertube/follower.json", "peertube/following.json",
		"peertube/user-settings.json", "peertube/video-playlists.json", "peertube/blocklist.json", "peertube/video-history.json",
		"peertube/watched-words-lists.json", "peertube/automatic-tag-policies.json",
		"activity-pub/outbox.json", "activity-pub/likes.json", "activity-pub/dislikes.json", "activity-pub/following.json"} {
		if !names[n] {
			t.Errorf("the archive lacks %s", n)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(s.Dir(), "*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Downloads: by token, by the owner, never by another.
	jwt := s.DownloadToken(e)
	if f, _, err := s.Open(ctx, visibility.Viewer{}, e.Filename, jwt); err != nil {
		t.Errorf("by token: %v", err)
	} else {
		f.Close()
	}
	checkJWT(t, s, e, jwt, c)
	if _, _, err := s.Open(ctx, visibility.Viewer{UserID: u.ID + 1}, e.Filename, ""); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("another user without token: %v", err)
	}
	if _, _, err := s.Open(ctx, visibility.Viewer{}, e.Filename, "nope"); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("a wrong token: %v", err)
	}

	// As PeerTube, a new one waits until the ready one is deleted;
	// another user may not delete it.
	if _, err := s.Request(ctx, me, u.ID, true); !errors.Is(err, userexport.ErrBusy) {
		t.Errorf("a request while one is ready: %v, want ErrBusy", err)
	}
	if err := s.Delete(ctx, visibility.Viewer{UserID: u.ID + 1}, u.ID, e.ID); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("another user deletes it: %v", err)
	}
	if err := s.Delete(ctx, me, u.ID, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path(e)); !os.IsNotExist(err) {
		t.Errorf("the deleted archive is still there: %v", err)
	}
	id2, err := s.Request(ctx, me, u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Build(ctx, id2, nil); err != nil {
		t.Fatal(err)
	}
	list, _ = s.List(ctx, me, u.ID)
	if len(list) != 1 || list[0].ID != id2 {
		t.Fatalf("after a second export: %+v", list)
	}

	// Two days later it is no longer served, and Prune deletes it, with
	// what a killed build left.
	stale := filepath.Join(s.Dir(), "outbox-123.tmp")
	os.WriteFile(stale, []byte("half"), 0o600)
	orphan := filepath.Join(s.Dir(), "user-export-99-0123.zip") // its user was deleted
	os.WriteFile(orphan, []byte("PK"), 0o600)
	jwt2 := s.DownloadToken(list[0])
	c.t = c.t.Add(userexport.Keep + time.Minute)
	if _, _, err := s.Open(ctx, me, list[0].Filename, ""); !errors.Is(err, userexport.ErrNotReady) {
		t.Errorf("expired download: %v, want ErrNotReady", err)
	}
	if _, _, err := s.Open(ctx, visibility.Viewer{}, list[0].Filename, jwt2); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("expired download link: %v, want ErrForbidden", err)
	}
	if n, err := s.Prune(ctx); err != nil || n != 1 {
		t.Errorf("prune: %d %v", n, err)
	}
	if _, err := os.Stat(s.Path(list[0])); !os.IsNotExist(err) {
		t.Errorf("the expired archive is still there: %v", err)
	}
	if list, _ := s.List(ctx, me, u.ID); len(list) != 0 {
		t.Errorf("after prune: %+v", list)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("an archive without its row is still there: %v", err)
	}
}
