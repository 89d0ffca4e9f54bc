package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/repo"
)

func TestFollowsApplyOnceAndAtomically(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "u", Email: "u@example.org", PasswordHash: "x", ChannelName: "u_ch"})
	if err != nil {
		t.Fatal(err)
	}
	f := st.Follows()
	actor := RemoteActor{IRI: "https://r.example/users/a", Type: "Person", PreferredUsername: "a", Host: "R.example",
		Inbox: "https://r.example/users/a/inbox", FetchedAt: time.Now()}
	target := FollowTarget{Kind: "channel", ID: ch.ID}

	// A failing activity leaves nothing, not even its id: a retry runs.
	boom := errors.New("boom")
	dup, err := f.Apply(ctx, "https://r.example/1", func(tx *FollowsTx) error {
		if _, err := tx.PutActor(ctx, actor); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || dup {
		t.Fatalf("Apply = %v, %v", dup, err)
	}
	if _, err := f.RemoteActor(ctx, actor.IRI); !errors.Is(err, ErrNotFound) {
		t.Errorf("half an activity stored: %v", err)
	}
	follow := func(tx *FollowsTx) error {
		id, err := tx.PutActor(ctx, actor)
		if err != nil {
			return err
		}
		_, err = tx.PutFollow(ctx, id, target, FollowAccepted, "https://r.example/1")
		return err
	}
	if dup, err := f.Apply(ctx, "https://r.example/1", follow); err != nil || dup {
		t.Fatalf("retry: %v, %v", dup, err)
	}
	ran := false
	if dup, err := f.Apply(ctx, "https://r.example/1", func(*FollowsTx) error { ran = true; return nil }); err != nil || !dup || ran {
		t.Errorf("replay: dup %v, ran %v, %v", dup, ran, err)
	}
	if a, _ := f.RemoteActor(ctx, actor.IRI); a.Host != "r.example" {
		t.Errorf("host kept as %q, want lower case", a.Host)
	}
	if fo, err := f.FollowByHandle(ctx, "a", "r.example", target); err != nil || fo.Follower.IRI != actor.IRI {
		t.Errorf("FollowByHandle: %+v, %v", fo, err)
	}

	// Pruning forgets old ids only.
	if n, err := f.PruneSeen(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("prune of recent ids: %d, %v", n, err)
	}
	if n, err := f.PruneSeen(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("prune of old ids: %d, %v", n, err)
	}

	// A deleted channel takes its follows with it.
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM channels WHERE id = ?`, ch.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.FollowersCount(ctx, target); n != 0 {
		t.Errorf("follows of a deleted channel: %d", n)
	}
}
