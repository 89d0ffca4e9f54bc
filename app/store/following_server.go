package store

import (
	"context"
	"fmt"
	"strings"
)

// FollowingQuery filters and pages a local actor's follows, as PeerTube's
// GET /api/v1/server/following does: by state, by the followed actor's
// type, by a search on its name or host, sorted by creation date.
type FollowingQuery struct {
	State     string // "", FollowPending or FollowAccepted
	ActorType string // "", or the followed actor's type (Application, Group, Person, ...)
	Search    string // "": all; else a substring of the name or the host
	Ascending bool   // oldest first (sort=createdAt); the default is newest first
	Offset    int
	Limit     int
}

// QueryFollowing lists what a local actor follows, filtered as q says,
// with the total of the filtered list.
func (f *Follows) QueryFollowing(ctx context.Context, kind string, followerID int64, q FollowingQuery) ([]Following, int, error) {
	where := `g.follower_kind = ? AND g.follower_id = ?`
	args := []any{kind, followerID}
	if q.State != "" {
		where += ` AND g.state = ?`
		args = append(args, q.State)
	}
	if q.ActorType != "" {
		where += ` AND r.type = ?`
		args = append(args, q.ActorType)
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%"
		where += ` AND (lower(r.preferred_username) LIKE ? ESCAPE '\' OR r.host LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	const from = ` FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id WHERE `
	var total int
	if err := f.q.QueryRowContext(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count following: %w", classify(err))
	}
	order := ` ORDER BY g.created_at DESC, g.id DESC`
	if q.Ascending {
		order = ` ORDER BY g.created_at, g.id`
	}
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteActorCols+`, `+followingCols+from+where+order+` LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list following: %w", classify(err))
	}
	defer rows.Close()
	out := []Following{}
	for rows.Next() {
		g, err := scanFollowing(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, g)
	}
	return out, total, classify(rows.Err())
}

// ServerFollows says whether the server actor's accepted follow reaches
// the server actor (an Application) of host: an instance follow, whose
// channels' videos are wanted here even when nobody follows them.
func (f *Follows) ServerFollows(ctx context.Context, host string) (bool, error) {
	var n int
	err := f.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id
		WHERE g.follower_kind = 'server' AND g.state = 'accepted' AND r.host = ? AND r.type = 'Application'`,
		strings.ToLower(host)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("server follows %s: %w", host, classify(err))
	}
	return n > 0, nil
}
