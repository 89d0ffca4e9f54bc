package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ActorKeys is the HTTP signature keys aggregate: local actors' key pairs
// and the public keys of remote actors (app/federation/keys decides when to
// generate, fetch and trust them; this only keeps them).
type ActorKeys struct{ base }

// ActorKeys returns the keys aggregate on the pool.
func (s *Store) ActorKeys() *ActorKeys {
	return &ActorKeys{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// LocalKey is a local actor's key pair, as PEM.
type LocalKey struct {
	Kind       string // "account", "channel" or "server"
	ID         int64  // the account's or channel's id; 0 for the server
	PrivatePEM string // PKCS#8
	PublicPEM  string // SPKI
	CreatedAt  time.Time
}

// RemoteKey is a remote actor's public key as last fetched.
type RemoteKey struct {
	KeyID     string
	Owner     string // the actor IRI the key belongs to
	PublicPEM string
	FetchedAt time.Time
}

// Local returns an actor's key pair; ErrNotFound when it has none yet.
func (k *ActorKeys) Local(ctx context.Context, kind string, id int64) (LocalKey, error) {
	lk := LocalKey{Kind: kind, ID: id}
	var created int64
	err := k.q.QueryRowContext(ctx, `SELECT private_pem, public_pem, created_at FROM actor_keys WHERE actor_kind = ? AND actor_id = ?`,
		kind, id).Scan(&lk.PrivatePEM, &lk.PublicPEM, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return LocalKey{}, ErrNotFound
	}
	if err != nil {
		return LocalKey{}, fmt.Errorf("read key of %s %d: %w", kind, id, classify(err))
	}
	lk.CreatedAt = time.UnixMilli(created)
	return lk, nil
}

// AddLocal stores a key pair for an actor that has none and returns the
// actor's key pair: the one given, or the one stored first when another
// writer (another process, or a racing request) got there before. A key
// pair is never replaced: remote servers cache it. An account or channel
// of another server (a remote_actor_id row) gets none: ErrRemoteActor.
// A row never turns from remote to local, so checking before the insert
// is enough.
func (k *ActorKeys) AddLocal(ctx context.Context, kind string, id int64, privatePEM, publicPEM string) (LocalKey, error) {
	if table, ok := map[string]string{"account": "accounts", "channel": "channels"}[kind]; ok {
		var remote bool
		err := k.q.QueryRowContext(ctx, `SELECT remote_actor_id IS NOT NULL FROM `+table+` WHERE id = ?`, id).Scan(&remote)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return LocalKey{}, fmt.Errorf("key of %s %d: %w", kind, id, classify(err))
		}
		if remote {
			return LocalKey{}, fmt.Errorf("key of %s %d: %w", kind, id, ErrRemoteActor)
		}
	}
	if _, err := k.q.ExecContext(ctx, `INSERT INTO actor_keys(actor_kind, actor_id, private_pem, public_pem, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, kind, id, privatePEM, publicPEM, now()); err != nil {
		return LocalKey{}, fmt.Errorf("store key of %s %d: %w", kind, id, classify(err))
	}
	return k.Local(ctx, kind, id)
}

// DeleteLocal forgets an actor's key pair (when the actor is purged for
// good, after its Delete went out); ErrNotFound when it had none.
func (k *ActorKeys) DeleteLocal(ctx context.Context, kind string, id int64) error {
	res, err := k.q.ExecContext(ctx, `DELETE FROM actor_keys WHERE actor_kind = ? AND actor_id = ?`, kind, id)
	return affected(res, err, "delete actor key")
}

// Remote returns a remote key by its keyId; ErrNotFound when unknown.
func (k *ActorKeys) Remote(ctx context.Context, keyID string) (RemoteKey, error) {
	rk := RemoteKey{KeyID: keyID}
	var fetched int64
	err := k.q.QueryRowContext(ctx, `SELECT owner, public_pem, fetched_at FROM remote_actor_keys WHERE key_id = ?`, keyID).
		Scan(&rk.Owner, &rk.PublicPEM, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return RemoteKey{}, ErrNotFound
	}
	if err != nil {
		return RemoteKey{}, fmt.Errorf("read remote key: %w", classify(err))
	}
	rk.FetchedAt = time.UnixMilli(fetched)
	return rk, nil
}

// PutRemote stores a remote key, replacing what was known under its keyId
// (a rotated key).
func (k *ActorKeys) PutRemote(ctx context.Context, rk RemoteKey) error {
	_, err := k.q.ExecContext(ctx, `INSERT INTO remote_actor_keys(key_id, owner, public_pem, fetched_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(key_id) DO UPDATE SET owner = excluded.owner, public_pem = excluded.public_pem, fetched_at = excluded.fetched_at`,
		rk.KeyID, rk.Owner, rk.PublicPEM, rk.FetchedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store remote key: %w", classify(err))
	}
	return nil
}

// DeleteRemoteOwner forgets the keys of a remote actor (its Delete came).
func (k *ActorKeys) DeleteRemoteOwner(ctx context.Context, owner string) error {
	_, err := k.q.ExecContext(ctx, `DELETE FROM remote_actor_keys WHERE owner = ?`, owner)
	if err != nil {
		return fmt.Errorf("delete remote keys: %w", classify(err))
	}
	return nil
}
