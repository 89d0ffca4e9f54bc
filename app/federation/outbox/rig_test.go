package outbox_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

const base = "https://videos.example.org"

// The domain, in memory: account alice (7) with channel alice_channel (9).
var (
	t0      = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	alice   = model.Account{ID: 7, UserID: 3, Name: "alice", DisplayName: "Alice", Description: "I film birds.", CreatedAt: t0}
	channel = model.Channel{ID: 9, AccountID: 7, Name: "alice_channel", DisplayName: "Birds", Description: "Birds of the garden.",
		CreatedAt: t0, Account: alice}
)

// remoteAccount and remoteChannel live on another server (rows of the
// same tables, as following stores them); remote() is a video of theirs.
var (
	remoteAccount = model.Account{ID: 70, Name: "owl@pt.example", DisplayName: "Owl", RemoteActorID: 3, CreatedAt: t0}
	remoteChannel = model.Channel{ID: 90, AccountID: 70, Name: "owls@pt.example", DisplayName: "Owls", RemoteActorID: 4,
		CreatedAt: t0, Account: remoteAccount}
)

const uuid1 = "5d161a1a-ec38-43d2-b03a-984b05fb8f7a"

// remote is a published public video of the remote channel.
func remote() model.Video {
	v := video(model.PrivacyPublic)
	v.ID, v.UUID, v.ChannelID, v.Channel = 50, "5e161a1a-ec38-43d2-b03a-984b05fb8f7a", remoteChannel.ID, remoteChannel
	return v
}

// video is alice's published video with the given privacy.
func video(privacy int) model.Video {
	return model.Video{ID: 5, UUID: uuid1, ShortUUID: "short", ChannelID: channel.ID, Name: "Blue tit at the feeder",
		Description: "A **blue tit** visits.", Privacy: privacy, State: model.StatePublished, Duration: 64 * time.Second,
		Width: 1280, Height: 720, Views: 40, CreatedAt: t0, PublishedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(2 * time.Hour),
		HasThumbnail: true, Channel: channel,
		Meta: model.Meta{CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true, Tags: []string{"birds"}}}
}

// domain is the videos and accounts the documents are made from.
type domain struct {
	mu       sync.Mutex
	videos   map[int64]model.Video
	comments map[int64]model.Comment
}

func (d *domain) set(v model.Video) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.videos[v.ID] = v
}

func (d *domain) remove(id int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.videos, id)
}

func (d *domain) ByID(_ context.Context, id int64) (model.Video, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.videos[id]
	if !ok {
		return model.Video{}, model.ErrNotFound
	}
	return v, nil
}

func (d *domain) Details(_ context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, v := range d.videos {
		if v.UUID == ref && visibility.Video(viewer, v, visibility.ByUUID) {
			return v, nil
		}
	}
	return model.Video{}, model.ErrNotFound
}

func (d *domain) Renditions(_ context.Context, v model.Video) ([]model.Rendition, error) {
	return []model.Rendition{
		{ID: 31, VideoID: v.ID, Name: "audio", Bandwidth: 128_000, Codecs: "mp4a.40.2", Size: 40_000},
		{ID: 32, VideoID: v.ID, Name: "720p", Width: 1280, Height: 720, FPS: 25, Codecs: "avc1.64001f", Size: 900_000},
	}, nil
}

func (d *domain) Views(v model.Video) int64 { return v.Views }

func (d *domain) LocalAccount(_ context.Context, name string) (model.Account, error) {
	if name == alice.Name {
		return alice, nil
	}
	return model.Account{}, model.ErrNotFound
}

func (d *domain) LocalChannel(_ context.Context, _ visibility.Viewer, name string) (model.Channel, error) {
	if name == channel.Name {
		return channel, nil
	}
	return model.Channel{}, model.ErrNotFound
}

func (d *domain) AccountByID(_ context.Context, id int64) (model.Account, error) {
	switch id {
	case alice.ID:
		return alice, nil
	case remoteAccount.ID:
		return remoteAccount, nil
	}
	return model.Account{}, model.ErrNotFound
}

func (d *domain) ChannelByID(_ context.Context, _ visibility.Viewer, id int64) (model.Channel, error) {
	switch id {
	case channel.ID:
		return channel, nil
	case remoteChannel.ID:
		return remoteChannel, nil
	}
	return model.Channel{}, model.ErrNotFound
}

func (d *domain) ChannelsOf(_ context.Context, accountID int64) ([]model.Channel, error) {
	if accountID == alice.ID {
		return []model.Channel{channel}, nil
	}
	return nil, nil
}

type fakeTorrents struct{}

func (fakeTorrents) Describe(_ context.Context, u uris.Builder, v model.Video, r model.Rendition) (torrents.File, error) {
	return torrents.File{Pieces: torrents.Pieces{Length: r.Size, PieceLength: 1 << 18, Hashes: []byte(strings.Repeat("x", 20))},
		Name: v.Name + " " + r.Name + ".mp4", WebSeed: u.Abs(uris.HLSFile(v.UUID, v.UUID+"-"+r.Name+".mp4"))}, nil
}

// sent is one Send call as the recording Sender saw it.
type sent struct {
	From     federation.LocalActor
	Activity map[string]any
	Raw      []byte
	To       []federation.Recipient
}

// recorder is a Sender that keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	sent []sent
	ch   chan struct{}
}

func (r *recorder) Send(_ context.Context, from federation.LocalActor, activity []byte, to []federation.Recipient) error {
	var m map[string]any
	if err := json.Unmarshal(activity, &m); err != nil {
		return err
	}
	r.mu.Lock()
	r.sent = append(r.sent, sent{From: from, Activity: m, Raw: slices.Clone(activity), To: to})
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
	return nil
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// audience is a fixed follower list per local actor: two followers on one
// host (a shared inbox), one that follows both the account and the channel.
type audience struct {
	by map[keys.Actor][]federation.Recipient
}

var (
	bob   = federation.Recipient{Actor: "https://pt.example/accounts/bob", Inbox: "https://pt.example/accounts/bob/inbox", SharedInbox: "https://pt.example/inbox"}
	carol = federation.Recipient{Actor: "https://masto.example/users/carol", Inbox: "https://masto.example/users/carol/inbox", SharedInbox: "https://masto.example/inbox"}
	dan   = federation.Recipient{Actor: "https://gts.example/users/dan", Inbox: "https://gts.example/users/dan/inbox"}
)

func fixedAudience() *audience {
	return &audience{by: map[keys.Actor][]federation.Recipient{
		{Kind: keys.Account, ID: alice.ID}:   {bob, carol},
		{Kind: keys.Channel, ID: channel.ID}: {carol, dan},
		// Followers of the remote actors here: local follows would not
		// make them ours to federate.
		{Kind: keys.Account, ID: remoteAccount.ID}: {bob},
		{Kind: keys.Channel, ID: remoteChannel.ID}: {carol},
	}}
}

func (a *audience) Followers(_ context.Context, of ...keys.Actor) ([]federation.Recipient, error) {
	var out []federation.Recipient
	for _, k := range of {
		for _, r := range a.by[k] {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// rig is an outbox over a real SQLite store and job queue, the real
// documents service on the in-memory domain, a recording Sender and a
// fixed Audience.
type rig struct {
	t    *testing.T
	path string
	st   *store.Store
	q    *jobs.Queue
	dom  *domain
	rec  *recorder
	ob   *outbox.Service
	now  time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, path: filepath.Join(t.TempDir(), "cabane.db"), dom: &domain{videos: map[int64]model.Video{}, comments: map[int64]model.Comment{}},
		rec: &recorder{ch: make(chan struct{}, 16)}, now: t0.Add(24 * time.Hour)}
	r.open()
	return r
}

func testKey(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/public.pem")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// open opens (or reopens, after close: a restart) the store, the queue
// and the outbox.
func (r *rig) open() {
	t := r.t
	st, err := store.Open(context.Background(), r.path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.st = st
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r.q = jobs.New(st.DB(), log, jobs.Options{Poll: 20 * time.Millisecond})
	id := federation.NewIdentity(base, nil)
	pem := testKey(t)
	docs := &federation.Service{Identity: id, Accounts: r.dom, Videos: r.dom, Torrents: fakeTorrents{}, Version: "1.2.3",
		Keys: federation.PublicKeyFunc(func(context.Context, string, int64) (string, error) { return pem, nil }), Comments: r.dom}
	r.ob = &outbox.Service{Identity: id, Documents: docs, Videos: r.dom, Accounts: r.dom, Jobs: r.q,
		Sender: r.rec, Audience: fixedAudience(), Log: log, Now: func() time.Time { return r.now }}
	r.ob.Register(r.q)
}

func (r *rig) close() {
	if err := r.st.Close(); err != nil {
		r.t.Fatal(err)
	}
}

// run runs the queue until want activities were sent (or fails), then
// a little longer to catch extra ones, and stops it.
func (r *rig) run(want int) []sent {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.q.Run(ctx, 2) }()
	deadline := time.After(5 * time.Second)
	for len(r.rec.all()) < want {
		select {
		case <-r.rec.ch:
		case <-deadline:
			cancel()
			<-done
			r.t.Fatalf("%d activities sent, want %d", len(r.rec.all()), want)
		}
	}
	r.settle()
	cancel()
	if err := <-done; err != nil {
		r.t.Fatal(err)
	}
	return r.rec.all()
}

// settle waits until no job is queued or running.
func (r *rig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		for _, state := range []string{jobs.StateQueued, jobs.StateRunning} {
			js, err := r.q.List(context.Background(), jobs.ListFilter{State: state})
			if err != nil {
				r.t.Fatal(err)
			}
			for _, j := range js {
				if j.RunAfter.Before(time.Now().Add(time.Second)) {
					n++
				}
			}
		}
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatal("jobs still pending")
}

// change commits before → after as a write would: the hook inside the
// write's transaction.
func (r *rig) change(before, after model.Video) {
	r.t.Helper()
	err := r.st.WithTx(context.Background(), func(tx *store.Tx) error {
		return r.ob.VideoChanged(context.Background(), tx.SQL(), before, after)
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// jobsOf lists the jobs of kind, newest first.
func (r *rig) jobsOf(kind string) []jobs.Job {
	r.t.Helper()
	js, err := r.q.List(context.Background(), jobs.ListFilter{Kind: kind})
	if err != nil {
		r.t.Fatal(err)
	}
	return js
}
