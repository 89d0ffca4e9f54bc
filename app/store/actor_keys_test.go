package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

func TestActorKeysLocalFirstWriterWins(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	k := st.ActorKeys()
	if _, err := k.Local(ctx, "account", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown actor: %v, want ErrNotFound", err)
	}
	first, err := k.AddLocal(ctx, "account", 1, "priv-1", "pub-1")
	if err != nil || first.PrivatePEM != "priv-1" || first.PublicPEM != "pub-1" {
		t.Fatalf("first add: %+v %v", first, err)
	}
	second, err := k.AddLocal(ctx, "account", 1, "priv-2", "pub-2")
	if err != nil || second.PrivatePEM != "priv-1" || second.PublicPEM != "pub-1" {
		t.Fatalf("second add replaced the pair: %+v %v", second, err)
	}
	// Same id, other kind: another actor.
	ch, err := k.AddLocal(ctx, "channel", 1, "priv-c", "pub-c")
	if err != nil || ch.PrivatePEM != "priv-c" {
		t.Fatalf("channel 1: %+v %v", ch, err)
	}
	if _, err := k.AddLocal(ctx, "robot", 1, "p", "p"); err == nil {
		t.Error("unknown actor kind stored")
	}
	if err := k.DeleteLocal(ctx, "account", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Local(ctx, "account", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted key still there: %v", err)
	}
	if err := k.DeleteLocal(ctx, "account", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
}

func TestActorKeysRemoteUpsert(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	k := st.ActorKeys()
	const id = "https://remote.example/users/a#main-key"
	if _, err := k.Remote(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	if err := k.PutRemote(ctx, RemoteKey{KeyID: id, Owner: "https://remote.example/users/a", PublicPEM: "old", FetchedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := k.PutRemote(ctx, RemoteKey{KeyID: id, Owner: "https://remote.example/users/a", PublicPEM: "new", FetchedAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := k.Remote(ctx, id)
	if err != nil || got.PublicPEM != "new" || !got.FetchedAt.Equal(t0.Add(time.Hour)) || got.Owner != "https://remote.example/users/a" {
		t.Fatalf("after rotation: %+v %v", got, err)
	}
	if err := k.DeleteRemoteOwner(ctx, "https://remote.example/users/a"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Remote(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("owner's key kept after delete: %v", err)
	}
}

// TestNewActorsNeverTakeAKeyedID: an account or channel created after the
// newest one was deleted does not get its id while its key pair remains,
// so the old pair never signs for the new actor.
func TestNewActorsNeverTakeAKeyedID(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	if _, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "admin", Email: "a@example.org", PasswordHash: "h", Role: model.RoleAdmin, ChannelName: "admin_ch"}); err != nil {
		t.Fatal(err)
	}
	u, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "first", Email: "f@example.org", PasswordHash: "h", ChannelName: "first_ch"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ActorKeys().AddLocal(ctx, "account", ch.AccountID, "p", "q"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ActorKeys().AddLocal(ctx, "channel", ch.ID, "p", "q"); err != nil {
		t.Fatal(err)
	}
	if err := st.Users().Delete(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	_, ch2, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "second", Email: "s@example.org", PasswordHash: "h", ChannelName: "second_ch"})
	if err != nil {
		t.Fatal(err)
	}
	if ch2.AccountID == ch.AccountID || ch2.ID == ch.ID {
		t.Errorf("the new actor took a keyed id: account %d (was %d), channel %d (was %d)", ch2.AccountID, ch.AccountID, ch2.ID, ch.ID)
	}
}
