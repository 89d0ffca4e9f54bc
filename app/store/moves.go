package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Moves (migration 0023): the aliases a local account or channel lists in
// alsoKnownAs, and where it moved to. Kinds are the keys' ("account",
// "channel").
type Moves struct{ base }

// Moves returns the moves aggregate on the pool.
func (s *Store) Moves() *Moves {
	return &Moves{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// Moved is where a local actor moved to: the new actor's IRI and page.
type Moved struct {
	IRI string
	URL string
	At  time.Time
}

// Aliases lists the IRIs a local actor is also known as, oldest first.
func (m *Moves) Aliases(ctx context.Context, kind string, id int64) ([]string, error) {
	rows, err := m.q.QueryContext(ctx, `SELECT iri FROM actor_aliases WHERE actor_kind = ? AND actor_id = ?
		ORDER BY created_at, iri`, kind, id)
	if err != nil {
		return nil, fmt.Errorf("aliases of %s %d: %w", kind, id, classify(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var iri string
		if err := rows.Scan(&iri); err != nil {
			return nil, err
		}
		out = append(out, iri)
	}
	return out, rows.Err()
}

// AddAlias adds an IRI to a local actor's aliases (again: no-op).
func (m *Moves) AddAlias(ctx context.Context, kind string, id int64, iri string) error {
	_, err := m.q.ExecContext(ctx, `INSERT INTO actor_aliases(actor_kind, actor_id, iri, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, kind, id, iri, now())
	if err != nil {
		return fmt.Errorf("alias of %s %d: %w", kind, id, classify(err))
	}
	return nil
}

// RemoveAlias removes an alias; ErrNotFound when it was not there.
func (m *Moves) RemoveAlias(ctx context.Context, kind string, id int64, iri string) error {
	res, err := m.q.ExecContext(ctx, `DELETE FROM actor_aliases WHERE actor_kind = ? AND actor_id = ? AND iri = ?`, kind, id, iri)
	return affected(res, err, "remove alias")
}

// MovedTo is where a local actor moved; ErrNotFound when it has not.
func (m *Moves) MovedTo(ctx context.Context, kind string, id int64) (Moved, error) {
	var mv Moved
	var at int64
	err := m.q.QueryRowContext(ctx, `SELECT moved_to, moved_url, moved_at FROM actor_moves WHERE actor_kind = ? AND actor_id = ?`,
		kind, id).Scan(&mv.IRI, &mv.URL, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Moved{}, ErrNotFound
	}
	if err != nil {
		return Moved{}, fmt.Errorf("move of %s %d: %w", kind, id, classify(err))
	}
	mv.At = time.UnixMilli(at)
	return mv, nil
}

// SetMoved records that a local actor moved to iri (its page url); a
// later move replaces it.
func (m *Moves) SetMoved(ctx context.Context, kind string, id int64, iri, url string) error {
	_, err := m.q.ExecContext(ctx, `INSERT INTO actor_moves(actor_kind, actor_id, moved_to, moved_url, moved_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (actor_kind, actor_id) DO UPDATE SET moved_to = excluded.moved_to, moved_url = excluded.moved_url,
		moved_at = excluded.moved_at`, kind, id, iri, url, now())
	if err != nil {
		return fmt.Errorf("move of %s %d: %w", kind, id, classify(err))
	}
	return nil
}

// FollowingOfActor lists the local follows of a remote actor (every
// follower kind), oldest first: those a Move of that actor carries over.
func (f *Follows) FollowingOfActor(ctx context.Context, actorIRI string) ([]Following, error) {
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteActorCols+`, `+followingCols+`
		FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id WHERE r.iri = ? ORDER BY g.id`, actorIRI)
	if err != nil {
		return nil, fmt.Errorf("following of %s: %w", actorIRI, classify(err))
	}
	defer rows.Close()
	var out []Following
	for rows.Next() {
		g, err := scanFollowing(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// KeepSubscriptionTime gives an account's subscription to the channel of
// actor toIRI the date of its subscription to the channel of fromIRI, so
// that a moved channel keeps its place in the subscriptions' order.
func (t *FollowsTx) KeepSubscriptionTime(ctx context.Context, accountID int64, fromIRI, toIRI string) error {
	_, err := t.q.ExecContext(ctx, `UPDATE subscriptions SET created_at = COALESCE((SELECT s.created_at FROM subscriptions s
			JOIN channels c ON c.id = s.channel_id JOIN remote_actors r ON r.id = c.remote_actor_id
			WHERE s.account_id = ? AND r.iri = ?), created_at)
		WHERE account_id = ? AND channel_id IN (SELECT c.id FROM channels c JOIN remote_actors r ON r.id = c.remote_actor_id WHERE r.iri = ?)`,
		accountID, fromIRI, accountID, toIRI)
	if err != nil {
		return fmt.Errorf("keep subscription date: %w", classify(err))
	}
	return nil
}

// SubscribeInPlaceOf subscribes an account to a local channel with the
// date of its subscription to the remote channel fromIRI (a remote
// creator who moved here keeps their subscribers' order); an existing
// subscription to the local channel stays as it is.
func (t *FollowsTx) SubscribeInPlaceOf(ctx context.Context, accountID, channelID int64, fromIRI string) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO subscriptions(account_id, channel_id, created_at)
		VALUES (?, ?, COALESCE((SELECT s.created_at FROM subscriptions s JOIN channels c ON c.id = s.channel_id
			JOIN remote_actors r ON r.id = c.remote_actor_id WHERE s.account_id = ? AND r.iri = ?), ?))
		ON CONFLICT (account_id, channel_id) DO NOTHING`, accountID, channelID, accountID, fromIRI, now())
	if err != nil {
		return fmt.Errorf("subscribe account %d to channel %d: %w", accountID, channelID, classify(err))
	}
	return nil
}

// SubscriptionTime is when the account subscribed to the channel (zero
// time and ErrNotFound when it has not).
func (s *Subscriptions) SubscriptionTime(ctx context.Context, accountID, channelID int64) (time.Time, error) {
	var at int64
	err := s.q.QueryRowContext(ctx, `SELECT created_at FROM subscriptions WHERE account_id = ? AND channel_id = ?`, accountID, channelID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotFound
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("subscription: %w", classify(err))
	}
	return time.UnixMilli(at), nil
}

// SetSubscriptionTime dates an account's subscription to a channel (a
// moved channel's subscribers keep their order).
func (s *Subscriptions) SetSubscriptionTime(ctx context.Context, accountID, channelID int64, at time.Time) error {
	defer s.counts.invalidate()
	res, err := s.q.ExecContext(ctx, `UPDATE subscriptions SET created_at = ? WHERE account_id = ? AND channel_id = ?`,
		at.UnixMilli(), accountID, channelID)
	return affected(res, err, "date subscription")
}
