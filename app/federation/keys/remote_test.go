package keys

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/store"
)

// docs is a fake fetcher: documents by URL, with a count of fetches.
type docs struct {
	mu      sync.Mutex
	byURL   map[string][]byte
	fetched map[string]int
	gate    chan struct{} // when set, each fetch waits on it
}

func newDocs() *docs { return &docs{byURL: map[string][]byte{}, fetched: map[string]int{}} }

func (d *docs) Fetch(ctx context.Context, iri string) ([]byte, error) {
	if d.gate != nil {
		<-d.gate
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fetched[iri]++
	b, ok := d.byURL[iri]
	if !ok {
		return nil, fmt.Errorf("404 Not Found")
	}
	return b, nil
}

func (d *docs) set(iri string, v any) {
	b, _ := json.Marshal(v)
	d.mu.Lock()
	d.byURL[iri] = b
	d.mu.Unlock()
}

func (d *docs) count(iri string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fetched[iri]
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time       { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration)  { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock                { return &clock{t: time.Unix(1_800_000_000, 0)} }
func actor(id, keyID, pem string) any { return actorWithInbox(id, keyID, pem, id+"/inbox") }
func actorWithInbox(id, keyID, pem, inbox string) map[string]any {
	m := map[string]any{"id": id, "type": "Person", "publicKey": map[string]any{"id": keyID, "owner": id, "publicKeyPem": pem}}
	if inbox != "" {
		m["inbox"] = inbox
	}
	return m
}

func testKey(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := EncodePublicPEM(&k.PublicKey)
	return k, p
}

func TestResolverFullActorDocuments(t *testing.T) {
	ctx := context.Background()
	for _, fx := range []string{"lemmy-fixture-peertube-objects-person.json", "lemmy-fixture-mastodon-objects-person.json", "captured-pt-instance-actor-ap.json"} {
		t.Run(fx, func(t *testing.T) {
			var a struct {
				ID        string
				PublicKey struct{ ID, Owner, PublicKeyPem string }
			}
			raw := readJSON(t, fx, &a)
			d := newDocs()
			d.byURL[a.ID] = raw
			r := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{})
			k, err := r.Key(ctx, a.PublicKey.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ParsePublicPEM(a.PublicKey.PublicKeyPem)
			if k.Owner != a.ID || !k.Public.Equal(want) || k.KeyID != a.PublicKey.ID {
				t.Errorf("got %+v, want owner %s", k, a.ID)
			}
			if n := d.count(a.ID); n != 1 {
				t.Errorf("%d fetches of the actor, want 1 (its own document names the key)", n)
			}
		})
	}
}

func TestResolverGoToSocialStubLeadsToOwner(t *testing.T) {
	ctx := context.Background()
	var stub struct {
		ID        string
		PublicKey struct{ ID, Owner, PublicKeyPem string }
	}
	raw := readJSON(t, "captured-gts-main-key-stub.json", &stub)
	keyID := stub.PublicKey.ID // …/users/tester/main-key: no fragment
	if strings.Contains(keyID, "#") || stub.ID == keyID {
		t.Fatalf("fixture changed: keyId %s, id %s", keyID, stub.ID)
	}
	d := newDocs()
	d.byURL[keyID] = raw
	d.set(stub.ID, actor(stub.ID, keyID, stub.PublicKey.PublicKeyPem))
	r := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{})
	k, err := r.Key(ctx, keyID)
	if err != nil {
		t.Fatal(err)
	}
	if k.Owner != stub.PublicKey.Owner || k.Owner != "http://localhost:18080/users/tester" {
		t.Errorf("owner %q", k.Owner)
	}
	if d.count(keyID) != 1 || d.count(stub.ID) != 1 {
		t.Errorf("fetches: stub %d, owner %d; want 1 each", d.count(keyID), d.count(stub.ID))
	}

	// An owner that does not list the key: refused.
	d2 := newDocs()
	d2.byURL[keyID] = raw
	_, other := testKey(t)
	d2.set(stub.ID, actor(stub.ID, stub.ID+"#other-key", other))
	if _, err := NewResolver(d2, openStore(t).ActorKeys(), ResolverOptions{}).Key(ctx, keyID); !errors.Is(err, ErrOwnerMismatch) {
		t.Errorf("owner without the key: %v, want ErrOwnerMismatch", err)
	}
}

func TestResolverRefusesAKeyClaimedForSomeoneElse(t *testing.T) {
	ctx := context.Background()
	_, evilPEM := testKey(t)
	_, victimPEM := testKey(t)
	d := newDocs()
	const victim = "https://victim.example/users/alice"
	// evil.example serves a document claiming to be the victim's actor.
	d.set("https://evil.example/actor", map[string]any{
		"id": victim, "inbox": victim + "/inbox",
		"publicKey": map[string]any{"id": "https://evil.example/actor#main-key", "owner": victim, "publicKeyPem": evilPEM},
	})
	d.set(victim, actor(victim, victim+"#main-key", victimPEM))
	_, err := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{}).Key(ctx, "https://evil.example/actor#main-key")
	if !errors.Is(err, ErrOwnerMismatch) {
		t.Fatalf("got %v, want ErrOwnerMismatch", err)
	}
	for _, bad := range []string{"ftp://x.example/a#k", "/users/a#main-key", "https://user:pw@x.example/a#k", "not a url"} {
		if _, err := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{}).Key(ctx, bad); !errors.Is(err, ErrBadKeyID) {
			t.Errorf("%q: %v, want ErrBadKeyID", bad, err)
		}
	}
	// A document without that key.
	if _, err := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{}).Key(ctx, victim+"#other"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("absent key: %v, want ErrKeyNotFound", err)
	}
}

func TestResolverKeyArrayAndBareKeyObject(t *testing.T) {
	ctx := context.Background()
	_, p1 := testKey(t)
	_, p2 := testKey(t)
	const a = "https://misskey.example/users/9x"
	d := newDocs()
	d.set(a, map[string]any{"id": a, "inbox": a + "/inbox", "publicKey": []any{
		map[string]any{"id": a + "#main-key", "owner": a, "publicKeyPem": p1},
		map[string]any{"id": a + "#ed25519-key", "owner": a, "publicKeyPem": p2},
	}})
	k, err := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{}).Key(ctx, a+"#ed25519-key")
	want, _ := ParsePublicPEM(p2)
	if err != nil || !k.Public.Equal(want) {
		t.Fatalf("second key of an array: %v", err)
	}
	// A bare Key object at its own URL, whose owner lists it.
	const b = "https://other.example/users/bob"
	d.set(b+"/key", map[string]any{"id": b + "/key", "type": "Key", "owner": b, "publicKeyPem": p1})
	d.set(b, actor(b, b+"/key", p1))
	k, err = NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{}).Key(ctx, b+"/key")
	if err != nil || k.Owner != b {
		t.Fatalf("bare Key: %+v %v", k, err)
	}
}

func TestResolverCachesInMemoryAndInTheStore(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	_, pemA := testKey(t)
	const a = "https://pt.example/accounts/a"
	d := newDocs()
	d.set(a, actor(a, a+"#main-key", pemA))
	r := NewResolver(d, st.ActorKeys(), ResolverOptions{})
	for range 3 {
		if _, err := r.Key(ctx, a+"#main-key"); err != nil {
			t.Fatal(err)
		}
	}
	if n := d.count(a); n != 1 {
		t.Errorf("%d fetches for three lookups, want 1", n)
	}
	stored, err := st.ActorKeys().Remote(ctx, a+"#main-key")
	if err != nil || stored.Owner != a || !strings.HasPrefix(stored.PublicPEM, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("stored: %+v %v", stored, err)
	}
	// After a restart: from the store, no fetch.
	r2 := NewResolver(d, st.ActorKeys(), ResolverOptions{})
	k, err := r2.Key(ctx, a+"#main-key")
	if err != nil || k.Owner != a || d.count(a) != 1 {
		t.Fatalf("after restart: %v, %d fetches", err, d.count(a))
	}
}

func TestResolverForgetsADeletedActor(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	_, pemA := testKey(t)
	const a, b = "https://pt.example/accounts/a", "https://pt.example/accounts/b"
	d := newDocs()
	d.set(a, actor(a, a+"#main-key", pemA))
	d.set(b, actor(b, b+"#main-key", pemA))
	r := NewResolver(d, st.ActorKeys(), ResolverOptions{})
	for _, id := range []string{a, b} {
		if _, err := r.Key(ctx, id+"#main-key"); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Forget(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ActorKeys().Remote(ctx, a+"#main-key"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a's key still stored: %v", err)
	}
	if _, err := r.Key(ctx, a+"#main-key"); err != nil || d.count(a) != 2 {
		t.Errorf("a's key still in memory: %v, %d fetches", err, d.count(a))
	}
	if _, err := r.Key(ctx, b+"#main-key"); err != nil || d.count(b) != 1 {
		t.Errorf("b's key lost: %v, %d fetches", err, d.count(b))
	}
}

func TestResolverSharesConcurrentFetches(t *testing.T) {
	ctx := context.Background()
	_, pemA := testKey(t)
	const a = "https://pt.example/accounts/a"
	d := newDocs()
	d.set(a, actor(a, a+"#main-key", pemA))
	d.gate = make(chan struct{})
	r := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := r.Key(ctx, a+"#main-key"); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond) // let them pile up on the one flight
	close(d.gate)
	wg.Wait()
	if n := d.count(a); n != 1 {
		t.Errorf("%d fetches for 8 concurrent lookups, want 1", n)
	}
}

func TestResolverRefreshIsRateLimited(t *testing.T) {
	ctx := context.Background()
	_, oldPEM := testKey(t)
	_, newPEM := testKey(t)
	const a = "https://masto.example/users/a"
	d := newDocs()
	d.set(a, actor(a, a+"#main-key", oldPEM))
	c := newClock()
	r := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{Now: c.now, MinRefresh: time.Minute, RefreshEvery: time.Hour, RefreshBurst: 1})
	if _, err := r.Key(ctx, a+"#main-key"); err != nil {
		t.Fatal(err)
	}
	d.set(a, actor(a, a+"#main-key", newPEM)) // rotated

	// Just fetched: a failed verification does not refetch.
	if _, err := r.Refresh(ctx, a+"#main-key"); !errors.Is(err, ErrRefreshLimited) {
		t.Fatalf("refresh of a fresh key: %v, want ErrRefreshLimited", err)
	}
	if n := d.count(a); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	c.add(2 * time.Minute)
	k, err := r.Refresh(ctx, a+"#main-key")
	want, _ := ParsePublicPEM(newPEM)
	if err != nil || !k.Public.Equal(want) {
		t.Fatalf("refresh after a minute: %v", err)
	}
	if got, _ := r.Key(ctx, a+"#main-key"); !got.Public.Equal(want) {
		t.Error("the cache still holds the old key")
	}
	// The global budget (one an hour here) is spent: even an old key waits.
	const b = "https://masto.example/users/b"
	d.set(b, actor(b, b+"#main-key", oldPEM))
	if _, err := r.Key(ctx, b+"#main-key"); err != nil {
		t.Fatal(err)
	}
	c.add(2 * time.Minute)
	if _, err := r.Refresh(ctx, b+"#main-key"); !errors.Is(err, ErrRefreshLimited) {
		t.Errorf("refresh over the global rate: %v, want ErrRefreshLimited", err)
	}
	if n := d.count(b); n != 1 {
		t.Errorf("%d fetches of b, want 1", n)
	}
}

func TestLRUDropsLeastRecentlyUsed(t *testing.T) {
	c := newLRU(2)
	c.put(&Remote{KeyID: "a"})
	c.put(&Remote{KeyID: "b"})
	c.get("a") // a is now more recent than b
	c.put(&Remote{KeyID: "c"})
	if c.get("b") != nil || c.get("a") == nil || c.get("c") == nil || c.len() != 2 {
		t.Errorf("after overflow: a %v b %v c %v, len %d", c.get("a") != nil, c.get("b") != nil, c.get("c") != nil, c.len())
	}
	c.put(&Remote{KeyID: "c", Owner: "new"})
	if c.get("c").Owner != "new" || c.len() != 2 {
		t.Error("replacing a key grew the cache or kept the old value")
	}
}

var _ RemoteStore = (*store.ActorKeys)(nil)
var _ LocalStore = (*store.ActorKeys)(nil)

// TestResolverBoundsFetchesOfUnknownKeys: a keyId whose fetch failed is
// not fetched again for a while, and a flood of never-seen keyIds (each
// a request anyone with a well-formed signature can make us send) is cut
// by the first-fetch limit.
func TestResolverBoundsFetchesOfUnknownKeys(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	d := newDocs()
	r := NewResolver(d, openStore(t).ActorKeys(), ResolverOptions{Now: c.now})
	const missing = "https://slow.example/users/nobody"
	if _, err := r.Key(ctx, missing+"#main-key"); err == nil || errors.Is(err, ErrFetchLimited) {
		t.Fatalf("first fetch of a missing actor: %v", err)
	}
	if _, err := r.Key(ctx, missing+"#main-key"); !errors.Is(err, ErrFetchLimited) {
		t.Errorf("second try at once: %v, want ErrFetchLimited", err)
	}
	if n := d.count(missing); n != 1 {
		t.Errorf("%d fetches of a failing key, want 1", n)
	}
	c.add(failedFor + time.Second)
	r.Key(ctx, missing+"#main-key")
	if n := d.count(missing); n != 2 {
		t.Errorf("%d fetches after the failure aged, want 2", n)
	}
	limited := 0
	for i := range 2 * firstFetchBurst {
		if _, err := r.Key(ctx, fmt.Sprintf("https://h%d.example/u#main-key", i)); errors.Is(err, ErrFetchLimited) {
			limited++
		}
	}
	if limited < firstFetchBurst-2 {
		t.Errorf("%d of %d never-seen keys refused, want about %d", limited, 2*firstFetchBurst, firstFetchBurst)
	}
}
