package inbox

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// PeerTube's own JSON, as captured from real servers (testdata, see
// SOURCES.md), served by a fake origin on 127.0.0.1: the fixtures' host is
// rewritten to the origin's, and their public keys to keys the test signs
// with. Everything else is PeerTube's, byte for byte.

const (
	ptVideoUUID = "e7946124-7b72-4ad7-9d22-844a84bb2de1"
	ptChannel   = "/video-channels/thelinuxexperiment_channel"
	ptAccount   = "/accounts/thelinuxexperiment"
)

// ptOrigin serves the PeerTube fixtures at their own paths.
type ptOrigin struct {
	srv  *httptest.Server
	docs map[string][]byte
}

func newPTOrigin(t *testing.T) *ptOrigin {
	t.Helper()
	o := &ptOrigin{docs: map[string][]byte{}}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := o.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		w.Write(b)
	}))
	t.Cleanup(o.srv.Close)
	host := o.srv.URL
	rewrite := func(name string, from ...string) []byte {
		var pairs []string
		for _, f := range from {
			pairs = append(pairs, f, host)
		}
		return fixture(t, name, pairs...)
	}
	o.docs[ptChannel] = o.withKey(t, rewrite("lemmy-fixture-peertube-objects-group.json", "https://tilvids.com"), remoteKey(0))
	o.docs[ptAccount] = o.withKey(t, rewrite("lemmy-fixture-peertube-objects-person.json", "https://tilvids.com"), remoteKey(1))
	o.docs["/accounts/peertube"] = o.withKey(t, rewrite("captured-pt-instance-actor-ap.json", "http://localhost:9000"), remoteKey(0))
	o.docs["/videos/watch/"+ptVideoUUID] = rewrite("lemmy-fixture-peertube-objects-video.json", "https://tilvids.com")
	return o
}

// withKey replaces an actor document's public key by key's.
func (o *ptOrigin) withKey(t *testing.T, doc []byte, key *rsa.PrivateKey) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	pem, err := keys.EncodePublicPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	m["publicKey"].(map[string]any)["publicKeyPem"] = pem
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (o *ptOrigin) iri(path string) string { return o.srv.URL + path }

// follow makes carol (the rig's owner) follow the PeerTube channel, as an
// accepted subscription would have left it.
func (r *rig) followPTChannel(o *ptOrigin) {
	r.t.Helper()
	ctx := context.Background()
	group, err := ReadActor(o.docs[ptChannel], time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	person, err := ReadActor(o.docs[ptAccount], time.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	err = r.st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		accID, err := tx.PutRemoteAccount(ctx, pid, person)
		if err != nil {
			return err
		}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		chID, err := tx.PutRemoteChannel(ctx, gid, accID, group)
		if err != nil {
			return err
		}
		f, err := tx.PutFollowing(ctx, model.FollowerAccount, r.owner.AccountID, gid, func(int64) string { return publicURL + "/follows/1" })
		if err != nil {
			return err
		}
		if err := tx.Subscribe(ctx, r.owner.AccountID, chID); err != nil {
			return err
		}
		_, err = tx.AcceptFollowing(ctx, group.IRI, f.ActivityID)
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// postAs sends body to the shared inbox signed with key as keyID.
func (r *rig) postAs(body []byte, keyID string, key *rsa.PrivateKey) int {
	r.t.Helper()
	return r.receive(request(r.t, body, keyID, key), body, Box{})
}

// A real PeerTube channel's Announce of its new video (the video by IRI,
// fetched from its origin) adds that video to a followed channel's list,
// with PeerTube's own fields; from a channel nobody follows, it is dropped.
func TestPeerTubeAnnounceOfAFollowedChannel(t *testing.T) {
	r := newRig(t)
	o := newPTOrigin(t)
	ctx := context.Background()
	announce := fixture(t, "lemmy-fixture-peertube-activities-announce_video.json", "https://tilvids.com", o.srv.URL)
	keyID := o.iri(ptChannel) + "#main-key"

	if st := r.postAs(announce, keyID, remoteKey(0)); st != http.StatusAccepted {
		t.Fatalf("Announce from an unfollowed channel: %d, want 202", st)
	}
	if _, err := r.st.Follows().RemoteVideoByIRI(ctx, o.iri("/videos/watch/"+ptVideoUUID)); err == nil {
		t.Fatal("an unfollowed channel's video was stored")
	}

	r.followPTChannel(o)
	for i := range 2 { // the second is a replay
		if st := r.postAs(announce, keyID, remoteKey(0)); st != http.StatusNoContent {
			t.Fatalf("Announce #%d: %d, want 204", i, st)
		}
	}
	rv, err := r.st.Follows().RemoteVideoByIRI(ctx, o.iri("/videos/watch/"+ptVideoUUID))
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.st.Videos.ByID(ctx, rv.VideoID)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Name string `json:"name"`
	}
	json.Unmarshal(o.docs["/videos/watch/"+ptVideoUUID], &want)
	if v.UUID != ptVideoUUID || v.Name != want.Name || !v.Channel.Remote() || v.State != model.StatePublished {
		t.Errorf("stored video = %q %q (channel %q remote %v, state %d), want %q %q", v.UUID, v.Name, v.Channel.Name, v.Channel.Remote(), v.State, ptVideoUUID, want.Name)
	}
	if !strings.HasPrefix(rv.HLSURL, o.srv.URL+"/") || !strings.HasSuffix(rv.HLSURL, ".m3u8") {
		t.Errorf("HLS playlist %q, want the origin's master playlist", rv.HLSURL)
	}
	if n := r.rows("videos", "uuid = ?", ptVideoUUID); n != 1 {
		t.Errorf("%d rows for the video after a replay", n)
	}
}

// PeerTube's server actor announces its instance's videos to the servers
// following it, without @context (PeerTube's own test fixture): the video
// of a channel followed here is stored; a forged Announce by another host's
// actor is not.
func TestPeerTubeAnnounceWithoutContextByTheServerActor(t *testing.T) {
	r := newRig(t)
	o := newPTOrigin(t)
	ctx := context.Background()
	r.followPTChannel(o)
	announce := fixture(t, "peertube-announce-without-context.json", "http://127.0.0.1:9002", o.srv.URL,
		"997111d4-e8d8-4f45-99d3-857905785d05", ptVideoUUID)
	if st := r.postAs(announce, o.iri("/accounts/peertube")+"#main-key", remoteKey(0)); st != http.StatusNoContent {
		t.Fatalf("server actor's Announce: %d, want 204", st)
	}
	if _, err := r.st.Follows().RemoteVideoByIRI(ctx, o.iri("/videos/watch/"+ptVideoUUID)); err != nil {
		t.Fatalf("announced video not stored: %v", err)
	}
}

// A PeerTube comment (a Note in Markdown, with a Mention) on a Cabane
// video, sent in PeerTube's Create, becomes a comment by its remote author.
func TestPeerTubeNoteOnALocalVideo(t *testing.T) {
	r := newRig(t)
	o := newPTOrigin(t)
	ctx := context.Background()
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	author := o.iri(ptAccount)
	note := fixture(t, "lemmy-fixture-peertube-objects-note.json",
		"https://video.antopie.org/accounts/yoge6785555", author,
		"https://video.antopie.org", o.srv.URL,
		"https://bae.st/objects/87c1cbf5-542a-491d-af57-0414c8648381", videoIRI(v))
	var obj map[string]any
	if err := json.Unmarshal(note, &obj); err != nil {
		t.Fatal(err)
	}
	create := act(obj["id"].(string)+"/activity", "Create", author, obj)
	create["to"] = obj["to"]
	if st := r.postAs(activityJSON(t, create), author+"#main-key", remoteKey(1)); st != http.StatusNoContent {
		t.Fatalf("Create Note: %d, want 204", st)
	}
	id, _, err := r.st.Follows().CommentRef(ctx, obj["id"].(string))
	if err != nil {
		t.Fatalf("comment not stored: %v", err)
	}
	got, err := r.st.Comments().ByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.VideoID != v.ID || got.Text != "@af2@bae.st idk" || !got.Account.Remote() || got.ThreadID != 0 {
		t.Errorf("comment = video %d, text %q, author %+v, thread %d", got.VideoID, got.Text, got.Account, got.ThreadID)
	}
	if name, host := got.Account.Handle(); name != "thelinuxexperiment" || host != strings.TrimPrefix(o.srv.URL, "http://") {
		t.Errorf("author handle %s@%s", name, host)
	}
}

// A comment by a followed channel's server on its video that is not here
// yet (the video's Create still on its way: deliveries cross) fetches the
// video from its origin, then keeps the comment on it; the same Note on a
// channel nobody follows is dropped, and nothing is stored.
func TestNoteBeforeItsVideo(t *testing.T) {
	r := newRig(t)
	o := newPTOrigin(t)
	ctx := context.Background()
	author := o.iri(ptAccount)
	videoIRI := o.iri("/videos/watch/" + ptVideoUUID)
	public := []string{"https://www.w3.org/ns/activitystreams#Public"}
	note := func(n int) []byte {
		id := o.iri("/videos/watch/"+ptVideoUUID+"/comments/") + strconv.Itoa(n)
		return activityJSON(t, act(id+"/activity", "Create", author, map[string]any{
			"id": id, "type": "Note", "attributedTo": author, "inReplyTo": videoIRI, "content": "First!", "mediaType": "text/markdown", "to": public}))
	}
	if st := r.postAs(note(1), author+"#main-key", remoteKey(1)); st != http.StatusAccepted {
		t.Fatalf("Note on an unfollowed channel's video: %d, want 202", st)
	}
	if _, err := r.st.Follows().RemoteVideoByIRI(ctx, videoIRI); err == nil {
		t.Fatal("an unfollowed channel's video was stored")
	}
	if _, _, err := r.st.Follows().CommentRef(ctx, o.iri("/videos/watch/"+ptVideoUUID+"/comments/1")); err == nil {
		t.Fatal("a comment on an unknown video was stored")
	}

	r.followPTChannel(o)
	if st := r.postAs(note(2), author+"#main-key", remoteKey(1)); st != http.StatusNoContent {
		t.Fatalf("Note before its video: %d, want 204", st)
	}
	rv, err := r.st.Follows().RemoteVideoByIRI(ctx, videoIRI)
	if err != nil {
		t.Fatalf("the video the Note answers was not fetched: %v", err)
	}
	id, uuid, err := r.st.Follows().CommentRef(ctx, o.iri("/videos/watch/"+ptVideoUUID+"/comments/2"))
	if err != nil || uuid != ptVideoUUID {
		t.Fatalf("comment ref: %q %v", uuid, err)
	}
	c, err := r.st.Comments().ByID(ctx, id)
	if err != nil || c.VideoID != rv.VideoID || c.Text != "First!" || !c.Account.Remote() {
		t.Errorf("comment = %+v, %v", c, err)
	}
}
