package inbox

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/remotevideo"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// channelFinder is following.Service's KnowChannel over the PeerTube
// origin's documents: a channel of an instance the server actor follows
// is stored with its owner; any other is not followed.
type channelFinder struct {
	r     *rig
	o     *ptOrigin
	calls int
}

func (f *channelFinder) KnowChannel(ctx context.Context, iri string) error {
	f.calls++
	ok, err := f.r.st.Follows().ServerFollows(ctx, hostOf(iri))
	if err != nil || !ok {
		return fmt.Errorf("%w: %s (%v)", remotevideo.ErrNotFollowed, iri, err)
	}
	group, err := ReadActor(f.o.docs[ptChannel], time.Now())
	if err != nil {
		return err
	}
	person, err := ReadActor(f.o.docs[ptAccount], time.Now())
	if err != nil {
		return err
	}
	return f.r.st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		accID, err := tx.PutRemoteAccount(ctx, pid, person)
		if err != nil {
			return err
		}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		_, err = tx.PutRemoteChannel(ctx, gid, accID, group)
		return err
	})
}

// PeerTube's server actor announces a video of a channel nobody here
// follows: dropped while the server actor does not follow that instance;
// once it does (accepted), the channel is found and the video kept,
// though no user subscribes to it.
func TestServerActorAnnounceOfAnUnknownChannel(t *testing.T) {
	r := newRig(t)
	o := newPTOrigin(t)
	ctx := context.Background()
	finder := &channelFinder{r: r, o: o}
	r.svc.Channels = finder
	announce := fixture(t, "peertube-announce-without-context.json", "http://127.0.0.1:9002", o.srv.URL,
		"997111d4-e8d8-4f45-99d3-857905785d05", ptVideoUUID)
	keyID := o.iri("/accounts/peertube") + "#main-key"
	videoIRI := o.iri("/videos/watch/" + ptVideoUUID)

	if st := r.postAs(announce, keyID, remoteKey(0)); st != http.StatusAccepted {
		t.Fatalf("Announce from an instance not followed: %d, want 202", st)
	}
	if _, err := r.st.Follows().RemoteVideoByIRI(ctx, videoIRI); err == nil {
		t.Fatal("a video of an instance not followed was stored")
	}

	server, err := ReadActor(o.docs["/accounts/peertube"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = r.st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		id, err := tx.PutActor(ctx, server)
		if err != nil {
			return err
		}
		f, err := tx.PutFollowing(ctx, model.FollowerServer, 0, id, func(int64) string { return publicURL + "/accounts/peertube/follows/1" })
		if err != nil {
			return err
		}
		_, err = tx.AcceptFollowing(ctx, server.IRI, f.ActivityID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := r.postAs(announce, keyID, remoteKey(0)); st != http.StatusNoContent {
		t.Fatalf("Announce from a followed instance: %d, want 204", st)
	}
	rv, err := r.st.Follows().RemoteVideoByIRI(ctx, videoIRI)
	if err != nil {
		t.Fatalf("announced video not stored: %v", err)
	}
	v, err := r.st.Videos.ByID(ctx, rv.VideoID)
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := v.Channel.Handle(); v.UUID != ptVideoUUID || !v.Channel.Remote() || name != "thelinuxexperiment_channel" {
		t.Errorf("stored video %s of channel %s (remote %v)", v.UUID, name, v.Channel.Remote())
	}
	if n := r.rows("subscriptions", "1 = 1"); n != 0 {
		t.Errorf("%d subscriptions", n)
	}
	if finder.calls != 2 {
		t.Errorf("the channel was looked for %d times, want once per unknown-channel Announce (2)", finder.calls)
	}
}
