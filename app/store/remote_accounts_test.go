package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

func TestRemoteAccountsAndChannels(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "bob", Email: "b@example.org", PasswordHash: "x", ChannelName: "bob_ch"}); err != nil {
		t.Fatal(err)
	}
	f := st.Follows()
	person := RemoteActor{IRI: "https://r.example/accounts/bob", Type: "Person", PreferredUsername: "bob", Host: "r.example",
		Name: "Bob R", Summary: "hi", Inbox: "https://r.example/accounts/bob/inbox", FetchedAt: time.Now()}
	group := RemoteActor{IRI: "https://r.example/video-channels/bob_ch", Type: "Group", PreferredUsername: "bob_ch",
		Host: "r.example", Name: "Bob's", Inbox: "https://r.example/video-channels/bob_ch/inbox", FetchedAt: time.Now()}
	var accID, chID int64
	put := func(tx *FollowsTx) error {
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		if accID, err = tx.PutRemoteAccount(ctx, pid, person); err != nil {
			return err
		}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		chID, err = tx.PutRemoteChannel(ctx, gid, accID, group)
		return err
	}
	if _, err := f.Apply(ctx, "https://r.example/a/1", put); err != nil {
		t.Fatal(err)
	}
	first := accID
	person.Name = "Bob Renamed"
	if _, err := f.Apply(ctx, "https://r.example/a/2", put); err != nil {
		t.Fatal(err)
	}
	if accID != first {
		t.Fatalf("refresh made a second account: %d, then %d", first, accID)
	}
	acc, err := f.RemoteAccountOf(ctx, person.IRI)
	if err != nil {
		t.Fatal(err)
	}
	if name, host := acc.Handle(); name != "bob" || host != "r.example" || !acc.Remote() || acc.UserID != 0 || acc.DisplayName != "Bob Renamed" {
		t.Errorf("remote account = %+v (handle %s, %s)", acc, name, host)
	}
	local, err := st.Accounts.AccountByName(ctx, "bob")
	if err != nil || local.Remote() {
		t.Errorf("local bob = %+v, %v", local, err)
	}
	if name, host := local.Handle(); name != "bob" || host != "" {
		t.Errorf("local handle = %s, %s", name, host)
	}
	ch, err := st.Accounts.ChannelByID(ctx, chID)
	if err != nil || !ch.Remote() || ch.Name != "bob_ch@r.example" || ch.Account.ID != accID || !ch.Account.Remote() {
		t.Errorf("remote channel = %+v, %v", ch, err)
	}

	// Another actor under a handle already taken gets a distinct name.
	other := person
	other.IRI = "https://r.example/accounts/bob-again"
	if _, err := f.Apply(ctx, "https://r.example/a/3", func(tx *FollowsTx) error {
		id, err := tx.PutActor(ctx, other)
		if err != nil {
			return err
		}
		_, err = tx.PutRemoteAccount(ctx, id, other)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if a, err := f.RemoteAccountOf(ctx, other.IRI); err != nil || a.Name == acc.Name {
		t.Errorf("second bob = %+v, %v", a, err)
	}

	// Forgetting the actor takes its account and channel with it.
	if _, err := f.Apply(ctx, "https://r.example/a/4", func(tx *FollowsTx) error {
		if err := tx.DeleteActor(ctx, group.IRI); err != nil {
			return err
		}
		return tx.DeleteActor(ctx, person.IRI)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.RemoteAccountOf(ctx, person.IRI); !errors.Is(err, ErrNotFound) {
		t.Errorf("account kept after its actor went: %v", err)
	}
	if _, err := st.Accounts.ChannelByID(ctx, chID); !errors.Is(err, model.ErrNotFound) && !errors.Is(err, ErrNotFound) {
		t.Errorf("channel kept after its actor went: %v", err)
	}
}
