package store

import (
	"context"
	"fmt"
)

// AllFollowers lists every follow of every local actor (the server, the
// accounts, the channels) in a state ("" for both), newest first, with
// their total: the admin's federation page.
func (f *Follows) AllFollowers(ctx context.Context, state string, offset, limit int) ([]Follow, int, error) {
	where, args := `1 = 1`, []any{}
	if state != "" {
		where, args = `f.state = ?`, []any{state}
	}
	var total int
	if err := f.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM follows f WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count all followers: %w", classify(err))
	}
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteActorCols+`, `+followCols+` FROM follows f JOIN remote_actors r ON r.id = f.remote_actor_id
		WHERE `+where+` ORDER BY f.created_at DESC, f.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list all followers: %w", classify(err))
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

// RemoveFollowsAt deletes every follow by the remote actor actorIRI,
// provided its inbox is still inbox (an actor that moved since is not
// the one a delivery found gone), and returns how many went. The actor's
// row stays: comments and likes may name it.
func (f *Follows) RemoveFollowsAt(ctx context.Context, actorIRI, inbox string) (int64, error) {
	res, err := f.q.ExecContext(ctx, `DELETE FROM follows WHERE remote_actor_id =
		(SELECT id FROM remote_actors WHERE iri = ? AND inbox = ?)`, actorIRI, inbox)
	if err != nil {
		return 0, fmt.Errorf("remove follows of %s: %w", actorIRI, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("remove follows of %s: %w", actorIRI, classify(err))
	}
	return n, nil
}
