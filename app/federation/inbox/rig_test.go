package inbox

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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/views"
)

// publicURL is the Cabane under test; nothing listens there: requests are
// handed to Receive.
const publicURL = "https://cabane.example"

var (
	remoteKeyOnce sync.Once
	remoteKeys    [2]*rsa.PrivateKey
)

// remoteKey is one of two RSA keys made once per test binary.
func remoteKey(i int) *rsa.PrivateKey {
	remoteKeyOnce.Do(func() {
		for j := range remoteKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			remoteKeys[j] = k
		}
	})
	return remoteKeys[i]
}

// remote is a fake fediverse server on 127.0.0.1: it serves its actors
// (with their keys, Mastodon-style at #main-key or GoToSocial-style at a
// /main-key stub) and records what its inboxes receive.
type remote struct {
	srv  *httptest.Server
	gts  bool // keys at /users/<name>/main-key stubs, as GoToSocial
	keys map[string]*rsa.PrivateKey
	name map[string]string // display names, changeable

	mu       sync.Mutex
	notes    map[string]any // path → the object served there (forward_test.go)
	received []json.RawMessage
	fetches  int
}

func newRemote(t testing.TB, gts bool) *remote {
	r := &remote{gts: gts, keys: map[string]*rsa.PrivateKey{"alice": remoteKey(0), "bob": remoteKey(1)},
		name: map[string]string{"alice": "Alice <b>A.</b>", "bob": "Bob"}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *remote) iri(name string) string { return r.srv.URL + "/users/" + name }

func (r *remote) keyID(name string) string {
	if r.gts {
		return r.iri(name) + "/main-key"
	}
	return r.iri(name) + "#main-key"
}

func (r *remote) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	note, ok := r.notes[req.URL.Path]
	r.mu.Unlock()
	if ok && req.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(note)
		return
	}
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "users" || r.keys[parts[1]] == nil {
		http.NotFound(w, req)
		return
	}
	name := parts[1]
	switch {
	case req.Method == http.MethodPost && len(parts) == 3 && parts[2] == "inbox":
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.received = append(r.received, body)
		r.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case req.Method == http.MethodGet && len(parts) == 2:
		r.mu.Lock()
		r.fetches++
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(r.actor(name))
	case req.Method == http.MethodGet && len(parts) == 3 && parts[2] == "main-key" && r.gts:
		// GoToSocial's stub, as captured: the key and its owner, no inbox.
		b, err := os.ReadFile(filepath.Join("testdata", "captured-gts-main-key-stub.json"))
		if err != nil {
			panic(err)
		}
		var stub map[string]any
		if err := json.Unmarshal([]byte(strings.ReplaceAll(string(b), "http://localhost:18080/users/tester", r.iri(name))), &stub); err != nil {
			panic(err)
		}
		stub["preferredUsername"] = name
		stub["publicKey"].(map[string]any)["publicKeyPem"] = r.publicKey(name)["publicKeyPem"]
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(stub)
	default:
		http.NotFound(w, req)
	}
}

func (r *remote) publicKey(name string) map[string]string {
	pem, err := keys.EncodePublicPEM(&r.keys[name].PublicKey)
	if err != nil {
		panic(err)
	}
	return map[string]string{"id": r.keyID(name), "owner": r.iri(name), "publicKeyPem": pem}
}

func (r *remote) actor(name string) map[string]any {
	id := r.iri(name)
	r.mu.Lock()
	display := r.name[name]
	r.mu.Unlock()
	return map[string]any{
		"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":       id, "type": "Person", "preferredUsername": name, "name": display,
		"summary": `<p>Hi <script>alert(1)</script></p>`,
		"inbox":   id + "/inbox", "outbox": id + "/outbox", "followers": id + "/followers", "url": r.srv.URL + "/@" + name,
		"endpoints": map[string]string{"sharedInbox": r.srv.URL + "/inbox"},
		"icon":      map[string]string{"type": "Image", "url": r.srv.URL + "/avatars/" + name + ".png"},
		"publicKey": r.publicKey(name),
	}
}

// inboxBodies are the activities the remote actors' inboxes received.
func (r *remote) inboxBodies() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, b := range r.received {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic(err)
		}
		out = append(out, m)
	}
	return out
}

// sent is one Send call.
type sent struct {
	From     federation.LocalActor
	Activity map[string]any
	To       []federation.Recipient
}

// postingSender records each Send and delivers it at once, signed, to
// each recipient's inbox: the durable delivery's contract, without its
// queue.
type postingSender struct {
	t      testing.TB
	client *httpclient.Client
	keys   *keys.Keyring
	fail   bool // Send fails (a full disk under the queue)

	mu   sync.Mutex
	sent []sent
}

func (p *postingSender) Send(ctx context.Context, from federation.LocalActor, activity []byte, to []federation.Recipient) error {
	if p.fail {
		return context.DeadlineExceeded
	}
	var m map[string]any
	if err := json.Unmarshal(activity, &m); err != nil {
		p.t.Errorf("Send of invalid JSON: %v", err)
	}
	p.mu.Lock()
	p.sent = append(p.sent, sent{From: from, Activity: m, To: to})
	p.mu.Unlock()
	pair, err := p.keys.Get(ctx, from.Key)
	if err != nil {
		return err
	}
	for _, r := range to {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.Inbox, bytes.NewReader(activity))
		req.Header.Set("Content-Type", "application/activity+json")
		if err := (signature.Signer{}).Sign(req, pair.Private, signature.KeyID(from.IRI), activity); err != nil {
			return err
		}
		resp, err := p.client.Do(ctx, req)
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	return nil
}

func (p *postingSender) all() []sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sent(nil), p.sent...)
}

// rig is a Cabane's inbox on a real store, with a local user "carol"
// (channel "carol_channel") and the real key resolver, verifier and
// outbound client (loopback allowed).
type rig struct {
	t        testing.TB
	st       *store.Store
	svc      *Service
	follows  *follows.Service
	sender   *postingSender
	keyring  *keys.Keyring
	owner    model.User
	channel  model.Channel
	stranger model.User
	now      time.Time
	videos   *videos.Service
	notify   *notifications.Service
}

func newRig(t testing.TB) *rig {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	owner, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "carol", Email: "c@example.org", PasswordHash: "x", ChannelName: "carol_channel", ChannelDisplay: "Carol's"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "dave", Email: "d@example.org", PasswordHash: "x", ChannelName: "dave_channel"})
	if err != nil {
		t.Fatal(err)
	}
	client := httpclient.New(httpclient.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	r := &rig{t: t, st: st, owner: owner, channel: ch, stranger: stranger, keyring: keys.NewKeyring(st.ActorKeys())}
	id := federation.NewIdentity(publicURL, nil)
	svc, err := New(Config{Identity: id, Client: client, Keyring: r.keyring, KeyStore: st.ActorKeys(), Store: st.Follows(),
		Locals: &accounts.Service{Store: st.Repo()}})
	if err != nil {
		t.Fatal(err)
	}
	r.sender = &postingSender{t: t, client: client, keys: r.keyring}
	r.follows = &follows.Service{Identity: id, Store: st.Follows(), Directory: &accounts.Service{Store: st.Repo()}, Sender: r.sender}
	svc.Answers = r.follows
	// The real videos, views and notifications services, as the App
	// wires them.
	r.videos = &videos.Service{Store: st.Repo()}
	r.notify = &notifications.Service{Store: st.Notifications(), Videos: st.Videos, Comments: st.Comments(),
		Subscribers: st.Subscriptions(), Users: st.Accounts}
	svc.Videos, svc.Views, svc.Notify = r.videos, &views.Service{Videos: r.videos}, r.notify
	r.svc = svc
	return r
}

// request is a POST of body to the shared inbox, signed by keyID with key
// (nil: unsigned).
func request(t testing.TB, body []byte, keyID string, key *rsa.PrivateKey) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, publicURL+"/inbox", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	if key != nil {
		if err := (signature.Signer{}).Sign(req, key, keyID, body); err != nil {
			t.Fatal(err)
		}
	}
	return req
}

// post sends body to the shared inbox, signed as the remote actor name,
// and returns the status the web layer would answer.
func (r *rig) post(rem *remote, name string, body []byte) int {
	r.t.Helper()
	return r.receive(request(r.t, body, rem.keyID(name), rem.keys[name]), body, Box{})
}

func (r *rig) receive(req *http.Request, body []byte, box Box) int {
	r.t.Helper()
	out, err := r.svc.Receive(context.Background(), req, body, box)
	if err != nil {
		return Status(err)
	}
	return out.Status()
}

// fixture reads testdata/name with the given replacements of IRIs.
func fixture(t testing.TB, name string, replace ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(replace...).Replace(string(b)))
}

// activityJSON encodes an activity.
func activityJSON(t testing.TB, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (r *rig) channelIRI() string { return publicURL + "/video-channels/" + r.channel.Name }

func (r *rig) followers(kind keys.Kind, id int64, state string) []store.Follow {
	r.t.Helper()
	fs, _, err := r.st.Follows().Followers(context.Background(), []store.FollowTarget{{Kind: string(kind), ID: id}}, state, 0, 100)
	if err != nil {
		r.t.Fatal(err)
	}
	return fs
}
