package keys

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"

	"cabane.dev/cabane/app/store"
)

// Kind is the kind of a local actor.
type Kind string

// The local actors that sign: PeerTube's accounts (Person), channels
// (Group), and the server actor (Application, /accounts/peertube) that
// follows instances and fetches remote documents.
const (
	Account Kind = "account"
	Channel Kind = "channel"
	Server  Kind = "server"
)

// Actor names a local actor: its kind and the account's or channel's id
// (0 for the server). Keys are kept by this, not by IRI, so that a change
// of public URL keeps them.
type Actor struct {
	Kind Kind
	ID   int64
}

// ServerActor is the instance actor.
var ServerActor = Actor{Kind: Server}

// Pair is a local actor's key pair.
type Pair struct {
	Private   *rsa.PrivateKey
	PublicPEM string // SPKI, for the actor document's publicKeyPem
}

// LocalStore keeps the key pairs (store.ActorKeys).
type LocalStore interface {
	Local(ctx context.Context, kind string, id int64) (store.LocalKey, error)
	AddLocal(ctx context.Context, kind string, id int64, privatePEM, publicPEM string) (store.LocalKey, error)
}

// Bits is the size of generated keys, PeerTube's and Mastodon's.
const Bits = 2048

// Keyring gives each local actor its key pair, generated the first time it
// is asked for and stored before use: a key that remote servers may have
// cached is never replaced. Parsed pairs stay in memory (local actors are
// few).
type Keyring struct {
	st   LocalStore
	bits int

	mu    sync.RWMutex
	pairs map[Actor]*Pair
	// gen is held (a one-slot semaphore, so that waiting honours the
	// context) while a pair is loaded or generated: two first requests for
	// an actor make one key, not two.
	gen chan struct{}
}

// NewKeyring returns a keyring over st.
func NewKeyring(st LocalStore) *Keyring {
	return &Keyring{st: st, bits: Bits, pairs: map[Actor]*Pair{}, gen: make(chan struct{}, 1)}
}

// Get returns the actor's key pair, generating and storing it the first
// time.
func (k *Keyring) Get(ctx context.Context, a Actor) (*Pair, error) {
	if p := k.cached(a); p != nil {
		return p, nil
	}
	select {
	case k.gen <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-k.gen }()
	if p := k.cached(a); p != nil { // made while we waited
		return p, nil
	}
	lk, err := k.st.Local(ctx, string(a.Kind), a.ID)
	if errors.Is(err, store.ErrNotFound) {
		lk, err = k.generate(ctx, a)
	}
	if err != nil {
		return nil, err
	}
	priv, err := ParsePrivatePEM(lk.PrivatePEM)
	if err != nil {
		return nil, fmt.Errorf("key of %s %d: %w", a.Kind, a.ID, err)
	}
	p := &Pair{Private: priv, PublicPEM: lk.PublicPEM}
	k.mu.Lock()
	k.pairs[a] = p
	k.mu.Unlock()
	return p, nil
}

func (k *Keyring) cached(a Actor) *Pair {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.pairs[a]
}

// generate makes a pair and stores it; the store keeps the first pair
// written (another process may have raced us), and that is what we use.
func (k *Keyring) generate(ctx context.Context, a Actor) (store.LocalKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, k.bits)
	if err != nil {
		return store.LocalKey{}, fmt.Errorf("generate key for %s %d: %w", a.Kind, a.ID, err)
	}
	privPEM, err := EncodePrivatePEM(priv)
	if err != nil {
		return store.LocalKey{}, err
	}
	pubPEM, err := EncodePublicPEM(&priv.PublicKey)
	if err != nil {
		return store.LocalKey{}, err
	}
	return k.st.AddLocal(ctx, string(a.Kind), a.ID, privPEM, pubPEM)
}
