package keys

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"cabane.dev/cabane/app/store"
)

// Errors of resolving a keyId.
var (
	// ErrBadKeyID: the keyId is not an absolute http(s) URL.
	ErrBadKeyID = errors.New("keys: keyId is not an http(s) URL")
	// ErrKeyNotFound: the fetched document does not publish that key.
	ErrKeyNotFound = errors.New("keys: document does not publish the key")
	// ErrOwnerMismatch: the key's owner does not list the key as its own.
	ErrOwnerMismatch = errors.New("keys: the key's owner does not claim it")
	// ErrRefreshLimited: the key was fetched too recently, or too many
	// refreshes happened lately, to fetch it again now.
	ErrRefreshLimited = errors.New("keys: refresh refused by the rate limit")
	// ErrFetchLimited: too many unknown keys were fetched lately, or this
	// one failed moments ago: it is not fetched again now.
	ErrFetchLimited = errors.New("keys: fetch of an unknown key refused by the rate limit")
)

// Unknown keyIds cost outgoing requests that anyone with a well-formed
// signature can trigger: first fetches are rate-limited together, and a
// keyId whose fetch failed is not fetched again for failedFor.
const (
	firstFetchEvery = 50 * time.Millisecond // 20 a second
	firstFetchBurst = 40
	failedFor       = 5 * time.Minute
	maxFailed       = 1024
)

// Fetcher GETs an ActivityPub document and returns its body. Cabane's
// fetcher signs the GET as the server actor (GoToSocial and Mastodon in
// authorized-fetch mode refuse unsigned ones), goes through app/httpclient
// (no private addresses) and bounds the body; see signature.Fetcher.
type Fetcher interface {
	Fetch(ctx context.Context, iri string) ([]byte, error)
}

// RemoteStore keeps fetched keys across restarts (store.ActorKeys).
type RemoteStore interface {
	Remote(ctx context.Context, keyID string) (store.RemoteKey, error)
	PutRemote(ctx context.Context, rk store.RemoteKey) error
	DeleteRemoteOwner(ctx context.Context, owner string) error
}

// Remote is a remote actor's public key.
type Remote struct {
	KeyID string
	// Owner is the actor the key belongs to, as the owner's own document
	// confirms. The inbox must check that it is the activity's actor.
	Owner     string
	Public    *rsa.PublicKey
	FetchedAt time.Time
}

// ResolverOptions tune a Resolver; zero values take the defaults.
type ResolverOptions struct {
	// CacheSize bounds the keys kept in memory (default 4096).
	CacheSize int
	// MinRefresh is how old a key must be before a failed verification
	// may fetch it again (default one minute): a forged request cannot
	// make us refetch a key on every request.
	MinRefresh time.Duration
	// RefreshEvery and RefreshBurst bound refreshes of all keys together
	// (default one per second, bursts of 10).
	RefreshEvery time.Duration
	RefreshBurst int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Resolver finds the public key a keyId names: in memory, in the store, or
// by fetching the key's document (and its owner's, when the document is
// not the owner's full actor).
type Resolver struct {
	fetch      Fetcher
	st         RemoteStore
	cache      *lru
	minRefresh time.Duration
	refreshes  *rate.Limiter
	now        func() time.Time

	firsts *rate.Limiter // fetches of keys never seen

	mu      sync.Mutex
	flights map[string]*flight   // fetches in progress by keyId
	failed  map[string]time.Time // keyIds whose fetch failed, and when
}

type flight struct {
	done chan struct{}
	key  *Remote
	err  error
}

// NewResolver returns a resolver fetching through f and keeping keys in st.
func NewResolver(f Fetcher, st RemoteStore, o ResolverOptions) *Resolver {
	if o.CacheSize <= 0 {
		o.CacheSize = 4096
	}
	if o.MinRefresh <= 0 {
		o.MinRefresh = time.Minute
	}
	if o.RefreshEvery <= 0 {
		o.RefreshEvery = time.Second
	}
	if o.RefreshBurst <= 0 {
		o.RefreshBurst = 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Resolver{
		fetch: f, st: st, cache: newLRU(o.CacheSize), minRefresh: o.MinRefresh,
		refreshes: rate.NewLimiter(rate.Every(o.RefreshEvery), o.RefreshBurst),
		firsts:    rate.NewLimiter(rate.Every(firstFetchEvery), firstFetchBurst),
		now:       o.Now, flights: map[string]*flight{}, failed: map[string]time.Time{},
	}
}

// Key returns the key a keyId names.
func (r *Resolver) Key(ctx context.Context, keyID string) (*Remote, error) {
	if k := r.cache.get(keyID); k != nil {
		return k, nil
	}
	rk, err := r.st.Remote(ctx, keyID)
	if err == nil {
		pub, perr := ParsePublicPEM(rk.PublicPEM)
		if perr == nil {
			k := &Remote{KeyID: keyID, Owner: rk.Owner, Public: pub, FetchedAt: rk.FetchedAt}
			r.cache.put(k)
			return k, nil
		}
		// A stored key we cannot read: fetch it again.
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return r.fetchOnce(ctx, keyID)
}

// Refresh fetches a key again after a verification with the known key
// failed: the remote actor may have rotated it. It refuses (ErrRefreshLimited,
// nothing fetched) when the known key is younger than MinRefresh or when
// refreshes of all keys exceed their rate.
func (r *Resolver) Refresh(ctx context.Context, keyID string) (*Remote, error) {
	if k, err := r.Key(ctx, keyID); err != nil {
		return nil, err
	} else if r.now().Sub(k.FetchedAt) < r.minRefresh {
		return nil, fmt.Errorf("%s fetched at %s: %w", keyID, k.FetchedAt.Format(time.RFC3339), ErrRefreshLimited)
	}
	if !r.refreshes.AllowN(r.now(), 1) {
		return nil, ErrRefreshLimited
	}
	return r.fetchOnce(ctx, keyID)
}

// Forget drops a remote actor's keys, in memory and stored (the actor was
// deleted).
func (r *Resolver) Forget(ctx context.Context, owner string) error {
	r.cache.dropOwner(owner)
	return r.st.DeleteRemoteOwner(ctx, owner)
}

// fetchOnce fetches a key, sharing the fetch with concurrent callers for
// the same keyId.
func (r *Resolver) fetchOnce(ctx context.Context, keyID string) (*Remote, error) {
	r.mu.Lock()
	if f, ok := r.flights[keyID]; ok {
		r.mu.Unlock()
		select {
		case <-f.done:
			return f.key, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if at, ok := r.failed[keyID]; ok && r.now().Sub(at) < failedFor {
		r.mu.Unlock()
		return nil, ErrFetchLimited
	}
	if !r.firsts.AllowN(r.now(), 1) {
		r.mu.Unlock()
		return nil, ErrFetchLimited
	}
	f := &flight{done: make(chan struct{})}
	r.flights[keyID] = f
	r.mu.Unlock()

	f.key, f.err = r.resolve(ctx, keyID)
	if f.err == nil {
		r.cache.put(f.key)
	}
	r.mu.Lock()
	delete(r.flights, keyID)
	switch {
	case f.err == nil:
		delete(r.failed, keyID)
	case ctx.Err() == nil: // a caller that went away says nothing of the key
		if len(r.failed) >= maxFailed {
			clear(r.failed)
		}
		r.failed[keyID] = r.now()
	}
	r.mu.Unlock()
	close(f.done)
	return f.key, f.err
}

// resolve fetches the keyId's document and, unless it is the owner's full
// actor (Mastodon's and PeerTube's actor#main-key), the owner's document,
// which must list the same keyId (GoToSocial's …/main-key stub, without an
// inbox): a document anyone can serve cannot name a key for someone else.
func (r *Resolver) resolve(ctx context.Context, keyID string) (*Remote, error) {
	docURL, err := documentURL(keyID)
	if err != nil {
		return nil, err
	}
	d, err := r.document(ctx, docURL)
	if err != nil {
		return nil, err
	}
	k, ok := d.key(keyID)
	if !ok {
		return nil, fmt.Errorf("%s: %w", keyID, ErrKeyNotFound)
	}
	owner := k.Owner
	if owner == "" {
		owner = d.ID
	}
	if owner == "" {
		return nil, fmt.Errorf("%s: no owner: %w", keyID, ErrKeyNotFound)
	}
	if !(owner == d.ID && d.ID == docURL && d.Inbox != "") {
		ownerURL, err := documentURL(owner)
		if err != nil || ownerURL != owner {
			return nil, fmt.Errorf("%s: owner %q: %w", keyID, owner, ErrOwnerMismatch)
		}
		od, err := r.document(ctx, owner)
		if err != nil {
			return nil, fmt.Errorf("owner of %s: %w", keyID, err)
		}
		ok := false
		if od.ID == owner {
			k, ok = od.key(keyID)
		}
		if !ok {
			return nil, fmt.Errorf("%s: owner %s: %w", keyID, owner, ErrOwnerMismatch)
		}
	}
	pub, err := ParsePublicPEM(k.PublicKeyPem)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyID, err)
	}
	pemSPKI, err := EncodePublicPEM(pub)
	if err != nil {
		return nil, err
	}
	rk := &Remote{KeyID: keyID, Owner: owner, Public: pub, FetchedAt: r.now()}
	if err := r.st.PutRemote(ctx, store.RemoteKey{KeyID: keyID, Owner: owner, PublicPEM: pemSPKI, FetchedAt: rk.FetchedAt}); err != nil {
		return nil, err
	}
	return rk, nil
}

func (r *Resolver) document(ctx context.Context, iri string) (*document, error) {
	body, err := r.fetch.Fetch(ctx, iri)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	return parseDocument(body)
}

// documentURL is the keyId without its fragment: where its document is.
func documentURL(keyID string) (string, error) {
	u, err := url.Parse(keyID)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%q: %w", keyID, ErrBadKeyID)
	}
	s, _, _ := strings.Cut(keyID, "#")
	return s, nil
}

// document is what the resolver reads of an actor, a key stub or a bare
// Key object.
type document struct {
	ID    string `json:"id"`
	Inbox string `json:"inbox"`
	// A bare Key object carries these at the top.
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
	// publicKey is one object or an array of them.
	PublicKey json.RawMessage `json:"publicKey"`
}

type keyObject struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

func parseDocument(body []byte) (*document, error) {
	var d document
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("actor document: %w", err)
	}
	return &d, nil
}

// key finds the key with that id in the document.
func (d *document) key(keyID string) (keyObject, bool) {
	if d.PublicKeyPem != "" && d.ID == keyID {
		return keyObject{ID: d.ID, Owner: d.Owner, PublicKeyPem: d.PublicKeyPem}, true
	}
	var many []keyObject
	if len(d.PublicKey) > 0 && d.PublicKey[0] == '[' {
		if json.Unmarshal(d.PublicKey, &many) != nil {
			return keyObject{}, false
		}
	} else {
		var one keyObject
		if json.Unmarshal(d.PublicKey, &one) != nil {
			return keyObject{}, false
		}
		many = []keyObject{one}
	}
	for _, k := range many {
		if k.ID == keyID && k.PublicKeyPem != "" {
			return k, true
		}
	}
	return keyObject{}, false
}
