package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
)

// fediverse is a fake remote server with one actor, alice, whose key
// signs what the test posts as her.
type fediverse struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

var (
	aliceKeyOnce sync.Once
	aliceKey     *rsa.PrivateKey
)

func newFediverse(t *testing.T) *fediverse {
	aliceKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		aliceKey = k
	})
	f := &fediverse{key: aliceKey}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/users/alice" {
			http.NotFound(w, r)
			return
		}
		pem, _ := keys.EncodePublicPEM(&f.key.PublicKey)
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]any{"id": f.alice(), "type": "Person", "preferredUsername": "alice",
			"name": "Alice <script>x</script>", "inbox": f.alice() + "/inbox", "endpoints": map[string]string{"sharedInbox": f.srv.URL + "/inbox"},
			"publicKey": map[string]string{"id": f.alice() + "#main-key", "owner": f.alice(), "publicKeyPem": pem}})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fediverse) alice() string { return f.srv.URL + "/users/alice" }

// inboxRig is fedRig with the inbox and follows wired as the App wires
// them (no Sender: no delivery yet).
func inboxRig(t *testing.T) *rig {
	t.Helper()
	r := fedRig(t, fedPublicURL)
	id := r.server.Federation.Identity
	client := httpclient.New(httpclient.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	fo := &follows.Service{Identity: id, Store: r.store.Follows(), Directory: r.server.Accounts}
	in, err := inbox.New(inbox.Config{Identity: id, Client: client, Keyring: keys.NewKeyring(r.store.ActorKeys()),
		KeyStore: r.store.ActorKeys(), Store: r.store.Follows(), Locals: r.server.Accounts, Answers: fo})
	if err != nil {
		t.Fatal(err)
	}
	r.server.Inbox, r.server.Follows = in, fo
	r.server.Federation.Collections = follows.Collection{Store: r.store.Follows()}
	return r
}

// postActivity POSTs body to path as the public host, signed by alice
// (unless unsigned), with a media type.
func (r *rig) postActivity(t *testing.T, f *fediverse, path, ctype string, body []byte, unsigned bool) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.http.URL+path, bytes.NewReader(body))
	req.Host = strings.TrimPrefix(fedPublicURL, "https://")
	req.Header.Set("Content-Type", ctype)
	if !unsigned {
		if err := (signature.Signer{}).Sign(req, f.key, f.alice()+"#main-key", body); err != nil {
			t.Fatal(err)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestInboxFollowThroughHTTP(t *testing.T) {
	r := inboxRig(t)
	f := newFediverse(t)
	ch, err := r.server.Accounts.ChannelByID(context.Background(), adminViewer(r), r.adminChannel)
	if err != nil {
		t.Fatal(err)
	}
	follow, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": f.srv.URL + "/f1",
		"type": "Follow", "actor": f.alice(), "object": fedPublicURL + "/video-channels/" + ch.Name})

	cases := []struct {
		name, path, ctype string
		body              []byte
		unsigned          bool
		want              int
	}{
		{"unsigned", "/inbox", acceptAP, follow, true, 401},
		{"plain text", "/inbox", "text/plain", follow, false, 400},
		{"too large", "/inbox", acceptAP, append(follow[:len(follow)-1:len(follow)-1], []byte(`,"pad":"`+strings.Repeat("x", inbox.MaxBody)+`"}`)...), false, 413},
		{"unknown channel's inbox", "/video-channels/nobody/inbox", acceptAP, follow, false, 404},
		{"follow at the channel's inbox", "/video-channels/" + ch.Name + "/inbox", acceptLDAP, follow, false, 204},
		{"again, at the shared inbox", "/inbox", acceptAP, follow, false, 204},
	}
	for _, c := range cases {
		res, body := r.postActivity(t, f, c.path, c.ctype, c.body, c.unsigned)
		if res.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, res.StatusCode, c.want, body)
		}
		if c.want >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") {
			t.Errorf("%s: error as %q", c.name, res.Header.Get("Content-Type"))
		}
	}

	// The followers collection counts alice.
	res, body := r.fedGet(t, "/video-channels/"+ch.Name+"/followers", acceptAP, "")
	var coll struct {
		TotalItems int    `json:"totalItems"`
		First      string `json:"first"`
	}
	json.Unmarshal(body, &coll)
	if res.StatusCode != 200 || coll.TotalItems != 1 {
		t.Errorf("followers collection: %d %s", res.StatusCode, body)
	}
	_, body = r.fedGet(t, "/video-channels/"+ch.Name+"/followers?page=1", acceptAP, "")
	var page struct {
		OrderedItems []string `json:"orderedItems"`
	}
	json.Unmarshal(body, &page)
	if len(page.OrderedItems) != 1 || page.OrderedItems[0] != f.alice() {
		t.Errorf("followers page: %s", body)
	}
	rec, err := r.server.Follows.Followers(context.Background(), keys.Actor{Kind: keys.Channel, ID: ch.ID})
	if err != nil || len(rec) != 1 || rec[0] != (federation.Recipient{Actor: f.alice(), Inbox: f.alice() + "/inbox", SharedInbox: f.srv.URL + "/inbox"}) {
		t.Errorf("audience: %+v %v", rec, err)
	}
}

// PeerTube's followers endpoints, checked against the contract: the
// server's (admins), a channel's and an account's (owner, admins), the
// counts, and removing a server follower by handle.
func TestFollowersAPIContract(t *testing.T) {
	r := inboxRig(t)
	f := newFediverse(t)
	r.server.Search = &search.Service{Store: r.store.Search(), Lookup: r.videos, TrendingDays: videos.TrendingDays}
	a := newAPIClient(t, r)
	ctx := context.Background()
	ch, err := r.server.Accounts.ChannelByID(ctx, adminViewer(r), r.adminChannel)
	if err != nil {
		t.Fatal(err)
	}
	for i, obj := range []string{fedPublicURL + "/video-channels/" + ch.Name, fedPublicURL + "/accounts/peertube"} {
		b, _ := json.Marshal(map[string]any{"id": f.srv.URL + "/follows/" + itoa(int64(i)), "type": "Follow", "actor": f.alice(), "object": obj})
		if res, body := r.postActivity(t, f, "/inbox", acceptAP, b, false); res.StatusCode != 204 {
			t.Fatalf("Follow of %s: %d %s", obj, res.StatusCode, body)
		}
	}
	type list struct {
		Total int `json:"total"`
		Data  []struct {
			State    string `json:"state"`
			Follower struct {
				Name, Host, URL, DisplayName string
			} `json:"follower"`
			Following struct {
				Name string `json:"name"`
			} `json:"following"`
		} `json:"data"`
	}
	get := func(path, who string, want int) list {
		t.Helper()
		res := a.do(http.MethodGet, path, who, nil, "")
		if res.Status != want {
			t.Fatalf("GET %s as %s: %d, want %d: %s", path, who, res.Status, want, res.Body)
		}
		var l list
		json.Unmarshal(res.Body, &l)
		return l
	}
	host := f.srv.Listener.Addr().String()
	l := get("/api/v1/server/followers", "admin", 200)
	if l.Total != 1 || l.Data[0].Follower.Name != "alice" || l.Data[0].Follower.Host != host || l.Data[0].Follower.URL != f.alice() ||
		l.Data[0].Follower.DisplayName != "Alice" || l.Data[0].Following.Name != "peertube" || l.Data[0].State != "accepted" {
		t.Errorf("server followers: %+v", l)
	}
	get("/api/v1/server/followers", "user", 403)
	get("/api/v1/server/followers?state=bogus", "admin", 400)
	if l := get("/api/v1/video-channels/"+ch.Name+"/followers", "admin", 200); l.Total != 1 || l.Data[0].Following.Name != ch.Name {
		t.Errorf("channel followers: %+v", l)
	}
	get("/api/v1/video-channels/"+ch.Name+"/followers", "user", 403)
	if l := get("/api/v1/accounts/admin/followers", "admin", 200); l.Total != 1 || l.Data[0].Following.Name != ch.Name {
		t.Errorf("account followers (its channels' included): %+v", l)
	}
	res := a.do(http.MethodGet, "/api/v1/video-channels/"+ch.Name, "", nil, "")
	var chJSON struct {
		FollowersCount int `json:"followersCount"`
	}
	json.Unmarshal(res.Body, &chJSON)
	if chJSON.FollowersCount != 1 {
		t.Errorf("channel followersCount = %d: %s", chJSON.FollowersCount, res.Body)
	}
	if res := a.do(http.MethodDelete, "/api/v1/server/followers/alice@"+host, "user", nil, ""); res.Status != 403 {
		t.Errorf("a user removed a server follower: %d", res.Status)
	}
	if res := a.do(http.MethodPost, "/api/v1/server/followers/alice@"+host+"/accept", "admin", nil, ""); res.Status != 409 {
		t.Errorf("accept of an accepted follower: %d, want 409", res.Status)
	}
	if res := a.do(http.MethodDelete, "/api/v1/server/followers/alice@"+host, "admin", nil, ""); res.Status != 204 {
		t.Errorf("remove server follower: %d %s", res.Status, res.Body)
	}
	if res := a.do(http.MethodDelete, "/api/v1/server/followers/alice@"+host, "admin", nil, ""); res.Status != 404 {
		t.Errorf("remove again: %d", res.Status)
	}
	if l := get("/api/v1/server/followers", "admin", 200); l.Total != 0 {
		t.Errorf("server followers after removal: %+v", l)
	}
}

// The creator's followers page: the channel's "approve by hand" setting,
// a pending follower approved, another user refused, names sanitised,
// French too, and the count on the channel page.
func TestMyFollowersPage(t *testing.T) {
	r := inboxRig(t)
	f := newFediverse(t)
	ctx := context.Background()
	ch, err := r.server.Accounts.ChannelByID(ctx, adminViewer(r), r.adminChannel)
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, who string, form url.Values) int {
		t.Helper()
		res := r.do(ctx, request{method: http.MethodPost, path: path, who: who, form: form, withCSRF: true})
		res.Body.Close()
		return res.StatusCode
	}
	chID := itoa(ch.ID)
	if st := post("/my/followers/manual", "user", url.Values{"channel": {chID}, "manual": {"on"}}); st != http.StatusForbidden {
		t.Errorf("another user set the channel's policy: %d", st)
	}
	if st := post("/my/followers/manual", "admin", url.Values{"channel": {chID}, "manual": {"on"}}); st != http.StatusSeeOther {
		t.Fatalf("set manual approval: %d", st)
	}
	b, _ := json.Marshal(map[string]any{"id": f.srv.URL + "/f1", "type": "Follow", "actor": f.alice(), "object": fedPublicURL + "/video-channels/" + ch.Name})
	if res, body := r.postActivity(t, f, "/inbox", acceptAP, b, false); res.StatusCode != 204 {
		t.Fatalf("Follow: %d %s", res.StatusCode, body)
	}
	st, page := r.page(request{method: http.MethodGet, path: "/my/followers", who: "admin"})
	if st != 200 || !strings.Contains(page, "waiting for approval") || !strings.Contains(page, ">Alice</a>") ||
		strings.Contains(page, "<script>x") || !strings.Contains(page, `name="manual" value="on" checked`) {
		t.Fatalf("followers page: %d\n%s", st, page)
	}
	if _, fr := r.page(request{method: http.MethodGet, path: "/my/followers", who: "admin", lang: "fr"}); !strings.Contains(fr, "en attente d’approbation") {
		t.Errorf("French page lacks its words")
	}
	fs, _, _ := r.store.Follows().Followers(ctx, []store.FollowTarget{{Kind: "channel", ID: ch.ID}}, store.FollowPending, 0, 10)
	if len(fs) != 1 {
		t.Fatalf("pending: %+v", fs)
	}
	id := itoa(fs[0].ID)
	if st := post("/my/followers/"+id+"/approve", "user", nil); st != http.StatusForbidden {
		t.Errorf("another user approved: %d", st)
	}
	if st := post("/my/followers/"+id+"/approve", "admin", nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	if n, _ := r.store.Follows().FollowersCount(ctx, store.FollowTarget{Kind: "channel", ID: ch.ID}); n != 1 {
		t.Errorf("accepted after approval: %d", n)
	}
	if _, cp := r.page(request{method: http.MethodGet, path: "/c/" + ch.Name}); !strings.Contains(cp, "1 follower") {
		t.Errorf("channel page lacks the followers count")
	}
	if st := post("/my/followers/"+id+"/reject", "admin", nil); st != http.StatusSeeOther {
		t.Fatalf("remove: %d", st)
	}
	if st := post("/my/followers/"+id+"/reject", "admin", nil); st != http.StatusNotFound {
		t.Errorf("remove again: %d", st)
	}
}
