package store

import (
	"cabane.dev/cabane/app/model"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Follows is the federation inbox's aggregate: remote actors, who follows
// local actors, and the activities already processed
// (app/federation/inbox decides; this keeps).
type Follows struct{ base }

// Follows returns the follows aggregate on the pool.
func (s *Store) Follows() *Follows {
	return &Follows{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// The follows' types live in app/model, where the web layer reads them
// without reaching the store.
type (
	RemoteActor = model.RemoteActor
	Follow      = model.Follow
)

// Follow states.
const (
	FollowPending  = model.FollowPending
	FollowAccepted = model.FollowAccepted
)

// FollowTarget names a local actor.
type FollowTarget struct {
	Kind string
	ID   int64
}

const remoteActorCols = `r.id, r.iri, r.type, r.preferred_username, r.host, r.name, r.summary, r.inbox, r.shared_inbox,
	r.followers, r.outbox, r.url, r.icon, r.fetched_at`

func scanRemoteActor(sc interface{ Scan(...any) error }, extra ...any) (RemoteActor, error) {
	var a RemoteActor
	var fetched int64
	dest := append([]any{&a.ID, &a.IRI, &a.Type, &a.PreferredUsername, &a.Host, &a.Name, &a.Summary, &a.Inbox,
		&a.SharedInbox, &a.Followers, &a.Outbox, &a.URL, &a.Icon, &fetched}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return RemoteActor{}, err
	}
	a.FetchedAt = time.UnixMilli(fetched)
	return a, nil
}

// RemoteActor returns a stored remote actor by IRI; ErrNotFound if unknown.
func (f *Follows) RemoteActor(ctx context.Context, iri string) (RemoteActor, error) {
	a, err := scanRemoteActor(f.q.QueryRowContext(ctx, `SELECT `+remoteActorCols+` FROM remote_actors r WHERE r.iri = ?`, iri))
	if errors.Is(err, sql.ErrNoRows) {
		return RemoteActor{}, ErrNotFound
	}
	if err != nil {
		return RemoteActor{}, fmt.Errorf("remote actor %s: %w", iri, classify(err))
	}
	return a, nil
}

// HostBlocked says whether the server (owner 0) blocks a host.
func (f *Follows) HostBlocked(ctx context.Context, host string) (bool, error) {
	var n int
	err := f.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM server_blocks WHERE owner_account_id = 0 AND host = ?`,
		strings.ToLower(host)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("server block of %s: %w", host, classify(err))
	}
	return n > 0, nil
}

const followCols = `f.id, f.target_kind, f.target_id, f.state, f.activity_id, f.created_at`

func scanFollow(sc interface{ Scan(...any) error }) (Follow, error) {
	var fo Follow
	var created int64
	a, err := scanRemoteActor(sc, &fo.ID, &fo.TargetKind, &fo.TargetID, &fo.State, &fo.ActivityID, &created)
	if err != nil {
		return Follow{}, err
	}
	fo.Follower, fo.CreatedAt = a, time.UnixMilli(created)
	return fo, nil
}

// Followers lists the followers of local actors (an account and its
// channels, say) in a state ("" for both), newest first, with their
// total. A remote actor following two of them is listed twice, once per
// follow, as PeerTube lists them.
func (f *Follows) Followers(ctx context.Context, targets []FollowTarget, state string, offset, limit int) ([]Follow, int, error) {
	if len(targets) == 0 {
		return []Follow{}, 0, nil
	}
	where, args := targetsCond(targets)
	if state != "" {
		where += ` AND f.state = ?`
		args = append(args, state)
	}
	var total int
	if err := f.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM follows f WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count followers: %w", classify(err))
	}
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteActorCols+`, `+followCols+` FROM follows f JOIN remote_actors r ON r.id = f.remote_actor_id
		WHERE `+where+` ORDER BY f.created_at DESC, f.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list followers: %w", classify(err))
	}
	defer rows.Close()
	out := []Follow{}
	for rows.Next() {
		fo, err := scanFollow(rows)
		if err != nil {
			return nil, 0, classify(err)
		}
		out = append(out, fo)
	}
	return out, total, classify(rows.Err())
}

// targetsCond is the condition "the follow is of one of targets".
func targetsCond(targets []FollowTarget) (string, []any) {
	var cond strings.Builder
	args := make([]any, 0, 2*len(targets))
	cond.WriteString("(")
	for i, t := range targets {
		if i > 0 {
			cond.WriteString(" OR ")
		}
		cond.WriteString("(f.target_kind = ? AND f.target_id = ?)")
		args = append(args, t.Kind, t.ID)
	}
	cond.WriteString(")")
	return cond.String(), args
}

// FollowByHandle returns the follow of t by the remote actor
// name@host; ErrNotFound when there is none.
func (f *Follows) FollowByHandle(ctx context.Context, name, host string, t FollowTarget) (Follow, error) {
	return followWhere(ctx, f.q, `r.preferred_username = ? AND r.host = ? AND f.target_kind = ? AND f.target_id = ?`,
		name, strings.ToLower(host), t.Kind, t.ID)
}

// FollowersCount is how many remote actors a local actor's accepted
// followers are.
func (f *Follows) FollowersCount(ctx context.Context, t FollowTarget) (int, error) {
	var n int
	err := f.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM follows WHERE target_kind = ? AND target_id = ? AND state = 'accepted'`,
		t.Kind, t.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count followers of %s %d: %w", t.Kind, t.ID, classify(err))
	}
	return n, nil
}

// Recipients are the accepted followers of any of targets, each remote
// actor once.
func (f *Follows) Recipients(ctx context.Context, targets []FollowTarget) ([]RemoteActor, error) {
	if len(targets) == 0 {
		return []RemoteActor{}, nil
	}
	cond, args := targetsCond(targets)
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteActorCols+` FROM remote_actors r WHERE r.id IN
		(SELECT f.remote_actor_id FROM follows f WHERE f.state = 'accepted' AND `+cond+`) ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", classify(err))
	}
	defer rows.Close()
	out := []RemoteActor{}
	for rows.Next() {
		a, err := scanRemoteActor(rows)
		if err != nil {
			return nil, classify(err)
		}
		out = append(out, a)
	}
	return out, classify(rows.Err())
}

// FollowByID returns one follow; ErrNotFound when it does not exist.
func (f *Follows) FollowByID(ctx context.Context, id int64) (Follow, error) {
	return followWhere(ctx, f.q, `f.id = ?`, id)
}

// FollowOf returns the follow of a local actor by a remote actor (its
// IRI); ErrNotFound when there is none.
func (f *Follows) FollowOf(ctx context.Context, actorIRI string, t FollowTarget) (Follow, error) {
	return followWhere(ctx, f.q, `r.iri = ? AND f.target_kind = ? AND f.target_id = ?`, actorIRI, t.Kind, t.ID)
}

func followWhere(ctx context.Context, q dbtx, where string, args ...any) (Follow, error) {
	fo, err := scanFollow(q.QueryRowContext(ctx, `SELECT `+remoteActorCols+`, `+followCols+`
		FROM follows f JOIN remote_actors r ON r.id = f.remote_actor_id WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Follow{}, ErrNotFound
	}
	if err != nil {
		return Follow{}, fmt.Errorf("follow: %w", classify(err))
	}
	return fo, nil
}

// AcceptFollow marks a pending follow accepted (the creator approved
// it) and returns it; ErrNotFound when it is gone.
func (f *Follows) AcceptFollow(ctx context.Context, id int64) (Follow, error) {
	var fo Follow
	err := f.atomic(ctx, func(q dbtx) error {
		res, err := q.ExecContext(ctx, `UPDATE follows SET state = 'accepted' WHERE id = ?`, id)
		if err := affected(res, err, "accept follow"); err != nil {
			return err
		}
		fo, err = followWhere(ctx, q, `f.id = ?`, id)
		return err
	})
	return fo, err
}

// RemoveFollow deletes a follow (rejected by the creator) and returns
// what it was; ErrNotFound when it is gone.
func (f *Follows) RemoveFollow(ctx context.Context, id int64) (Follow, error) {
	var fo Follow
	err := f.atomic(ctx, func(q dbtx) error {
		var err error
		if fo, err = followWhere(ctx, q, `f.id = ?`, id); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `DELETE FROM follows WHERE id = ?`, id)
		return classify(err)
	})
	return fo, err
}

// ManualFollowers says whether a channel's creator approves followers by
// hand.
func (f *Follows) ManualFollowers(ctx context.Context, channelID int64) (bool, error) {
	var on bool
	err := f.q.QueryRowContext(ctx, `SELECT manual_followers FROM channels WHERE id = ?`, channelID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("follower policy of channel %d: %w", channelID, classify(err))
	}
	return on, nil
}

// SetManualFollowers sets it.
func (f *Follows) SetManualFollowers(ctx context.Context, channelID int64, on bool) error {
	res, err := f.q.ExecContext(ctx, `UPDATE channels SET manual_followers = ? WHERE id = ?`, on, channelID)
	return affected(res, err, "set follower policy")
}

// PruneSeen forgets processed activity ids older than before; it returns
// how many.
func (f *Follows) PruneSeen(ctx context.Context, before time.Time) (int64, error) {
	res, err := f.q.ExecContext(ctx, `DELETE FROM inbox_seen WHERE seen_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune seen activities: %w", classify(err))
	}
	return res.RowsAffected()
}

// Unsee forgets that an activity was processed, so that the sender's
// retry is processed again (what had to follow its commit failed).
func (f *Follows) Unsee(ctx context.Context, activityID string) error {
	_, err := f.q.ExecContext(ctx, `DELETE FROM inbox_seen WHERE activity_id = ?`, activityID)
	if err != nil {
		return fmt.Errorf("unsee %s: %w", activityID, classify(err))
	}
	return nil
}

// Apply processes one activity in one transaction: it records the
// activity's id as seen and runs fn, or, when the id was seen before,
// runs nothing and reports dup. An error from fn rolls everything back,
// the id included, so that a retry is processed afresh.
func (f *Follows) Apply(ctx context.Context, activityID string, fn func(tx *FollowsTx) error) (dup bool, err error) {
	tx := &FollowsTx{}
	err = f.atomic(ctx, func(q dbtx) error {
		if t, ok := q.(*sql.Tx); ok {
			q = cachedTx(t, f.q) // one transaction per activity: its statements prepared once
		}
		res, err := q.ExecContext(ctx, `INSERT INTO inbox_seen(activity_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, activityID, now())
		if err != nil {
			return fmt.Errorf("mark %s seen: %w", activityID, classify(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			dup = true
			return nil
		}
		tx.q = q
		return fn(tx)
	})
	if tx.videosChanged {
		f.counts.invalidate() // a remote video came or went: listing totals
	}
	return dup, err
}

// FollowsTx is what an activity may change, inside Apply's transaction.
type FollowsTx struct {
	q dbtx
	// videosChanged: a remote video was stored or removed (following.go),
	// so the listing totals are invalidated after the commit.
	videosChanged bool
}

// PutActor stores a remote actor, replacing what was known of it, and
// returns its row id.
func (t *FollowsTx) PutActor(ctx context.Context, a RemoteActor) (int64, error) {
	var id int64
	err := t.q.QueryRowContext(ctx, `INSERT INTO remote_actors(iri, type, preferred_username, host, name, summary, inbox, shared_inbox,
		followers, outbox, url, icon, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(iri) DO UPDATE SET type = excluded.type, preferred_username = excluded.preferred_username, host = excluded.host,
		name = excluded.name, summary = excluded.summary, inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
		followers = excluded.followers, outbox = excluded.outbox, url = excluded.url, icon = excluded.icon, fetched_at = excluded.fetched_at
		RETURNING id`,
		a.IRI, a.Type, a.PreferredUsername, strings.ToLower(a.Host), a.Name, a.Summary, a.Inbox, a.SharedInbox, a.Followers, a.Outbox,
		a.URL, a.Icon, a.FetchedAt.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store remote actor %s: %w", a.IRI, classify(err))
	}
	return id, nil
}

// PutFollow records that the actor (its row id) follows t, in state,
// after the Follow activityID. A follow that exists keeps its state
// unless state is accepted (a re-sent Follow of an accepted follow stays
// accepted; of a pending one, pending), and takes the new activity id,
// which the Accept will name. It returns the follow.
func (t *FollowsTx) PutFollow(ctx context.Context, actorID int64, target FollowTarget, state, activityID string) (Follow, error) {
	_, err := t.q.ExecContext(ctx, `INSERT INTO follows(remote_actor_id, target_kind, target_id, state, activity_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(remote_actor_id, target_kind, target_id) DO UPDATE SET activity_id = excluded.activity_id,
		state = CASE WHEN follows.state = 'accepted' THEN 'accepted' ELSE excluded.state END`,
		actorID, target.Kind, target.ID, state, activityID, now())
	if err != nil {
		return Follow{}, fmt.Errorf("store follow of %s %d: %w", target.Kind, target.ID, classify(err))
	}
	return followWhere(ctx, t.q, `f.remote_actor_id = ? AND f.target_kind = ? AND f.target_id = ?`, actorID, target.Kind, target.ID)
}

// DeleteFollow removes the actor's (IRI) follow of target; ErrNotFound
// when there was none.
func (t *FollowsTx) DeleteFollow(ctx context.Context, actorIRI string, target FollowTarget) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM follows WHERE target_kind = ? AND target_id = ?
		AND remote_actor_id = (SELECT id FROM remote_actors WHERE iri = ?)`, target.Kind, target.ID, actorIRI)
	return affected(res, err, "delete follow")
}

// DeleteFollowByActivity removes the actor's follow that the Follow
// activityID made; ErrNotFound when there is none.
func (t *FollowsTx) DeleteFollowByActivity(ctx context.Context, actorIRI, activityID string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM follows WHERE activity_id = ?
		AND remote_actor_id = (SELECT id FROM remote_actors WHERE iri = ?)`, activityID, actorIRI)
	return affected(res, err, "delete follow")
}

// UpdateActor replaces what is known of a stored remote actor;
// ErrNotFound when it is not stored (nothing to refresh).
func (t *FollowsTx) UpdateActor(ctx context.Context, a RemoteActor) error {
	res, err := t.q.ExecContext(ctx, `UPDATE remote_actors SET type = ?, preferred_username = ?, host = ?, name = ?, summary = ?,
		inbox = ?, shared_inbox = ?, followers = ?, outbox = ?, url = ?, icon = ?, fetched_at = ? WHERE iri = ?`,
		a.Type, a.PreferredUsername, strings.ToLower(a.Host), a.Name, a.Summary, a.Inbox, a.SharedInbox, a.Followers, a.Outbox,
		a.URL, a.Icon, a.FetchedAt.UnixMilli(), a.IRI)
	return affected(res, err, "update remote actor")
}

// DeleteActor forgets a remote actor and its follows; ErrNotFound when
// it was not stored.
func (t *FollowsTx) DeleteActor(ctx context.Context, iri string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM remote_actors WHERE iri = ?`, iri)
	return affected(res, err, "delete remote actor")
}
