package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// The idle federation figure: a Cabane with 1,000 remote followers (on 100
// hosts, the channel's, a tenth of them the server actor's too) against
// the same Cabane with none, both with federation on.

const (
	fedIdleFollowers = 1000
	fedIdleHosts     = 100
	fedPublic        = "https://cabane.example"
)

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
	if subscriptions > 0 {
		t.Fatalf("%d subscriptions: remote subscriptions cannot be seeded until following out (#10 point 5) lands", subscriptions)
	}
	data := t.TempDir()
	seed.Videos(t, data, 0)
	start := time.Now()
	seedFollowers(t, data, followers)
	t.Logf("seeded %d followers in %s", followers, time.Since(start).Round(time.Millisecond))
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
// 1,000 remote followers, and of the same Cabane holding none.
func TestFigureIdleFederationRSS(t *testing.T) {
	benchEnabled(t)
	const subscriptions = 0 // #10 asks for 100 once following out exists
	empty := fedIdleMem(t, 0, subscriptions)
	full := fedIdleMem(t, fedIdleFollowers, subscriptions)
	figure(t, "idle memory with federation on, %d remote followers on %d hosts (+%d server follows) and %d subscriptions, "+
		"after 3× (channel page + every page of its followers collection) and 5 s: %s; with none: %s; difference VmRSS %+.1f MiB, RssAnon %+.1f MiB",
		fedIdleFollowers, fedIdleHosts, fedIdleFollowers/10, subscriptions, full, empty,
		float64(full.RSS-empty.RSS)/1024, float64(full.Anon-empty.Anon)/1024)
}
