package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// The idle federation figure: a Cabane with 1,000 remote followers (on 100
// hosts, the channel's, a tenth of them the server actor's too) and 100
// subscriptions to remote channels (each with a few remote videos, one
// host followed by the server actor) against the same Cabane with an
// empty database, both with federation on.

const (
	fedIdleFollowers     = 1000
	fedIdleHosts         = 100
	fedIdleSubscriptions = 100
	fedIdleRemoteVideos  = 5 // per subscribed channel
	fedPublic            = "https://cabane.example"
)

// seedSubscriptions stores n remote channels (with their owners) that the
// seeded account follows (accepted) and subscribes to, each with
// fedIdleRemoteVideos remote videos, and the server actor's follow of one
// instance, as following and the inbox leave them.
func seedSubscriptions(t *testing.T, data string, n int) {
	t.Helper()
	ctx := context.Background()
	l := config.Layout{Root: data}
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var accID int64
	if err := st.DB().QueryRowContext(ctx, `SELECT account_id FROM channels WHERE name = 'seed_channel'`).Scan(&accID); err != nil {
		t.Fatal(err)
	}
	actor := func(host, path, typ, name string) store.RemoteActor {
		iri := "https://" + host + path
		return store.RemoteActor{IRI: iri, Type: typ, PreferredUsername: name, Host: host, Name: "Remote " + name,
			Summary: "<p>Videos of other people's gardens.</p>", Inbox: iri + "/inbox", SharedInbox: "https://" + host + "/inbox",
			Followers: iri + "/followers", Outbox: iri + "/outbox", URL: iri, Icon: "https://" + host + "/avatar.png", FetchedAt: time.Now()}
	}
	err = st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		for i := range n {
			host := fmt.Sprintf("pt%d.example", i%fedIdleHosts)
			o := actor(host, fmt.Sprintf("/accounts/owner%d", i), "Person", fmt.Sprintf("owner%d", i))
			g := actor(host, fmt.Sprintf("/video-channels/garden%d", i), "Group", fmt.Sprintf("garden%d", i))
			oid, err := tx.PutActor(ctx, o)
			if err != nil {
				return err
			}
			ownerID, err := tx.PutRemoteAccount(ctx, oid, o)
			if err != nil {
				return err
			}
			gid, err := tx.PutActor(ctx, g)
			if err != nil {
				return err
			}
			chID, err := tx.PutRemoteChannel(ctx, gid, ownerID, g)
			if err != nil {
				return err
			}
			activity := func(id int64) string { return fmt.Sprintf("%s/accounts/seed/follows/%d", fedPublic, id) }
			f, err := tx.PutFollowing(ctx, model.FollowerAccount, accID, gid, activity)
			if err != nil {
				return err
			}
			if _, err := tx.AcceptFollowing(ctx, g.IRI, f.ActivityID); err != nil {
				return err
			}
			if err := tx.Subscribe(ctx, accID, chID); err != nil {
				return err
			}
			for j := range fedIdleRemoteVideos {
				id := uuid.New()
				at := time.Now().Add(-time.Duration(i*fedIdleRemoteVideos+j) * time.Hour)
				iri := "https://" + host + "/videos/watch/" + id.String()
				v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: chID, Name: fmt.Sprintf("Garden %d, part %d", i, j),
					Description: "A remote video of a garden, with a description of ordinary length.", Privacy: model.PrivacyPublic,
					Duration: 3 * time.Minute, Width: 1280, Height: 720, PublishedAt: at}
				rv := model.RemoteVideo{IRI: iri, WatchURL: iri, HLSURL: "https://" + host + "/static/streaming-playlists/hls/" + id.String() + "/master.m3u8",
					ThumbnailURL: "https://" + host + "/lazy-static/thumbnails/" + id.String() + ".jpg", UpdatedAt: at,
					Renditions: []model.RemoteRendition{{Height: 720, Width: 1280, FPS: 30, Size: 30 << 20, Href: "https://" + host + "/720.mp4"}}}
				if _, err := tx.PutRemoteVideo(ctx, v, rv); err != nil {
					return err
				}
			}
		}
		// The server actor follows one instance too.
		app := actor("pt0.example", "/accounts/peertube", "Application", "peertube")
		aid, err := tx.PutActor(ctx, app)
		if err != nil {
			return err
		}
		f, err := tx.PutFollowing(ctx, model.FollowerServer, 0, aid, func(id int64) string { return fmt.Sprintf("%s/accounts/peertube/follows/%d", fedPublic, id) })
		if err != nil {
			return err
		}
		_, err = tx.AcceptFollowing(ctx, app.IRI, f.ActivityID)
		return err
	})
	if err != nil {
		t.Fatalf("seed subscriptions: %v", err)
	}
}

// seedFollowers stores n remote followers of the seeded channel through
// the store, as the inbox leaves them after n Follows (one transaction:
// the figure is memory, not the disk's fsyncs).
func seedFollowers(t *testing.T, data string, n int) {
	t.Helper()
	ctx := context.Background()
	l := config.Layout{Root: data}
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var chID int64
	if err := st.DB().QueryRowContext(ctx, `SELECT id FROM channels WHERE name = 'seed_channel'`).Scan(&chID); err != nil {
		t.Fatal(err)
	}
	_, err = st.Follows().Apply(ctx, "seed-followers", func(tx *store.FollowsTx) error {
		for i := range n {
			host := fmt.Sprintf("h%d.example", i%fedIdleHosts)
			iri := fmt.Sprintf("https://%s/users/follower%d", host, i)
			id, err := tx.PutActor(ctx, store.RemoteActor{IRI: iri, Type: "Person", PreferredUsername: fmt.Sprintf("follower%d", i),
				Host: host, Name: fmt.Sprintf("Follower %d", i), Summary: "<p>Someone who likes videos of gardens.</p>",
				Inbox: iri + "/inbox", SharedInbox: "https://" + host + "/inbox", Followers: iri + "/followers", Outbox: iri + "/outbox",
				URL: iri, Icon: "https://" + host + "/avatars/" + fmt.Sprint(i) + ".png", FetchedAt: time.Now()})
			if err != nil {
				return err
			}
			if _, err := tx.PutFollow(ctx, id, store.FollowTarget{Kind: "channel", ID: chID}, store.FollowAccepted, iri+"#follows/1"); err != nil {
				return err
			}
			if i%10 == 0 {
				if _, err := tx.PutFollow(ctx, id, store.FollowTarget{Kind: "server"}, store.FollowAccepted, iri+"#follows/2"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed followers: %v", err)
	}
}

// fedBrowse does what other servers and visitors do to an idle federated
// box: the channel page (its followers count), and the channel's
// followers collection, every page, as a remote server walks it. It
// returns the collection's totalItems.
func fedBrowse(t *testing.T, s *server) int {
	t.Helper()
	get := func(path string, into any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL(path), nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if into != nil {
			if err := json.Unmarshal(body, into); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
	}
	total := -1
	for range 3 {
		resp, err := http.Get(s.URL("/c/seed_channel"))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		var coll struct {
			TotalItems int `json:"totalItems"`
		}
		get("/video-channels/seed_channel/followers", &coll)
		total = coll.TotalItems
		for page := 1; (page-1)*10 < total && page <= 100; page++ {
			get(fmt.Sprintf("/video-channels/seed_channel/followers?page=%d", page), nil)
		}
	}
	return total
}

// fedIdleMem seeds a data directory with followers (and, once following
// out exists, subscriptions to remote channels: that part of the figure
// waits for it), starts Cabane with federation on, browses, lets it
// settle 5 s and reads its memory.
func fedIdleMem(t *testing.T, followers, subscriptions int) testrig.Mem {
	t.Helper()
	data := t.TempDir()
	seed.Videos(t, data, 0)
	start := time.Now()
	seedFollowers(t, data, followers)
	if subscriptions > 0 {
		seedSubscriptions(t, data, subscriptions)
	}
	t.Logf("seeded %d followers and %d subscriptions in %s", followers, subscriptions, time.Since(start).Round(time.Millisecond))
	s := startServer(t, data, "--public-url", fedPublic)
	if got := fedBrowse(t, s); got != followers {
		t.Fatalf("the followers collection counts %d, want %d", got, followers)
	}
	time.Sleep(5 * time.Second)
	m, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	return m
}

// TestFigureIdleFederationRSS: resident memory of an idle Cabane holding
// 1,000 remote followers and 100 subscriptions to remote channels, and of
// the same binary on an empty database, in the same run.
func TestFigureIdleFederationRSS(t *testing.T) {
	benchEnabled(t)
	empty := fedIdleMem(t, 0, 0)
	full := fedIdleMem(t, fedIdleFollowers, fedIdleSubscriptions)
	figure(t, "idle memory with federation on, %d remote followers on %d hosts (+%d server follows) and %d subscriptions to remote channels "+
		"(%d remote videos each, +1 instance followed), after 3× (channel page + every page of its followers collection) and 5 s: %s; "+
		"with an empty database: %s; difference VmRSS %+.1f MiB, RssAnon %+.1f MiB",
		fedIdleFollowers, fedIdleHosts, fedIdleFollowers/10, fedIdleSubscriptions, fedIdleRemoteVideos, full, empty,
		float64(full.RSS-empty.RSS)/1024, float64(full.Anon-empty.Anon)/1024)
}
