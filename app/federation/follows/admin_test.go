package follows

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// Every follower, whatever local actor it follows, is for admins alone;
// Gone forgets an actor's follows only by its own inbox.
func TestAllAndGone(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := &Service{Store: st.Follows()}
	a := store.RemoteActor{IRI: "https://x.example/users/ann", Type: "Person", PreferredUsername: "ann", Host: "x.example",
		Inbox: "https://x.example/users/ann/inbox", SharedInbox: "https://x.example/inbox", FetchedAt: time.Now()}
	if _, err := st.Follows().Apply(ctx, "https://x.example/f/1", func(tx *store.FollowsTx) error {
		id, err := tx.PutActor(ctx, a)
		if err != nil {
			return err
		}
		for _, tg := range []store.FollowTarget{{Kind: "server"}, {Kind: "account", ID: 3}, {Kind: "channel", ID: 4}} {
			if _, err := tx.PutFollow(ctx, id, tg, store.FollowPending, "https://x.example/f/"+tg.Kind); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []visibility.Viewer{{}, {UserID: 2, AccountID: 3}, {UserID: 3, AccountID: 9, IsModerator: true}} {
		if _, _, err := s.All(ctx, v, "", 0, 10); !errors.Is(err, ErrForbidden) {
			t.Errorf("All as %+v: %v, want ErrForbidden", v, err)
		}
	}
	admin := visibility.Viewer{UserID: 1, AccountID: 1, IsAdmin: true}
	if fs, total, err := s.All(ctx, admin, store.FollowPending, 0, 10); err != nil || total != 3 || len(fs) != 3 {
		t.Errorf("All as admin: %d %d %v", len(fs), total, err)
	}
	if fs, total, _ := s.All(ctx, admin, store.FollowAccepted, 0, 10); total != 0 || len(fs) != 0 {
		t.Errorf("accepted: %d", total)
	}
	// A shared inbox answering 410 names nobody; a stale inbox is not hers.
	s.Gone(ctx, a.SharedInbox, "", nil)
	s.Gone(ctx, "https://x.example/old/inbox", a.IRI, nil)
	if _, total, _ := s.All(ctx, admin, "", 0, 10); total != 3 {
		t.Errorf("follows removed without her own inbox's 410: %d left", total)
	}
	s.Gone(ctx, a.Inbox, a.IRI, nil)
	if _, total, _ := s.All(ctx, admin, "", 0, 10); total != 0 {
		t.Errorf("%d follows left after her inbox answered 410", total)
	}
}
