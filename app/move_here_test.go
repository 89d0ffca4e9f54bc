package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// A remote creator moving here (#11 point 4): anna on A moves her channel
// to ben's channel on B, which lists it in alsoKnownAs. Cleo, a user of B
// who followed anna's channel, is subscribed to ben's channel on B itself
// (a local subscription), and her follow of A's channel
// is undone there. A Move to a local channel that does not list the old
// actor changes nothing.
func TestMoveToThisServer(t *testing.T) {
	ctx := context.Background()
	a, aBase := fedApp(t)
	b, bBase := fedApp(t)
	anna, annaCh, _ := fedUser(t, a, aBase, "anna")
	ben, benCh, _ := fedUser(t, b, bBase, "ben")
	cleo, _, token := fedUser(t, b, bBase, "cleo")
	aHost := strings.TrimPrefix(aBase, "http://")
	oldIRI, newIRI := aBase+"/video-channels/anna_channel", bBase+"/video-channels/ben_channel"
	annaV := visibility.Viewer{UserID: anna.ID, AccountID: anna.AccountID}
	benV := visibility.Viewer{UserID: ben.ID, AccountID: ben.AccountID}
	oldActor := keys.Actor{Kind: keys.Channel, ID: annaCh.ID}

	if code := call(t, http.MethodPost, bBase+"/api/v1/users/me/subscriptions", token, map[string]string{"uri": "anna_channel@" + aHost}, nil); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		f, err := b.Store.Follows().FollowingOf(ctx, model.FollowerAccount, cleo.AccountID, oldIRI)
		return err == nil && f.State == model.FollowAccepted
	})

	// Without ben's alias, B refuses the Move and nothing changes.
	if err := b.Moves.MovedHere(ctx, oldIRI, keys.Actor{Kind: keys.Channel, ID: benCh.ID}); !errors.Is(err, inbox.ErrNotAlias) {
		t.Fatalf("a move to a channel that does not list the old one: %v", err)
	}
	if _, err := b.Store.Follows().FollowingOf(ctx, model.FollowerAccount, cleo.AccountID, oldIRI); err != nil {
		t.Fatalf("a refused move undid the follow: %v", err)
	}

	if _, err := b.Moves.AddAlias(ctx, benV, keys.Actor{Kind: keys.Channel, ID: benCh.ID}, "anna_channel@"+aHost); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Moves.MoveTo(ctx, annaV, oldActor, newIRI); err != nil {
		t.Fatal(err)
	}
	// B got the Move from A, read its own channel's aliases, and moved
	// cleo's subscription to the local channel.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		sub, _ := b.Store.Subscriptions().Subscribed(ctx, cleo.AccountID, []int64{benCh.ID})
		return sub[benCh.ID]
	})
	if _, err := b.Store.Follows().FollowingOf(ctx, model.FollowerAccount, cleo.AccountID, oldIRI); err == nil {
		t.Error("cleo still follows the old channel")
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := a.Follows.Count(ctx, oldActor)
		return n == 0
	})
	var subs struct {
		Total int `json:"total"`
		Data  []struct {
			Name string `json:"name"`
			Host string `json:"host"`
		} `json:"data"`
	}
	call(t, http.MethodGet, bBase+"/api/v1/users/me/subscriptions", token, nil, &subs)
	if subs.Total != 1 || subs.Data[0].Name != "ben_channel" {
		t.Errorf("cleo's subscriptions = %+v", subs)
	}
}
