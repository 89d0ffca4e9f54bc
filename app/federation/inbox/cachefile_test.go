package inbox

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

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
