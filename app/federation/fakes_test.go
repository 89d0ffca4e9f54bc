package federation_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The domain, in memory: one account "alice" with channel "alice_channel".
var (
	t0      = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	alice   = model.Account{ID: 7, UserID: 3, Name: "alice", DisplayName: "Alice", Description: "I film birds.", CreatedAt: t0}
	channel = model.Channel{ID: 9, AccountID: 7, Name: "alice_channel", DisplayName: "Birds", Description: "Birds of the garden.",
		Support: "Tip me", CreatedAt: t0, Account: alice}
)

type fakeAccounts struct{}

func (fakeAccounts) LocalAccount(_ context.Context, name string) (model.Account, error) {
	if strings.EqualFold(name, alice.Name) {
		return alice, nil
	}
	return model.Account{}, model.ErrNotFound
}

func (fakeAccounts) LocalChannel(_ context.Context, _ visibility.Viewer, name string) (model.Channel, error) {
	if strings.EqualFold(name, channel.Name) {
		return channel, nil
	}
	return model.Channel{}, model.ErrNotFound
}

// fakeVideos answers as videos.Service does: the visibility rules for the
// viewer, by UUID.
type fakeVideos struct{ videos map[string]model.Video }

func (f fakeVideos) Details(_ context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	v, ok := f.videos[ref]
	if !ok || !visibility.Video(viewer, v, visibility.ByUUID) {
		return model.Video{}, model.ErrNotFound
	}
	return v, nil
}

func (f fakeVideos) Renditions(_ context.Context, v model.Video) ([]model.Rendition, error) {
	return []model.Rendition{
		{ID: 31, VideoID: v.ID, Name: "audio", Bandwidth: 128_000, Codecs: "mp4a.40.2", Size: 40_000},
		{ID: 32, VideoID: v.ID, Name: "360p", Width: 640, Height: 360, FPS: 25, Codecs: "avc1.64001e", Size: 300_000},
		{ID: 33, VideoID: v.ID, Name: "720p", Width: 1280, Height: 720, FPS: 29.97, Codecs: "avc1.64001f", Size: 900_000},
	}, nil
}

func (fakeVideos) Views(v model.Video) int64 { return v.Views + 2 }

// fakeTorrents describes every file with fixed pieces.
type fakeTorrents struct{}

func (fakeTorrents) Describe(_ context.Context, u uris.Builder, v model.Video, r model.Rendition) (torrents.File, error) {
	return torrents.File{Pieces: torrents.Pieces{Length: r.Size, PieceLength: 1 << 18, Hashes: []byte(strings.Repeat("x", 20))},
		Name: v.Name + " " + r.Name + ".mp4", WebSeed: u.Abs(uris.HLSFile(v.UUID, v.UUID+"-"+r.Name+".mp4"))}, nil
}

type fakeAvatars struct{}

func (fakeAvatars) AvatarOf(_ context.Context, id int64) (repo.Avatar, error) {
	if id == alice.ID {
		return repo.Avatar{File: "0123456789abcdef0123456789abcdef.jpg", UpdatedAt: t0}, nil
	}
	return repo.Avatar{}, nil
}

// pems gives every actor the test key, and remembers who asked.
type pems struct {
	pem   string
	asked []string
}

func (p *pems) PublicPEM(_ context.Context, kind string, id int64) (string, error) {
	p.asked = append(p.asked, kind)
	return p.pem, nil
}

func testKey(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/public.pem")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// published is a published video of alice's channel.
func published(uuid string, privacy int) model.Video {
	return model.Video{ID: 5, UUID: uuid, ShortUUID: "short", ChannelID: channel.ID, Name: "Blue tit at the feeder",
		Description: "A **blue tit** visits.", Privacy: privacy, State: model.StatePublished, Duration: 64400 * time.Millisecond,
		Width: 1280, Height: 720, Views: 40, CreatedAt: t0, PublishedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(2 * time.Hour),
		HasThumbnail: true, Channel: channel,
		Meta: model.Meta{Category: 15, Licence: 2, Language: "fr", Support: "Tip me", CommentsPolicy: model.CommentsEnabled,
			DownloadEnabled: true, Tags: []string{"birds", "garden"}}}
}

const (
	uuidPublic   = "5d161a1a-ec38-43d2-b03a-984b05fb8f7a"
	uuidUnlisted = "6d161a1a-ec38-43d2-b03a-984b05fb8f7a"
)

// service is a Service over the fakes, federating as https://videos.example.org.
func service(t *testing.T, extra ...model.Video) (*federation.Service, *pems) {
	t.Helper()
	vs := map[string]model.Video{uuidPublic: published(uuidPublic, model.PrivacyPublic), uuidUnlisted: published(uuidUnlisted, model.PrivacyUnlisted)}
	for _, v := range extra {
		vs[v.UUID] = v
	}
	k := &pems{pem: testKey(t)}
	return &federation.Service{Identity: federation.NewIdentity("https://videos.example.org", nil), Accounts: fakeAccounts{},
		Videos: fakeVideos{videos: vs}, Torrents: fakeTorrents{}, Keys: k, Avatars: fakeAvatars{}, Version: "1.2.3", Started: t0,
		Node: func(context.Context) (string, string) { return "Les oiseaux", "Birds at home" }}, k
}
