package inbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// mirrors wires the real redundancy service into the rig's inbox; http
// mirrors are allowed on loopback, as --allow-private-fetch=127.0.0.0/8
// does in the federation tests.
func (r *rig) mirrors() *redundancy.Service {
	m := &redundancy.Service{Store: r.st.Redundancy(), Settings: r.st.Settings, Followed: r.st.Follows(),
		AllowHTTP: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	r.svc.Mirrors = m
	return m
}

// createCacheFile is PeerTube's Create CacheFile (testdata) by alice of
// rem for video v, expiring at exp.
func createCacheFile(t *testing.T, rem *remote, v model.Video, exp time.Time, replace ...string) []byte {
	return fixture(t, "peertube-create-cachefile.json", append(replace, "MIRROR", rem.srv.URL, "ORIGIN", publicURL,
		"VIDEO_UUID", v.UUID, "EXPIRES", exp.UTC().Format(time.RFC3339))...)
}

// published is v as the videos service reads it (state, publication).
func (r *rig) published(v model.Video) model.Video {
	r.t.Helper()
	got, err := r.videos.Get(context.Background(), visibility.Remote(), v.UUID)
	if err != nil {
		r.t.Fatal(err)
	}
	return got
}

func admin() visibility.Viewer { return visibility.Viewer{UserID: 1, IsAdmin: true} }

func TestCacheFileCreateUpdateUndo(t *testing.T) {
	r := newRig(t)
	m := r.mirrors()
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.published(r.video(model.PrivacyPublic, model.CommentsEnabled))
	exp := time.Now().Add(48 * time.Hour)
	create := createCacheFile(t, rem, v, exp)
	bases := func() []string {
		t.Helper()
		b, err := m.Bases(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// By default only followed instances may mirror: this one is not.
	if st := r.post(rem, "alice", create); st != http.StatusForbidden {
		t.Fatalf("Create CacheFile from an instance not followed: %d, want 403", st)
	}
	if b := bases(); len(b) != 0 {
		t.Fatalf("refused mirror listed: %v", b)
	}
	host := rem.srv.Listener.Addr().String()
	if err := m.SetPolicy(ctx, admin(), model.MirrorPolicy{AcceptFrom: model.MirrorFromList, Hosts: []string{"HTTP://" + strings.ToUpper(host) + "/"}}); err != nil {
		t.Fatal(err)
	}
	// The same activity, sent again now that the host is listed, is taken.
	for i := range 2 { // the second is a replay
		if st := r.post(rem, "alice", create); st != http.StatusNoContent {
			t.Fatalf("Create CacheFile #%d: %d", i, st)
		}
	}
	base := rem.srv.URL + "/static/redundancy/hls/" + v.UUID
	if b := bases(); len(b) != 1 || b[0] != base {
		t.Fatalf("mirrors = %v, want [%s]", b, base)
	}
	list, total, err := m.List(ctx, admin(), 10)
	if err != nil || total != 1 || list[0].Host != host || list[0].VideoUUID != v.UUID || list[0].ActorIRI != rem.iri("alice") ||
		list[0].ExpiresAt.Unix() != exp.Unix() {
		t.Fatalf("admin list = %+v (%d), %v", list, total, err)
	}
	if _, _, err := m.List(ctx, visibility.Viewer{UserID: 2}, 10); err != redundancy.ErrForbidden {
		t.Errorf("list as a user: %v, want ErrForbidden", err)
	}

	// Bob (same server) may not update or undo Alice's CacheFile.
	cfID := rem.srv.URL + "/redundancy/streaming-playlists/hls/" + v.UUID
	bobUpdate := createCacheFile(t, rem, v, exp, `"type": "Create"`, `"type": "Update"`, "/users/alice", "/users/bob", "/activity", "/update-bob")
	if st := r.post(rem, "bob", bobUpdate); st != http.StatusForbidden {
		t.Errorf("Bob's Update of Alice's CacheFile: %d, want 403", st)
	}
	undo := func(who, id string) []byte {
		return activityJSON(t, act(rem.srv.URL+"/undo-"+id, "Undo", rem.iri(who), map[string]any{"id": rem.srv.URL + "/create-" + id,
			"type": "Create", "actor": rem.iri(who), "object": map[string]any{"id": cfID, "type": "CacheFile", "object": videoIRI(v),
				"url": map[string]any{"type": "Link", "mediaType": "application/x-mpegURL", "href": base}}}))
	}
	if st := r.post(rem, "bob", undo("bob", "1")); st != http.StatusNoContent {
		t.Errorf("Bob's Undo: %d", st)
	}
	if b := bases(); len(b) != 1 {
		t.Fatalf("after Bob's Undo: %v", b)
	}

	// Alice's Update moves the folder and the expiry.
	later := time.Now().Add(96 * time.Hour)
	update := createCacheFile(t, rem, v, later, `"type": "Create"`, `"type": "Update"`, "/activity", "/update1",
		"/static/redundancy/hls/", "/static/redundancy/hls2/")
	if st := r.post(rem, "alice", update); st != http.StatusNoContent {
		t.Fatalf("Update CacheFile: %d", st)
	}
	list, _, _ = m.List(ctx, admin(), 10)
	if len(list) != 1 || list[0].BaseURL != rem.srv.URL+"/static/redundancy/hls2/"+v.UUID || list[0].ExpiresAt.Unix() != later.Unix() {
		t.Fatalf("after Update: %+v", list)
	}

	// Alice's Undo of her Create removes it.
	if st := r.post(rem, "alice", undo("alice", "2")); st != http.StatusNoContent {
		t.Fatalf("Undo: %d", st)
	}
	if b := bases(); len(b) != 0 {
		t.Fatalf("after Undo: %v", b)
	}

	// The admin says nobody: a new Create is refused.
	if err := m.SetPolicy(ctx, admin(), model.MirrorPolicy{AcceptFrom: model.MirrorFromNobody}); err != nil {
		t.Fatal(err)
	}
	again := createCacheFile(t, rem, v, exp, "/activity", "/activity2")
	if st := r.post(rem, "alice", again); st != http.StatusForbidden {
		t.Errorf("Create under 'nobody': %d, want 403", st)
	}
	if err := m.SetPolicy(ctx, visibility.Viewer{UserID: 2}, model.MirrorPolicy{AcceptFrom: model.MirrorFromList}); err != redundancy.ErrForbidden {
		t.Errorf("policy set by a user: %v", err)
	}
}

func TestCacheFileRefusals(t *testing.T) {
	r := newRig(t)
	m := r.mirrors()
	rem := newRemote(t, false)
	ctx := context.Background()
	host := rem.srv.Listener.Addr().String()
	if err := m.SetPolicy(ctx, admin(), model.MirrorPolicy{AcceptFrom: model.MirrorFromList, Hosts: []string{host}}); err != nil {
		t.Fatal(err)
	}
	pub := r.published(r.video(model.PrivacyPublic, model.CommentsEnabled))
	unlisted := r.video(model.PrivacyUnlisted, model.CommentsEnabled)
	exp := time.Now().Add(time.Hour)
	cases := []struct {
		name string
		body []byte
		key  bool // signed by alice
		want int
	}{
		{"unsigned", createCacheFile(t, rem, pub, exp), false, http.StatusUnauthorized},
		{"mirror on another host", createCacheFile(t, rem, pub, exp, `"href": "MIRROR`, `"href": "https://elsewhere.example`), true, http.StatusBadRequest},
		{"id on another host", createCacheFile(t, rem, pub, exp, `"id": "MIRROR/redundancy/streaming-playlists/hls/VIDEO_UUID",`,
			`"id": "https://elsewhere.example/cf",`), true, http.StatusBadRequest},
		{"bad expiry", createCacheFile(t, rem, pub, exp, `"expires": "EXPIRES"`, `"expires": "soon"`), true, http.StatusBadRequest},
		{"not a video here", createCacheFile(t, rem, pub, exp, `"object": "ORIGIN/videos/watch/VIDEO_UUID"`, `"object": "https://elsewhere.example/videos/watch/x"`), true, http.StatusAccepted},
		{"unlisted video", createCacheFile(t, rem, unlisted, exp), true, http.StatusAccepted},
		{"web video copy", createCacheFile(t, rem, pub, exp, "application/x-mpegURL", "video/mp4"), true, http.StatusAccepted},
	}
	for _, c := range cases {
		req := request(t, c.body, rem.keyID("alice"), nil)
		if c.key {
			req = request(t, c.body, rem.keyID("alice"), rem.keys["alice"])
		}
		if st := r.receive(req, c.body, Box{}); st != c.want {
			t.Errorf("%s: %d, want %d", c.name, st, c.want)
		}
	}
	if n := r.rows("video_mirrors", "1"); n != 0 {
		t.Errorf("%d mirrors stored from refused CacheFiles", n)
	}
	// A CacheFile that already expired is not listed; the sweep forgets
	// expired ones.
	if st := r.post(rem, "alice", createCacheFile(t, rem, pub, time.Now().Add(-time.Minute))); st != http.StatusNoContent {
		t.Errorf("expired CacheFile: %d", st)
	}
	if b, _ := m.Bases(ctx, pub); len(b) != 0 {
		t.Errorf("expired mirror listed: %v", b)
	}
	m.Now = func() time.Time { return time.Now() }
	if st := r.post(rem, "alice", createCacheFile(t, rem, pub, time.Now().Add(time.Hour), "/activity", "/activity-b")); st != http.StatusNoContent {
		t.Fatalf("CacheFile: %d", st)
	}
	m.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if n, err := m.Sweep(ctx); err != nil || n != 1 {
		t.Errorf("sweep = %d, %v; want 1", n, err)
	}
}

// relaying wires forwarding into the rig: the real follows service lists
// the followers, the posting sender delivers at once.
func (r *rig) relaying() {
	r.svc.Audience, r.svc.Sender = r.follows, r.sender
}

// cacheFileBodies are the CacheFile activities (not the Accepts of the
// follows) rem's inboxes received, as their raw bytes.
func (r *remote) cacheFileBodies() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.received {
		if strings.Contains(string(b), "CacheFile") {
			out = append(out, string(b))
		}
	}
	return out
}

// PeerTube forwards an accepted Create, Update and Undo of a CacheFile of
// its own video to the video's followers (except the sender), so that the
// servers following it learn of the mirror: the body as it came (its
// linked-data signature inside), signed by this box's server actor. A
// replay, or an Undo of nothing, is not forwarded again.
func TestCacheFileForwardedToTheVideosFollowers(t *testing.T) {
	r := newRig(t)
	m := r.mirrors()
	r.relaying()
	mirror, follower := newRemote(t, false), newRemote(t, false)
	ctx := context.Background()
	// Alice on the follower's server follows the channel, and so does
	// Bob on the mirroring server: he must not get it back.
	for _, rem := range []*remote{follower, mirror} {
		if st := r.post(rem, "alice", r.mastodonFollow(rem)); st != http.StatusNoContent {
			t.Fatalf("Follow: %d", st)
		}
	}
	if err := m.SetPolicy(ctx, admin(), model.MirrorPolicy{AcceptFrom: model.MirrorFromList, Hosts: []string{mirror.srv.Listener.Addr().String()}}); err != nil {
		t.Fatal(err)
	}
	v := r.published(r.video(model.PrivacyPublic, model.CommentsEnabled))
	exp := time.Now().Add(48 * time.Hour)
	create := createCacheFile(t, mirror, v, exp)
	for range 2 { // the second is a replay
		if st := r.post(mirror, "alice", create); st != http.StatusNoContent {
			t.Fatalf("Create CacheFile: %d", st)
		}
	}
	got := follower.cacheFileBodies()
	if len(got) != 1 || got[0] != string(create) {
		t.Fatalf("the follower received %d CacheFile activities, want the Create as sent:\n%v", len(got), got)
	}
	if n := len(mirror.cacheFileBodies()); n != 0 {
		t.Errorf("the sender got its own activity back %d times", n)
	}
	var fwd *sent
	for _, s := range r.sender.all() {
		if s.Activity["type"] == "Create" {
			fwd = &s
		}
	}
	if fwd == nil || fwd.From.Key != keys.ServerActor || fwd.From.IRI != publicURL+"/accounts/peertube" {
		t.Errorf("forwarded as %+v, want the server actor", fwd)
	}

	// The Update, then the Undo, go on too; an Undo of nothing does not.
	update := createCacheFile(t, mirror, v, exp.Add(time.Hour), `"type": "Create"`, `"type": "Update"`, "/activity", "/update1")
	if st := r.post(mirror, "alice", update); st != http.StatusNoContent {
		t.Fatalf("Update CacheFile: %d", st)
	}
	var inner map[string]any
	json.Unmarshal(create, &inner)
	undo := activityJSON(t, act(mirror.srv.URL+"/undo-1", "Undo", mirror.iri("alice"), inner))
	for range 2 {
		if st := r.post(mirror, "alice", undo); st != http.StatusNoContent {
			t.Fatalf("Undo: %d", st)
		}
	}
	if b, _ := m.Bases(ctx, v); len(b) != 0 {
		t.Fatalf("after the Undo: %v", b)
	}
	got = follower.cacheFileBodies()
	if len(got) != 3 || got[1] != string(update) || got[2] != string(undo) {
		t.Fatalf("the follower received %d CacheFile activities, want Create, Update, Undo:\n%v", len(got), got)
	}
}

// A third server's copy of a remote video this box knows (PeerTube's
// origin forwards its CacheFile to the video's followers, signed by
// itself): taken as the mirroring server serves it, listed among the
// video's mirrors (not among the mirrors of local videos), and not
// forwarded again; its forwarded Undo holds once the copy is gone there.
func TestForwardedCacheFileOfARemoteVideo(t *testing.T) {
	r := newRig(t)
	m := r.mirrors()
	r.relaying()
	origin, mirror := newRemote(t, false), newRemote(t, false)
	ctx := context.Background()
	v, iri := r.remoteVideo(origin)
	v = r.published(v)
	if err := m.SetPolicy(ctx, admin(), model.MirrorPolicy{AcceptFrom: model.MirrorFromList, Hosts: []string{mirror.srv.Listener.Addr().String()}}); err != nil {
		t.Fatal(err)
	}
	cfPath := "/redundancy/streaming-playlists/hls/" + v.UUID
	base := mirror.srv.URL + "/static/redundancy/hls/" + v.UUID
	cf := map[string]any{"id": mirror.srv.URL + cfPath, "type": "CacheFile", "object": iri, "expires": nil,
		"url": map[string]any{"type": "Link", "mediaType": "application/x-mpegURL", "href": base}}
	forged := map[string]any{"id": mirror.srv.URL + cfPath, "type": "CacheFile", "object": iri,
		"url": map[string]any{"type": "Link", "mediaType": "application/x-mpegURL", "href": mirror.srv.URL + "/elsewhere"}}
	create := activityJSON(t, act(mirror.srv.URL+cfPath+"/activity", "Create", mirror.iri("alice"), forged))
	bases := func() []string {
		t.Helper()
		b, err := m.RemoteBases(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// The origin's Bob forwards it: the mirroring server does not serve it.
	if st := r.post(origin, "bob", create); st != http.StatusUnauthorized {
		t.Fatalf("forwarded CacheFile its server does not serve: %d, want 401", st)
	}
	mirror.mu.Lock()
	mirror.notes = map[string]any{cfPath: cf}
	mirror.mu.Unlock()
	if st := r.post(origin, "bob", create); st != http.StatusNoContent {
		t.Fatalf("forwarded CacheFile its server serves: %d, want 204", st)
	}
	if b := bases(); len(b) != 1 || b[0] != base {
		t.Fatalf("remote video's mirrors = %v, want [%s] (the mirroring server's own URL)", b, base)
	}
	if _, total, _ := m.List(ctx, admin(), 10); total != 0 {
		t.Errorf("a remote video's mirror listed among local videos' (%d)", total)
	}
	if n := len(r.sender.all()); n != 0 {
		t.Errorf("a remote video's CacheFile was forwarded (%d sends)", n)
	}

	// A CacheFile of a remote video this box does not know is dropped.
	other := activityJSON(t, act(mirror.srv.URL+"/other/activity", "Create", mirror.iri("alice"),
		map[string]any{"id": mirror.srv.URL + "/other", "type": "CacheFile", "object": origin.srv.URL + "/videos/watch/unknown",
			"url": map[string]any{"type": "Link", "mediaType": "application/x-mpegURL", "href": mirror.srv.URL + "/static/x"}}))
	if st := r.post(mirror, "alice", other); st != http.StatusAccepted {
		t.Errorf("CacheFile of an unknown video: %d, want 202", st)
	}

	// The forwarded Undo: refused while the copy is served, taken once gone.
	undo := activityJSON(t, act(mirror.srv.URL+"/undo-2", "Undo", mirror.iri("alice"),
		act(mirror.srv.URL+cfPath+"/activity", "Create", mirror.iri("alice"), cf)))
	if st := r.post(origin, "bob", undo); st != http.StatusUnauthorized {
		t.Errorf("forwarded Undo of a copy still served: %d, want 401", st)
	}
	mirror.mu.Lock()
	delete(mirror.notes, cfPath)
	mirror.mu.Unlock()
	if st := r.post(origin, "bob", undo); st != http.StatusNoContent {
		t.Fatalf("forwarded Undo of a copy gone: %d, want 204", st)
	}
	if b := bases(); len(b) != 0 {
		t.Errorf("after the Undo: %v", b)
	}
}
