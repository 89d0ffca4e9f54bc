package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// sends records what the outbox hands to delivery.
type sends struct {
	mu  sync.Mutex
	got []map[string]any
}

func (s *sends) Send(_ context.Context, _ federation.LocalActor, activity []byte, _ []federation.Recipient) error {
	var m map[string]any
	if err := json.Unmarshal(activity, &m); err != nil {
		return err
	}
	s.mu.Lock()
	s.got = append(s.got, m)
	s.mu.Unlock()
	return nil
}

func (s *sends) wait(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		got := append([]map[string]any(nil), s.got...)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("fewer than %d activities sent", n)
	return nil
}

// oneFollower follows everyone.
type oneFollower struct{}

func (oneFollower) Followers(context.Context, ...keys.Actor) ([]federation.Recipient, error) {
	return []federation.Recipient{{Actor: "https://pt.example/accounts/bob", Inbox: "https://pt.example/accounts/bob/inbox"}}, nil
}

// The outbox as the App wires it: an upload, once published, is a Create
// whose Video (real torrents, real renditions) passes PeerTube's rules,
// and an Announce; an edit made while no worker runs, then a restart, is
// still sent after it.
func TestOutboxWired(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir, cfg.PublicURL, cfg.MDNS = t.TempDir(), "https://videos.example.org", false
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &sends{}
	open := func() *App {
		a, err := Open(ctx, cfg, log, "test")
		if err != nil {
			t.Fatal(err)
		}
		a.Outbox.Sender, a.Outbox.Audience = rec, oneFollower{}
		return a
	}
	work := func(a *App) (stop func()) {
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { a.Jobs.Run(runCtx, 1); close(done) }()
		return func() { cancel(); <-done }
	}
	a := open()
	u, ch, err := a.Store.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "a@example.org", PasswordHash: "x", ChannelName: "alice_channel"})
	if err != nil {
		t.Fatal(err)
	}
	clip := testrig.MakeClip(t, filepath.Join(a.Layout.Uploads(), "up.part"), testrig.Clip{Seconds: 2, Size: "640x360", FPS: 25, Args: []string{"-f", "mp4"}})
	v, err := a.Videos.Ingest(ctx, clip, videos.UploadMeta{UploaderAccountID: ch.AccountID, ChannelID: ch.ID, Name: "Blue tit",
		Privacy: model.PrivacyPublic, OriginalName: "tit.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	stop := work(a)
	got := rec.wait(t, 2)
	if got[0]["type"] != "Create" || got[1]["type"] != "Announce" {
		t.Fatalf("sent %v then %v, want Create then Announce", got[0]["type"], got[1]["type"])
	}
	doc, _ := json.Marshal(got[0]["object"])
	if err := ptcheck.Video(doc); err != nil {
		t.Errorf("the published Video breaks PeerTube's rules: %v\n%s", err, doc)
	}
	stop()
	n := len(rec.wait(t, 2)) // a later rendition may have sent Updates

	// Made private while nothing runs, then the process stops.
	owner := visibility.Viewer{UserID: u.ID, AccountID: u.AccountID}
	private := model.PrivacyPrivate
	if _, err := a.Videos.Update(ctx, owner, v.UUID, videos.Edit{Privacy: &private}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open()
	defer a.Close()
	defer work(a)()
	got = rec.wait(t, n+1)
	if last := got[len(got)-1]; last["type"] != "Delete" || last["id"] != "https://videos.example.org/videos/watch/"+v.UUID+"/delete" {
		t.Errorf("after the restart sent %v %v, want the Delete", last["type"], last["id"])
	}
}
