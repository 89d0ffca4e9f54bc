package recommendations

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// fakes: channels and videos by name, a remote resolver, an announcer.
type fakeChannels map[string]model.Channel

func (f fakeChannels) Channel(_ context.Context, _ visibility.Viewer, name string) (model.Channel, error) {
	if ch, ok := f[name]; ok {
		return ch, nil
	}
	return model.Channel{}, model.ErrNotFound
}

func (f fakeChannels) ChannelByID(_ context.Context, _ visibility.Viewer, id int64) (model.Channel, error) {
	for _, ch := range f {
		if ch.ID == id {
			return ch, nil
		}
	}
	return model.Channel{}, model.ErrNotFound
}

func (f fakeChannels) Origin(_ context.Context, kind string, id int64) (model.RemoteActor, bool, error) {
	for name, ch := range f {
		if ch.ID == id && ch.Remote() && kind == "channel" {
			return model.RemoteActor{IRI: "https://tube.example/video-channels/" + strings.Split(name, "@")[0]}, true, nil
		}
	}
	return model.RemoteActor{}, false, nil
}

type fakeVideos map[string]model.Video

func (f fakeVideos) Get(_ context.Context, _ visibility.Viewer, ref string) (model.Video, error) {
	for _, v := range f {
		if v.UUID == ref || v.ShortUUID == ref || ref == strconv.FormatInt(v.ID, 10) {
			return v, nil
		}
	}
	return model.Video{}, model.ErrNotFound
}

type fakeRemote struct {
	known map[string]following.Known
	asked []string
}

func (f *fakeRemote) Know(_ context.Context, uri string) (following.Known, error) {
	f.asked = append(f.asked, uri)
	if k, ok := f.known[uri]; ok {
		return k, nil
	}
	return following.Known{}, following.ErrNotRecommendable
}

func (f *fakeRemote) RemoteVideos(context.Context, []model.Video) (map[int64]model.RemoteVideo, error) {
	return map[int64]model.RemoteVideo{}, nil
}

type announced struct {
	iri  string
	undo bool
}

type fakeAnnouncer struct {
	sent    []announced
	changed int
}

func (f *fakeAnnouncer) Recommended(_ context.Context, _ model.Channel, r model.Recommendation, undo bool) error {
	f.sent = append(f.sent, announced{r.IRI, undo})
	return nil
}

func (f *fakeAnnouncer) ChannelChanged(context.Context, int64) { f.changed++ }

// rig: a real store with two local channels (and a video of the second)
// and a stored remote video and channel.
func rig(t *testing.T) (*Service, *fakeRemote, *fakeAnnouncer, model.Channel, int64, int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mk := func(name string) model.Channel {
		db := st.DB()
		now := int64(1)
		res, err := db.ExecContext(ctx, `INSERT INTO accounts(name, display_name, created_at) VALUES (?, ?, ?)`, name, name, now)
		if err != nil {
			t.Fatal(err)
		}
		aid, _ := res.LastInsertId()
		res, err = db.ExecContext(ctx, `INSERT INTO channels(account_id, name, display_name, created_at) VALUES (?, ?, ?, ?)`, aid, name+"_channel", name+"'s", now)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return model.Channel{ID: id, AccountID: aid, Name: name + "_channel", DisplayName: name + "'s"}
	}
	alice, bob := mk("alice"), mk("bob")
	// Rows for the remote targets: a channel and a video of it (the
	// recommendations' foreign keys need them).
	remoteCh := mk("far")
	res, err := st.DB().ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, created_at, updated_at) VALUES ('u-remote', 's-remote', ?, 'Far away', 1, 1)`, remoteCh.ID)
	if err != nil {
		t.Fatalf("video row: %v", err)
	}
	remoteVideo, _ := res.LastInsertId()
	res, err = st.DB().ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, privacy, created_at, updated_at) VALUES ('u-bob', 's-bob', ?, 'Bob sings', 1, 1, 1)`, bob.ID)
	if err != nil {
		t.Fatalf("video row: %v", err)
	}
	bobVideo, _ := res.LastInsertId()
	remote := &fakeRemote{known: map[string]following.Known{
		"https://tube.example/w/abc": {Kind: model.RecommendVideo, IRI: "https://tube.example/videos/watch/abc", URL: "https://tube.example/w/abc",
			Name: "Far away", VideoID: remoteVideo},
		"https://tube.example/video-channels/chan": {Kind: model.RecommendChannel, IRI: "https://tube.example/video-channels/chan", URL: "https://tube.example/c/chan",
			Channel: model.Channel{ID: remoteCh.ID, Name: "chan@tube.example", DisplayName: "Chan"}},
	}}
	ann := &fakeAnnouncer{}
	s := &Service{Identity: federation.NewIdentity("https://cabane.example", nil), Store: st.Recommendations(),
		Channels: fakeChannels{"alice_channel": alice, "bob_channel": bob,
			"chan@tube.example": {ID: remoteCh.ID, Name: "chan@tube.example", RemoteActorID: 5}},
		Videos: fakeVideos{"bob": {ID: bobVideo, UUID: "u-bob", ShortUUID: "s-bob", Name: "Bob sings", Privacy: model.PrivacyPublic, Channel: bob},
			"far": {ID: remoteVideo, UUID: "u-remote", ShortUUID: "s-remote", Name: "Far away", Privacy: model.PrivacyPublic, Channel: remoteCh}},
		Remote: remote, Announce: ann}
	return s, remote, ann, alice, bobVideo, bob.ID
}

func TestAddResolvesLocalAndRemoteTargets(t *testing.T) {
	ctx := context.Background()
	s, remote, ann, alice, bobVideo, bobCh := rig(t)
	owner := visibility.Viewer{UserID: 1, AccountID: alice.AccountID}
	for _, c := range []struct {
		target, kind, iri string
		video, channel    int64
	}{
		{"https://cabane.example/w/s-bob", model.RecommendVideo, "https://cabane.example/videos/watch/u-bob", bobVideo, 0},
		{"https://cabane.example/c/bob_channel", model.RecommendChannel, "https://cabane.example/video-channels/bob_channel", 0, bobCh},
		{"bob_channel@cabane.example", model.RecommendChannel, "https://cabane.example/video-channels/bob_channel", 0, bobCh},
		{"https://tube.example/w/abc", model.RecommendVideo, "https://tube.example/videos/watch/abc", 0, 0},
		{"https://tube.example/video-channels/chan", model.RecommendChannel, "https://tube.example/video-channels/chan", 0, 0},
		// A remote channel's page here is resolved at its origin.
		{"https://cabane.example/c/chan@tube.example", model.RecommendChannel, "https://tube.example/video-channels/chan", 0, 0},
	} {
		r, err := s.Add(ctx, owner, alice, c.target, " a note ")
		if err != nil {
			t.Fatalf("%s: %v", c.target, err)
		}
		if r.Kind != c.kind || r.IRI != c.iri || r.Note != "a note" || c.video != 0 && r.VideoID != c.video || c.channel != 0 && r.TargetChannelID != c.channel {
			t.Errorf("%s: %+v", c.target, r)
		}
	}
	if strings.Join(remote.asked, " ") != "https://tube.example/w/abc https://tube.example/video-channels/chan https://tube.example/video-channels/chan" {
		t.Errorf("remote asked for %v: local targets must not be fetched", remote.asked)
	}
	list, err := s.List(ctx, alice.ID)
	if err != nil || len(list) != 4 { // the handle named the same channel again: one row
		t.Fatalf("list: %d %v", len(list), err)
	}
	// Videos are announced (local or remote); every change updates the Group.
	if len(ann.sent) != 2 || ann.sent[0].iri != "https://cabane.example/videos/watch/u-bob" || ann.sent[1].iri != "https://tube.example/videos/watch/abc" || ann.changed != 6 {
		t.Errorf("announced %+v, %d updates", ann.sent, ann.changed)
	}
	if err := s.Remove(ctx, owner, alice, list[2].ID); err != nil {
		t.Fatal(err)
	}
	if len(ann.sent) != 3 || ann.sent[2] != (announced{"https://tube.example/videos/watch/abc", true}) {
		t.Errorf("removal of a video: %+v", ann.sent)
	}
	if err := s.Remove(ctx, owner, alice, list[2].ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("removed twice: %v", err)
	}
}

func TestOnlyTheOwnerManagesAndBadInputIsRefused(t *testing.T) {
	ctx := context.Background()
	s, _, ann, alice, _, _ := rig(t)
	owner := visibility.Viewer{UserID: 1, AccountID: alice.AccountID}
	for name, v := range map[string]visibility.Viewer{"anonymous": {}, "another user": {UserID: 9, AccountID: alice.AccountID + 100}} {
		if _, err := s.Add(ctx, v, alice, "bob_channel", ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s adds: %v", name, err)
		}
	}
	admin := visibility.Viewer{UserID: 9, AccountID: 999, IsAdmin: true}
	if _, err := s.Add(ctx, admin, alice, "bob_channel", ""); err != nil {
		t.Errorf("an admin adds: %v", err)
	}
	remoteCh := alice
	remoteCh.RemoteActorID = 7
	if _, err := s.Add(ctx, admin, remoteCh, "bob_channel", ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("a remote channel's list is its origin's: %v", err)
	}
	for _, c := range []struct{ target, note string }{
		{"", ""},
		{"bob_channel", strings.Repeat("é", 501)},
		{"alice_channel", ""},                           // itself
		{"https://cabane.example/w/nothing", ""},        // no such video
		{"https://tube.example/not-a-video", ""},        // the remote says no
		{"https://cabane.example/c/nobody_channel", ""}, // no such channel
	} {
		if _, err := s.Add(ctx, owner, alice, c.target, c.note); !errors.Is(err, ErrInvalid) {
			t.Errorf("add %q (%d chars of note): %v", c.target, len(c.note), err)
		}
	}
	if _, err := s.Add(ctx, owner, alice, "bob_channel", strings.Repeat("é", 500)); err != nil {
		t.Errorf("a 500-character note: %v", err)
	}
	if n := len(ann.sent); n != 0 {
		t.Errorf("channels announced as videos: %d", n)
	}
}
