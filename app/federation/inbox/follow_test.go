package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// mastodonFollow is Mastodon's Follow fixture from rem's alice to the
// rig's channel.
func (r *rig) mastodonFollow(rem *remote) []byte {
	return fixture(r.t, "lemmy-fixture-mastodon-activities-follow.json",
		"https://masto.asonix.dog/users/asonix", rem.iri("alice"),
		"https://masto.asonix.dog", rem.srv.URL,
		"https://ds9.lemmy.ml/c/testcom", r.channelIRI())
}

func (r *rig) mastodonUndo(rem *remote) []byte {
	return fixture(r.t, "lemmy-fixture-mastodon-activities-undo_follow.json",
		"https://masto.asonix.dog/users/asonix", rem.iri("alice"),
		"https://masto.asonix.dog", rem.srv.URL,
		"https://ds9.lemmy.ml/c/testcom", r.channelIRI())
}

func TestFollowIsAcceptedAndAnswered(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	if st := r.post(rem, "alice", r.mastodonFollow(rem)); st != http.StatusNoContent {
		t.Fatalf("Follow: status %d, want 204", st)
	}
	fs := r.followers(keys.Channel, r.channel.ID, store.FollowAccepted)
	if len(fs) != 1 || fs[0].Follower.IRI != rem.iri("alice") || fs[0].ActivityID != rem.srv.URL+"/1ea87517-63c5-4118-8831-460ee641b2cf" {
		t.Fatalf("accepted followers = %+v", fs)
	}
	a := fs[0].Follower
	if a.Inbox != rem.iri("alice")+"/inbox" || a.SharedInbox != rem.srv.URL+"/inbox" || a.PreferredUsername != "alice" ||
		a.Host != rem.srv.Listener.Addr().String() || a.Icon != rem.srv.URL+"/avatars/alice.png" {
		t.Errorf("stored actor = %+v", a)
	}

	// The Accept, from the channel, names the Follow, and reached alice's
	// own inbox.
	sent := r.sender.all()
	if len(sent) != 1 {
		t.Fatalf("%d activities sent, want the Accept", len(sent))
	}
	acc := sent[0]
	obj, _ := acc.Activity["object"].(map[string]any)
	if acc.Activity["type"] != "Accept" || acc.Activity["actor"] != r.channelIRI() || acc.From.IRI != r.channelIRI() ||
		acc.From.Key != (keys.Actor{Kind: keys.Channel, ID: r.channel.ID}) ||
		obj["id"] != fs[0].ActivityID || obj["type"] != "Follow" || obj["actor"] != rem.iri("alice") || obj["object"] != r.channelIRI() {
		t.Errorf("Accept = %+v", acc)
	}
	if len(acc.To) != 1 || acc.To[0].Inbox != rem.iri("alice")+"/inbox" {
		t.Errorf("Accept sent to %+v", acc.To)
	}
	if got := rem.inboxBodies(); len(got) != 1 || got[0]["type"] != "Accept" {
		t.Errorf("alice's inbox received %v", got)
	}

	// Audience and collections see the follower.
	rec, err := r.follows.Followers(ctx, keys.Actor{Kind: keys.Channel, ID: r.channel.ID}, keys.Actor{Kind: keys.Account, ID: r.owner.AccountID})
	if err != nil || len(rec) != 1 || rec[0] != (federation.Recipient{Actor: rem.iri("alice"), Inbox: rem.iri("alice") + "/inbox", SharedInbox: rem.srv.URL + "/inbox"}) {
		t.Errorf("Audience = %+v, %v", rec, err)
	}
	items, total, err := follows.Collection{Store: r.st.Follows()}.Collection(ctx,
		federation.CollectionRef{Kind: federation.KindChannel, ID: r.channel.ID, Which: federation.Followers}, 0, 10)
	if err != nil || total != 1 || len(items) != 1 || items[0] != rem.iri("alice") {
		t.Errorf("followers collection = %v (%d), %v", items, total, err)
	}
	if n, _ := r.follows.Count(ctx, keys.Actor{Kind: keys.Channel, ID: r.channel.ID}); n != 1 {
		t.Errorf("Count = %d", n)
	}
}

func TestReplayChangesNothing(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	body := r.mastodonFollow(rem)
	for i := range 3 {
		if st := r.post(rem, "alice", body); st != http.StatusNoContent {
			t.Fatalf("delivery %d: status %d", i, st)
		}
	}
	if n := len(r.sender.all()); n != 1 {
		t.Errorf("%d Accepts for one Follow delivered three times", n)
	}
	if n := len(r.followers(keys.Channel, r.channel.ID, "")); n != 1 {
		t.Errorf("%d follows", n)
	}
	// The replayed Undo removes once; replaying it after a new Follow
	// (another id) leaves the new follow alone.
	undo := r.mastodonUndo(rem)
	r.post(rem, "alice", undo)
	again := activityJSON(t, map[string]any{"id": rem.srv.URL + "/follow-2", "type": "Follow", "actor": rem.iri("alice"), "object": r.channelIRI()})
	r.post(rem, "alice", again)
	if st := r.post(rem, "alice", undo); st != http.StatusNoContent {
		t.Fatalf("replayed Undo: %d", st)
	}
	if n := len(r.followers(keys.Channel, r.channel.ID, store.FollowAccepted)); n != 1 {
		t.Errorf("a replayed Undo removed the new follow: %d followers", n)
	}
}

func TestUndoFollowRemovesIt(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	r.post(rem, "alice", r.mastodonFollow(rem))
	if st := r.post(rem, "alice", r.mastodonUndo(rem)); st != http.StatusNoContent {
		t.Fatalf("Undo: %d", st)
	}
	if fs := r.followers(keys.Channel, r.channel.ID, ""); len(fs) != 0 {
		t.Errorf("follow still there: %+v", fs)
	}
	// Bob cannot undo Alice's follow: the Undo's Follow is someone else's.
	r.post(rem, "alice", activityJSON(t, map[string]any{"id": rem.srv.URL + "/f3", "type": "Follow", "actor": rem.iri("alice"), "object": r.channelIRI()}))
	forged := activityJSON(t, map[string]any{"id": rem.srv.URL + "/u3", "type": "Undo", "actor": rem.iri("bob"),
		"object": map[string]any{"id": rem.srv.URL + "/f3", "type": "Follow", "actor": rem.iri("alice"), "object": r.channelIRI()}})
	if st := r.post(rem, "bob", forged); st != http.StatusUnauthorized {
		t.Errorf("Undo of another's Follow: %d, want 401", st)
	}
	// By id only, Bob's Undo finds no follow of his.
	byID := activityJSON(t, map[string]any{"id": rem.srv.URL + "/u4", "type": "Undo", "actor": rem.iri("bob"), "object": rem.srv.URL + "/f3"})
	if st := r.post(rem, "bob", byID); st != http.StatusNoContent {
		t.Errorf("Undo by id: %d", st)
	}
	if n := len(r.followers(keys.Channel, r.channel.ID, "")); n != 1 {
		t.Errorf("Bob's Undo removed Alice's follow")
	}
	// An Undo of something else is dropped.
	like := activityJSON(t, map[string]any{"id": rem.srv.URL + "/u5", "type": "Undo", "actor": rem.iri("alice"),
		"object": map[string]any{"id": rem.srv.URL + "/l1", "type": "Like", "actor": rem.iri("alice"), "object": publicURL + "/videos/watch/x"}})
	if st := r.post(rem, "alice", like); st != http.StatusAccepted {
		t.Errorf("Undo{Like}: %d, want 202", st)
	}
}

func TestFollowOfAccountAndServerActor(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	for i, obj := range []string{publicURL + "/accounts/carol", publicURL + "/accounts/peertube"} {
		b := activityJSON(t, map[string]any{"id": rem.srv.URL + "/f" + string(rune('a'+i)), "type": "Follow", "actor": rem.iri("alice"), "object": obj})
		if st := r.post(rem, "alice", b); st != http.StatusNoContent {
			t.Fatalf("Follow of %s: %d", obj, st)
		}
	}
	if n := len(r.followers(keys.Account, r.owner.AccountID, store.FollowAccepted)); n != 1 {
		t.Errorf("account followers: %d", n)
	}
	if n := len(r.followers(keys.Server, 0, store.FollowAccepted)); n != 1 {
		t.Errorf("server followers: %d", n)
	}
	sent := r.sender.all()
	if len(sent) != 2 || sent[1].From.IRI != publicURL+"/accounts/peertube" || sent[1].From.Key != keys.ServerActor {
		t.Errorf("Accepts: %+v", sent)
	}
	// Alice once in the audience of all three.
	rec, _ := r.follows.Followers(context.Background(), keys.ServerActor, keys.Actor{Kind: keys.Account, ID: r.owner.AccountID}, keys.Actor{Kind: keys.Channel, ID: r.channel.ID})
	if len(rec) != 1 {
		t.Errorf("audience not deduplicated: %+v", rec)
	}
	// A Follow of nobody here is dropped, and stores nothing.
	nobody := activityJSON(t, map[string]any{"id": rem.srv.URL + "/fz", "type": "Follow", "actor": rem.iri("bob"), "object": publicURL + "/video-channels/nobody"})
	if st := r.post(rem, "bob", nobody); st != http.StatusAccepted {
		t.Errorf("Follow of nobody: %d, want 202", st)
	}
	if _, err := r.st.Follows().RemoteActor(context.Background(), rem.iri("bob")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Bob stored after a dropped Follow: %v", err)
	}
}

func TestManualApproval(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	owner := visibility.Viewer{UserID: r.owner.ID, AccountID: r.owner.AccountID}
	stranger := visibility.Viewer{UserID: r.stranger.ID, AccountID: r.stranger.AccountID}
	if err := r.follows.SetManualApproval(ctx, stranger, r.channel.ID, true); !errors.Is(err, follows.ErrForbidden) {
		t.Fatalf("a stranger set the channel's policy: %v", err)
	}
	if err := r.follows.SetManualApproval(ctx, owner, r.channel.ID, true); err != nil {
		t.Fatal(err)
	}
	r.post(rem, "alice", r.mastodonFollow(rem))
	r.post(rem, "bob", activityJSON(t, map[string]any{"id": rem.srv.URL + "/fb", "type": "Follow", "actor": rem.iri("bob"), "object": r.channelIRI()}))
	if n := len(r.sender.all()); n != 0 {
		t.Fatalf("%d Accepts sent before approval", n)
	}
	pending := r.followers(keys.Channel, r.channel.ID, store.FollowPending)
	if len(pending) != 2 {
		t.Fatalf("pending = %+v", pending)
	}
	if rec, _ := r.follows.Followers(ctx, keys.Actor{Kind: keys.Channel, ID: r.channel.ID}); len(rec) != 0 {
		t.Errorf("pending followers in the audience: %+v", rec)
	}
	ch := keys.Actor{Kind: keys.Channel, ID: r.channel.ID}
	var alice, bob store.Follow
	for _, f := range pending {
		if f.Follower.PreferredUsername == "alice" {
			alice = f
		} else {
			bob = f
		}
	}
	if err := r.follows.Approve(ctx, stranger, alice.ID, &ch); !errors.Is(err, follows.ErrForbidden) {
		t.Errorf("a stranger approved: %v", err)
	}
	other := keys.Actor{Kind: keys.Channel, ID: ch.ID + 100}
	if err := r.follows.Approve(ctx, owner, alice.ID, &other); !errors.Is(err, follows.ErrNotFound) {
		t.Errorf("approved through another channel: %v", err)
	}
	if err := r.follows.Approve(ctx, owner, alice.ID, &ch); err != nil {
		t.Fatal(err)
	}
	if err := r.follows.Approve(ctx, owner, alice.ID, &ch); !errors.Is(err, follows.ErrNotPending) {
		t.Errorf("approved twice: %v", err)
	}
	if err := r.follows.Refuse(ctx, owner, bob.ID, &ch); err != nil {
		t.Fatal(err)
	}
	sent := r.sender.all()
	if len(sent) != 2 || sent[0].Activity["type"] != "Accept" || sent[1].Activity["type"] != "Reject" ||
		sent[1].To[0].Actor != rem.iri("bob") {
		t.Fatalf("sent = %+v", sent)
	}
	if fs := r.followers(keys.Channel, r.channel.ID, ""); len(fs) != 1 || fs[0].State != store.FollowAccepted || fs[0].Follower.PreferredUsername != "alice" {
		t.Errorf("followers after decisions: %+v", fs)
	}
	// Alice's Follow sent again stays accepted (no second approval).
	r.post(rem, "alice", activityJSON(t, map[string]any{"id": rem.srv.URL + "/fa2", "type": "Follow", "actor": rem.iri("alice"), "object": r.channelIRI()}))
	if fs := r.followers(keys.Channel, r.channel.ID, store.FollowAccepted); len(fs) != 1 {
		t.Errorf("a repeated Follow lost the approval: %+v", fs)
	}
}

func TestFailedAcceptIsRetried(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	r.sender.fail = true
	body := r.mastodonFollow(rem)
	if st := r.post(rem, "alice", body); st != http.StatusInternalServerError {
		t.Fatalf("Follow whose Accept cannot be queued: %d, want 500", st)
	}
	r.sender.fail = false
	if st := r.post(rem, "alice", body); st != http.StatusNoContent {
		t.Fatalf("retry: %d", st)
	}
	if n := len(r.sender.all()); n != 1 {
		t.Errorf("the retry sent %d Accepts, want 1", n)
	}
}

func TestGoToSocialKeyStubLeadsToOwner(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, true)
	body := activityJSON(t, map[string]any{"id": rem.srv.URL + "/users/alice/follow/01", "type": "Follow", "actor": rem.iri("alice"), "object": r.channelIRI()})
	if st := r.post(rem, "alice", body); st != http.StatusNoContent {
		t.Fatalf("Follow signed with a GoToSocial key stub: %d", st)
	}
	if n := len(r.followers(keys.Channel, r.channel.ID, store.FollowAccepted)); n != 1 {
		t.Errorf("followers: %d", n)
	}
	k, err := r.st.ActorKeys().Remote(context.Background(), rem.keyID("alice"))
	if err != nil || k.Owner != rem.iri("alice") {
		t.Errorf("stored key %+v, %v", k, err)
	}
}

// An actor document reached through a redirect, or whose id is another
// actor's, is not used: the Follow fails and stores nothing.
func TestActorFetchRefusesRedirectAndForeignID(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/users/redirect" {
			http.Redirect(w, req, rem.iri("alice"), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(rem.actor("alice")) // alice's document, served as someone else's
	}))
	defer evil.Close()
	for _, iri := range []string{evil.URL + "/users/redirect", evil.URL + "/users/other"} {
		if _, err := r.svc.Actors.Actor(context.Background(), iri); !errors.Is(err, ErrBadActor) {
			t.Errorf("actor %s: %v, want ErrBadActor", iri, err)
		}
	}
}
