package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/store"
)

func TestRefusals(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	if err := r.st.Blocklist().BlockServer(ctx, 0, "blocked.example"); err != nil {
		t.Fatal(err)
	}
	follow := r.mastodonFollow(rem)
	alice := rem.keys["alice"]
	signed := func(body []byte) *http.Request { return request(t, body, rem.keyID("alice"), alice) }

	cases := []struct {
		name string
		req  func() (*http.Request, []byte)
		box  Box
		want int
	}{
		{"unsigned", func() (*http.Request, []byte) { return request(t, follow, "", nil), follow }, Box{}, 401},
		{"signed by another key", func() (*http.Request, []byte) {
			return request(t, follow, rem.keyID("alice"), rem.keys["bob"]), follow
		}, Box{}, 401},
		{"unknown key", func() (*http.Request, []byte) {
			return request(t, follow, rem.srv.URL+"/users/nobody#main-key", alice), follow
		}, Box{}, 401},
		{"expired date", func() (*http.Request, []byte) {
			req := httptest.NewRequest(http.MethodPost, publicURL+"/inbox", bytes.NewReader(follow))
			req.Header.Set("Content-Type", "application/activity+json")
			old := signature.Signer{Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
			if err := old.Sign(req, alice, rem.keyID("alice"), follow); err != nil {
				t.Fatal(err)
			}
			return req, follow
		}, Box{}, 401},
		{"body altered after signing", func() (*http.Request, []byte) {
			req := signed(follow)
			return req, bytes.Replace(follow, []byte("Follow"), []byte("Folloz"), 1)
		}, Box{}, 400},
		{"signer is not the actor", func() (*http.Request, []byte) {
			b := activityJSON(t, map[string]any{"id": rem.srv.URL + "/x", "type": "Follow", "actor": rem.iri("bob"), "object": r.channelIRI()})
			return signed(b), b
		}, Box{}, 401},
		{"wrong media type", func() (*http.Request, []byte) {
			req := signed(follow)
			req.Header.Set("Content-Type", "text/plain")
			return req, follow
		}, Box{}, 400},
		{"too large", func() (*http.Request, []byte) {
			big := activityJSON(t, map[string]any{"id": rem.srv.URL + "/big", "type": "Note", "actor": rem.iri("alice"), "content": strings.Repeat("a", MaxBody)})
			return signed(big), big
		}, Box{}, 413},
		{"not JSON", func() (*http.Request, []byte) { b := []byte("{not json"); return signed(b), b }, Box{}, 400},
		{"no type", func() (*http.Request, []byte) {
			b := activityJSON(t, map[string]any{"id": rem.srv.URL + "/n", "actor": rem.iri("alice")})
			return signed(b), b
		}, Box{}, 400},
		{"id on another server", func() (*http.Request, []byte) {
			b := activityJSON(t, map[string]any{"id": "https://elsewhere.example/n", "type": "Follow", "actor": rem.iri("alice"), "object": r.channelIRI()})
			return signed(b), b
		}, Box{}, 400},
		{"unknown type", func() (*http.Request, []byte) {
			b := activityJSON(t, map[string]any{"id": rem.srv.URL + "/m", "type": "Arrive", "actor": rem.iri("alice"), "object": rem.iri("bob")})
			return signed(b), b
		}, Box{}, 202},
		{"inbox of an unknown channel", func() (*http.Request, []byte) { return signed(follow), follow },
			Box{Kind: federation.KindChannel, Name: "nobody"}, 404},
		{"inbox of the channel", func() (*http.Request, []byte) { return signed(follow), follow },
			Box{Kind: federation.KindChannel, Name: r.channel.Name}, 204},
	}
	for _, c := range cases {
		req, body := c.req()
		if got := r.receive(req, body, c.box); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	if n := len(r.sender.all()); n != 1 {
		t.Errorf("%d activities sent; only the last case's Accept should be", n)
	}

	// A blocked server's actor: 403, nothing stored.
	blockedAct := activityJSON(t, map[string]any{"id": "https://blocked.example/f", "type": "Follow", "actor": "https://blocked.example/users/eve", "object": r.channelIRI()})
	r.svc.Verifier = ownerIs("https://blocked.example/users/eve")
	if got := r.receive(request(t, blockedAct, "", nil), blockedAct, Box{}); got != http.StatusForbidden {
		t.Errorf("blocked server: %d, want 403", got)
	}
	if n := len(r.followers(keys.Channel, r.channel.ID, "")); n != 1 {
		t.Errorf("followers after the refusals: %d", n)
	}
}

// ownerIs is a verifier that accepts every request as signed by owner.
type ownerIs string

func (o ownerIs) Verify(context.Context, *http.Request, []byte) (signature.Result, error) {
	return signature.Result{KeyID: string(o) + "#main-key", Owner: string(o)}, nil
}

// staticKey is a KeySource that knows one key and never refreshes.
type staticKey struct{ k *keys.Remote }

func (s staticKey) Key(_ context.Context, id string) (*keys.Remote, error) {
	if id != s.k.KeyID {
		return nil, keys.ErrKeyNotFound
	}
	return s.k, nil
}
func (s staticKey) Refresh(context.Context, string) (*keys.Remote, error) {
	return nil, keys.ErrRefreshLimited
}

// Mastodon's Create whose body was altered after signing (PeerTube's own
// negative sample) is refused, on its digest, at the date it was sent.
func TestMastodonAlteredBodyRefused(t *testing.T) {
	r := newRig(t)
	var sample struct {
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	}
	if err := json.Unmarshal(fixture(t, "mastodon-create-note-reply-bad-body-http-signature.json"), &sample); err != nil {
		t.Fatal(err)
	}
	var pk struct {
		PublicKey string `json:"publicKey"`
	}
	json.Unmarshal(fixture(t, "mastodon-public-key.json"), &pk)
	pub, err := keys.ParsePublicPEM(pk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	date, _ := http.ParseTime(sample.Headers["date"])
	r.svc.Verifier = &signature.Verifier{Now: func() time.Time { return date },
		Keys: staticKey{&keys.Remote{KeyID: "http://localhost:3000/users/ronan2#main-key", Owner: "http://localhost:3000/users/ronan2", Public: pub}}}
	body := []byte(sample.Body)
	req := httptest.NewRequest(http.MethodPost, "http://localhost/inbox", bytes.NewReader(body))
	for k, v := range sample.Headers {
		req.Header.Set(k, v)
	}
	req.Host = sample.Headers["host"]
	_, err = r.svc.Receive(context.Background(), req, body, Box{})
	if !errors.Is(err, signature.ErrDigest) || Status(err) != http.StatusBadRequest {
		t.Errorf("altered body: %v (status %d), want a digest error, 400", err, Status(err))
	}
}

// Mastodon's Create with a broken linked-data signature, relayed by
// someone else: the HTTP signature is the relay's, the actor another's;
// Cabane checks no linked-data signatures, so it is refused.
func TestRelayedActivityRefused(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	body := fixture(t, "mastodon-create-note-reply-bad-ld-signature.json")
	st := r.post(rem, "alice", body)
	if st != http.StatusUnauthorized {
		t.Errorf("relayed activity: %d, want 401", st)
	}
}

func TestActorUpdateAndDelete(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	r.post(rem, "alice", r.mastodonFollow(rem))
	r.post(rem, "bob", activityJSON(t, map[string]any{"id": rem.srv.URL + "/fb", "type": "Follow", "actor": rem.iri("bob"), "object": r.channelIRI()}))

	person := rem.actor("alice")
	person["name"] = "Alice Renamed"
	person["inbox"] = rem.iri("alice") + "/inbox2"
	update := activityJSON(t, map[string]any{"id": rem.srv.URL + "/upd1", "type": "Update", "actor": rem.iri("alice"), "object": person})
	if st := r.post(rem, "alice", update); st != http.StatusNoContent {
		t.Fatalf("Update: %d", st)
	}
	a, err := r.st.Follows().RemoteActor(ctx, rem.iri("alice"))
	if err != nil || a.Name != "Alice Renamed" || a.Inbox != rem.iri("alice")+"/inbox2" {
		t.Errorf("after Update: %+v, %v", a, err)
	}
	// Bob may not update Alice.
	person["name"] = "Mallory"
	forged := activityJSON(t, map[string]any{"id": rem.srv.URL + "/upd2", "type": "Update", "actor": rem.iri("bob"), "object": person})
	if st := r.post(rem, "bob", forged); st != http.StatusUnauthorized {
		t.Errorf("Update of another actor: %d, want 401", st)
	}
	if a, _ := r.st.Follows().RemoteActor(ctx, rem.iri("alice")); a.Name != "Alice Renamed" {
		t.Errorf("forged Update applied: %q", a.Name)
	}
	// An Update of a Note that is no comment here is dropped.
	note := activityJSON(t, map[string]any{"id": rem.srv.URL + "/upd3", "type": "Update", "actor": rem.iri("alice"),
		"object": map[string]any{"id": rem.srv.URL + "/n", "type": "Note", "attributedTo": rem.iri("alice"), "content": "hi"}})
	if st := r.post(rem, "alice", note); st != http.StatusAccepted {
		t.Errorf("Update{Note}: %d, want 202", st)
	}

	// Bob may not delete Alice; Alice deletes herself.
	if st := r.post(rem, "bob", activityJSON(t, map[string]any{"id": rem.srv.URL + "/del0", "type": "Delete", "actor": rem.iri("bob"), "object": rem.iri("alice")})); st != http.StatusAccepted {
		t.Errorf("Delete of another actor: %d, want 202 (dropped)", st)
	}
	if st := r.post(rem, "alice", activityJSON(t, map[string]any{"id": rem.srv.URL + "/del1", "type": "Delete", "actor": rem.iri("alice"), "object": rem.iri("alice")})); st != http.StatusNoContent {
		t.Fatalf("Delete: %d", st)
	}
	if _, err := r.st.Follows().RemoteActor(ctx, rem.iri("alice")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Alice still stored: %v", err)
	}
	fs := r.followers(keys.Channel, r.channel.ID, "")
	if len(fs) != 1 || fs[0].Follower.PreferredUsername != "bob" {
		t.Errorf("followers after Alice's Delete: %+v", fs)
	}
	if _, err := r.st.ActorKeys().Remote(ctx, rem.keyID("alice")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Alice's key kept: %v", err)
	}

	// Once her key is gone on her server too, her Delete is still
	// answered (202), not retried forever.
	gone := activityJSON(t, map[string]any{"id": rem.srv.URL + "/users/zoe#delete", "type": "Delete", "actor": rem.iri("zoe"), "object": rem.iri("zoe")})
	if st := r.receive(request(t, gone, rem.keyID("zoe"), rem.keys["alice"]), gone, Box{}); st != http.StatusAccepted {
		t.Errorf("Delete by an actor whose key is gone: %d, want 202", st)
	}
}
