package signature

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/keys"
)

var (
	keyOnce sync.Once
	keyA    *rsa.PrivateKey // the signer's
	keyB    *rsa.PrivateKey // someone else's
)

// testKeys are two RSA-2048 keys, made once per test binary.
func testKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if keyA, err = rsa.GenerateKey(rand.Reader, 2048); err == nil {
			keyB, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			panic(err)
		}
	})
	return keyA, keyB
}

const (
	actorIRI = "https://remote.example/accounts/alice"
	owner    = actorIRI
)

// fakeKeys is a KeySource: known keys, and what a refresh would fetch.
type fakeKeys struct {
	mu        sync.Mutex
	known     map[string]*keys.Remote
	fresh     map[string]*keys.Remote // nil: refresh refused
	refreshes int
}

func keySource(keyID string, pub *rsa.PublicKey) *fakeKeys {
	return &fakeKeys{known: map[string]*keys.Remote{keyID: {KeyID: keyID, Owner: owner, Public: pub}}, fresh: map[string]*keys.Remote{}}
}

func (f *fakeKeys) Key(_ context.Context, keyID string) (*keys.Remote, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k, ok := f.known[keyID]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("fetch %s: 404 Not Found", keyID)
}

func (f *fakeKeys) Refresh(_ context.Context, keyID string) (*keys.Remote, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshes++
	if k, ok := f.fresh[keyID]; ok {
		f.known[keyID] = k
		return k, nil
	}
	return nil, keys.ErrRefreshLimited
}

// signedPOST is a POST to our inbox signed by key as alice, as it reaches
// the server (RequestURI and Host set, Host out of Header).
func signedPOST(t testing.TB, key *rsa.PrivateKey, body []byte, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "https://cabane.example/accounts/bob/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/activity+json")
	if err := (Signer{Now: func() time.Time { return at }}).Sign(r, key, KeyID(actorIRI), body); err != nil {
		t.Fatal(err)
	}
	return asReceived(r)
}

// asReceived turns a client request into what a server handler sees.
func asReceived(r *http.Request) *http.Request {
	s := httptest.NewRequest(r.Method, r.URL.RequestURI(), r.Body)
	s.Host = r.URL.Host
	if r.Host != "" {
		s.Host = r.Host
	}
	s.Header = r.Header.Clone()
	return s
}

func readFixture(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// like is a Like activity's body, the size of the inbox's commonest POST.
var like = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://remote.example/accounts/alice/likes/4242","type":"Like","actor":"https://remote.example/accounts/alice","object":"https://cabane.example/videos/watch/0b2f5b7e-3c1c-4a43-9a3b-5b5f2b8f9d10"}`)
