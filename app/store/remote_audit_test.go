package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

// putRemoteChannel stores, as following does, a remote account and its
// channel on host, and returns their ids.
func putRemoteChannel(t *testing.T, st *Store, host string) (accountID, channelID int64) {
	t.Helper()
	ctx := context.Background()
	person := RemoteActor{IRI: "https://" + host + "/accounts/ann", Type: "Person", PreferredUsername: "ann", Host: host,
		Inbox: "https://" + host + "/accounts/ann/inbox", FetchedAt: time.Now()}
	group := RemoteActor{IRI: "https://" + host + "/video-channels/ann_ch", Type: "Group", PreferredUsername: "ann_ch", Host: host,
		Inbox: "https://" + host + "/video-channels/ann_ch/inbox", FetchedAt: time.Now()}
	err := st.Follows().Write(ctx, func(tx *FollowsTx) error {
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		if accountID, err = tx.PutRemoteAccount(ctx, pid, person); err != nil {
			return err
		}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		channelID, err = tx.PutRemoteChannel(ctx, gid, accountID, group)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return accountID, channelID
}

// A remote account or channel never gets a signing key pair here; a local
// one with the same id in the other table still does.
func TestActorKeysRefuseRemoteActors(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	acc, ch := putRemoteChannel(t, st, "r.example")
	k := st.ActorKeys()
	for _, a := range []struct {
		kind string
		id   int64
	}{{"account", acc}, {"channel", ch}} {
		if _, err := k.AddLocal(ctx, a.kind, a.id, "priv", "pub"); !errors.Is(err, ErrRemoteActor) || !errors.Is(err, model.ErrRemoteActor) {
			t.Errorf("key for remote %s %d: %v, want ErrRemoteActor", a.kind, a.id, err)
		}
		if _, err := k.Local(ctx, a.kind, a.id); !errors.Is(err, ErrNotFound) {
			t.Errorf("remote %s %d has a key: %v", a.kind, a.id, err)
		}
	}
	if _, err := k.AddLocal(ctx, "server", 0, "priv", "pub"); err != nil {
		t.Errorf("server key: %v", err)
	}
}
