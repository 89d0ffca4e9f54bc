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
	"strings"
	"sync"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
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
