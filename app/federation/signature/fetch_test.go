package signature

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/store"
)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type onePair struct{ p *keys.Pair }

func (o onePair) Get(context.Context, keys.Actor) (*keys.Pair, error) { return o.p, nil }

// A remote server that, like GoToSocial, answers only signed GETs: the
// resolver reaches it through Fetcher, signed as our server actor.
func TestFetcherSignedGETFeedsTheResolver(t *testing.T) {
	ours, theirs := testKeys(t)
	const serverActor = "https://cabane.example/accounts/peertube"
	var srv *httptest.Server
	actorDoc := func() []byte {
		pemB, _ := keys.EncodePublicPEM(&theirs.PublicKey)
		id := srv.URL + "/users/zoe"
		b, _ := json.Marshal(map[string]any{"id": id, "type": "Person", "inbox": id + "/inbox",
			"publicKey": map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pemB}})
		return b
	}
	v := &Verifier{Keys: keySource(KeyID(serverActor), &ours.PublicKey)}
	var accepts []string
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := v.Verify(r.Context(), r, nil); err != nil {
			http.Error(w, err.Error(), Status(err))
			return
		}
		accepts = append(accepts, r.Header.Get("Accept"))
		switch r.URL.Path {
		case "/users/zoe":
			w.Header().Set("Content-Type", "application/activity+json")
			w.Write(actorDoc())
		case "/big":
			w.Write([]byte(strings.Repeat(" ", 2048)))
		case "/redirect":
			// An open redirector: the document it leads to must not be
			// taken for the redirector's.
			http.Redirect(w, r, "/users/zoe", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	f := &Fetcher{Client: srv.Client(), Keys: onePair{&keys.Pair{Private: ours}}, Actor: keys.ServerActor, ActorIRI: serverActor, MaxBody: 1024}
	r := keys.NewResolver(f, openStore(t).ActorKeys(), keys.ResolverOptions{})
	k, err := r.Key(context.Background(), srv.URL+"/users/zoe#main-key")
	if err != nil {
		t.Fatal(err)
	}
	if k.Owner != srv.URL+"/users/zoe" || !k.Public.Equal(&theirs.PublicKey) {
		t.Errorf("resolved %+v", k)
	}
	if len(accepts) != 1 || accepts[0] != Accept {
		t.Errorf("Accept headers %q", accepts)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/redirect"); !errors.Is(err, ErrRedirected) {
		t.Errorf("redirected fetch: %v, want ErrRedirected", err)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/gone"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/big"); err == nil || !strings.Contains(err.Error(), "over 1024 bytes") {
		t.Errorf("oversized document: %v", err)
	}
	// Signed by a key the remote does not know: refused there, an error here.
	bad := &Fetcher{Client: srv.Client(), Keys: onePair{&keys.Pair{Private: theirs}}, Actor: keys.ServerActor, ActorIRI: serverActor}
	if _, err := bad.Fetch(context.Background(), srv.URL+"/users/zoe"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("badly signed GET: %v", err)
	}
}

// With the real keyring: the server actor's key is made once and stored,
// and what it signs verifies with the public PEM it publishes.
func TestFetcherWithKeyring(t *testing.T) {
	st := openStore(t)
	kr := keys.NewKeyring(st.ActorKeys())
	const serverActor = "https://cabane.example/accounts/peertube"
	var pub *rsa.PublicKey
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := (&Verifier{Keys: keySource(KeyID(serverActor), pub)}).Verify(r.Context(), r, nil); err != nil {
			http.Error(w, err.Error(), Status(err))
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	pair, err := kr.Get(context.Background(), keys.ServerActor)
	if err != nil {
		t.Fatal(err)
	}
	if pub, err = keys.ParsePublicPEM(pair.PublicPEM); err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Client: srv.Client(), Keys: kr, Actor: keys.ServerActor, ActorIRI: serverActor}
	if b, err := f.Fetch(context.Background(), srv.URL+"/x"); err != nil || string(b) != "{}" {
		t.Fatalf("%q %v", b, err)
	}
	if _, err := st.ActorKeys().Local(context.Background(), "server", 0); errors.Is(err, store.ErrNotFound) {
		t.Error("server actor's key not stored")
	}
}
