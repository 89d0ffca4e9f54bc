package seed

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// RemoteVideo stores in st a public video of a followed remote channel
// (on tube.example) with an HLS playlist, as following a channel does.
func RemoteVideo(t testing.TB, st *store.Store) model.Video {
	t.Helper()
	ctx := context.Background()
	const origin = "https://tube.example"
	v := model.Video{UUID: uuid.NewString(), ShortUUID: uuid.NewString()[:8], Name: "Heron fishing", Privacy: model.PrivacyPublic,
		PublishedAt: time.Now()}
	err := st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		person := model.RemoteActor{IRI: origin + "/accounts/heron", Type: "Person", PreferredUsername: "heron", Host: "tube.example",
			Inbox: origin + "/accounts/heron/inbox"}
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		owner, err := tx.PutRemoteAccount(ctx, pid, person)
		if err != nil {
			return err
		}
		group := model.RemoteActor{IRI: origin + "/video-channels/herons", Type: "Group", PreferredUsername: "herons", Host: "tube.example"}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		if v.ChannelID, err = tx.PutRemoteChannel(ctx, gid, owner, group); err != nil {
			return err
		}
		iri := origin + "/videos/watch/" + v.UUID
		v.ID, err = tx.PutRemoteVideo(ctx, v, model.RemoteVideo{IRI: iri, WatchURL: iri,
			HLSURL:     origin + "/static/streaming-playlists/hls/" + v.UUID + "/master.m3u8",
			Renditions: []model.RemoteRendition{{Height: 360, Size: 20000}}, UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
