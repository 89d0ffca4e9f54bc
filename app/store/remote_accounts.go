package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"cabane.dev/cabane/app/model"
)

// Remote people and channels are rows of accounts and channels
// (migration 0016), made or refreshed from their remote actor inside the
// inbox's transaction, so that a comment, a rating or a subscription names
// them as it names local ones.

// remoteName is a remote actor's account or channel name: PeerTube's
// handle "<preferredUsername>@<host>", unique as PeerTube's actor
// (preferredUsername, server) is.
func remoteName(a RemoteActor) string { return a.PreferredUsername + "@" + a.Host }

// PutRemoteAccount makes, or refreshes, the account of a stored remote
// actor (its remote_actors row, from PutActor) and returns the account's
// id. When another remote actor already holds the handle (an actor deleted
// and made again under the same name, whose Delete never came), the newer
// one takes a name with its row id appended, so both stay addressable.
func (t *FollowsTx) PutRemoteAccount(ctx context.Context, actorRowID int64, a RemoteActor) (int64, error) {
	return t.putRemote(ctx, "accounts", "account", actorRowID, a, 0)
}

// PutRemoteChannel makes, or refreshes, the channel of a stored remote
// Group, owned by the remote account ownerID (PutRemoteAccount of its
// attributedTo Person), and returns the channel's id.
func (t *FollowsTx) PutRemoteChannel(ctx context.Context, actorRowID, ownerID int64, a RemoteActor) (int64, error) {
	return t.putRemote(ctx, "channels", "channel", actorRowID, a, ownerID)
}

func (t *FollowsTx) putRemote(ctx context.Context, table, kind string, actorRowID int64, a RemoteActor, ownerID int64) (int64, error) {
	display := a.Name
	if display == "" {
		display = a.PreferredUsername
	}
	var id int64
	err := t.q.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE remote_actor_id = ?`, actorRowID).Scan(&id)
	switch {
	case err == nil:
		set, args := `display_name = ?, description = ?`, []any{display, a.Summary}
		if table == "channels" {
			set, args = set+`, account_id = ?`, append(args, ownerID)
		}
		if _, err := t.q.ExecContext(ctx, `UPDATE `+table+` SET `+set+` WHERE id = ?`, append(args, id)...); err != nil {
			return 0, fmt.Errorf("refresh remote %s %s: %w", kind, a.IRI, classify(err))
		}
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("find remote %s %s: %w", kind, a.IRI, classify(err))
	}
	name := remoteName(a)
	var taken int
	if err := t.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE name = ?`, name).Scan(&taken); err != nil {
		return 0, fmt.Errorf("remote %s %s: %w", kind, a.IRI, classify(err))
	}
	if taken > 0 {
		name = a.PreferredUsername + "~" + strconv.FormatInt(actorRowID, 10) + "@" + a.Host
	}
	cols, vals, args := `name, display_name, description, remote_actor_id, created_at`, `?, ?, ?, ?, ?`,
		[]any{name, display, a.Summary, actorRowID, now()}
	if table == "channels" {
		cols, vals, args = cols+`, account_id`, vals+`, ?`, append(args, ownerID)
	}
	err = t.q.QueryRowContext(ctx, `INSERT INTO `+table+`(id, `+cols+`) VALUES (`+unusedActorID(table, kind)+`, `+vals+`) RETURNING id`,
		args...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store remote %s %s: %w", kind, a.IRI, conflict(err, kind))
	}
	return id, nil
}

// RemoteAccountOf returns the account of a remote actor by IRI;
// ErrNotFound when it has none.
func (f *Follows) RemoteAccountOf(ctx context.Context, iri string) (model.Account, error) {
	return scanAccount(f.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a
		JOIN remote_actors r ON r.id = a.remote_actor_id WHERE r.iri = ?`, iri))
}

// RemoteChannelOf returns the channel of a remote Group by IRI;
// ErrNotFound when it has none.
func (f *Follows) RemoteChannelOf(ctx context.Context, iri string) (model.Channel, error) {
	return scanChannel(f.q.QueryRowContext(ctx, `SELECT `+channelCols+channelFrom+`
		JOIN remote_actors r ON r.id = c.remote_actor_id WHERE r.iri = ?`, iri))
}

// RemoteActorOf returns the remote actor an account ("account") or a
// channel ("channel") of another server stands for: its origin's URLs and
// icon. ErrNotFound for a local row or an unknown one.
func (s *Accounts) RemoteActorOf(ctx context.Context, kind string, id int64) (model.RemoteActor, error) {
	table, ok := map[string]string{"account": "accounts", "channel": "channels"}[kind]
	if !ok {
		return model.RemoteActor{}, fmt.Errorf("remote actor of a %q: %w", kind, ErrNotFound)
	}
	a, err := scanRemoteActor(s.q.QueryRowContext(ctx, `SELECT `+remoteActorCols+` FROM remote_actors r
		JOIN `+table+` x ON x.remote_actor_id = r.id WHERE x.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return model.RemoteActor{}, ErrNotFound
	}
	if err != nil {
		return model.RemoteActor{}, fmt.Errorf("remote actor of %s %d: %w", kind, id, classify(err))
	}
	return a, nil
}

// RemoteURLs returns, by id, the origin pages (actor url, else IRI) of the
// remote ones among accounts ("account") or channels ("channel") ids: one
// query for a listing's page.
func (s *Accounts) RemoteURLs(ctx context.Context, kind string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	table, ok := map[string]string{"account": "accounts", "channel": "channels"}[kind]
	if !ok || len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.q.QueryContext(ctx, `SELECT x.id, COALESCE(NULLIF(r.url, ''), r.iri) FROM `+table+` x
		JOIN remote_actors r ON r.id = x.remote_actor_id WHERE x.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("remote urls of %ss: %w", kind, classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, fmt.Errorf("remote urls of %ss: %w", kind, classify(err))
		}
		out[id] = u
	}
	return out, classify(rows.Err())
}
