package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
)

// Following out (migration 0018): follows that local actors send to remote
// ones, and the videos of followed remote channels (rows of videos with a
// remote_videos row saying where they live).

type (
	Following   = model.Following
	RemoteVideo = model.RemoteVideo
)

const followingCols = `g.id, g.follower_kind, g.follower_id, g.state, g.activity_id, g.created_at`

func scanFollowing(sc interface{ Scan(...any) error }) (Following, error) {
	var g Following
	var created int64
	a, err := scanRemoteActor(sc, &g.ID, &g.FollowerKind, &g.FollowerID, &g.State, &g.ActivityID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Following{}, ErrNotFound
	}
	if err != nil {
		return Following{}, fmt.Errorf("following: %w", classify(err))
	}
	g.Target, g.CreatedAt = a, time.UnixMilli(created)
	return g, nil
}

func followingWhere(ctx context.Context, q dbtx, where string, args ...any) (Following, error) {
	return scanFollowing(q.QueryRowContext(ctx, `SELECT `+remoteActorCols+`, `+followingCols+`
		FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id WHERE `+where, args...))
}

// Write runs fn in one transaction that no activity names (a local
// user's subscription to a remote channel, its undoing).
func (f *Follows) Write(ctx context.Context, fn func(tx *FollowsTx) error) error {
	tx := &FollowsTx{}
	err := f.atomic(ctx, func(q dbtx) error {
		tx.q = q
		return fn(tx)
	})
	if tx.videosChanged || err == nil {
		f.counts.invalidate() // subscriptions or videos changed: listing totals
	}
	return err
}

// FollowingOf returns the follow a local actor sent to a remote actor (its
// IRI); ErrNotFound when there is none.
func (f *Follows) FollowingOf(ctx context.Context, kind string, followerID int64, actorIRI string) (Following, error) {
	return followingWhere(ctx, f.q, `g.follower_kind = ? AND g.follower_id = ? AND r.iri = ?`, kind, followerID, actorIRI)
}

// FollowingByHandle returns the follow a local actor sent to name@host.
func (f *Follows) FollowingByHandle(ctx context.Context, kind string, followerID int64, name, host string) (Following, error) {
	return followingWhere(ctx, f.q, `g.follower_kind = ? AND g.follower_id = ? AND r.preferred_username = ? AND r.host = ?`,
		kind, followerID, name, strings.ToLower(host))
}

// ListFollowing lists what a local actor follows, newest first, with the
// total.
func (f *Follows) ListFollowing(ctx context.Context, kind string, followerID int64, offset, limit int) ([]Following, int, error) {
	var total int
	if err := f.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM following WHERE follower_kind = ? AND follower_id = ?`,
		kind, followerID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count following: %w", classify(err))
	}
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteActorCols+`, `+followingCols+`
		FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id WHERE g.follower_kind = ? AND g.follower_id = ?
		ORDER BY g.created_at DESC, g.id DESC LIMIT ? OFFSET ?`, kind, followerID, limit, offset)
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

// Followed says whether a local actor's accepted follow reaches the
// remote actor, or the server actor of its host (an instance follow): its
// videos are wanted here.
func (f *Follows) Followed(ctx context.Context, actorIRI, host string) (bool, error) {
	return followed(ctx, f.q, actorIRI, host)
}

func followed(ctx context.Context, q dbtx, actorIRI, host string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id
		WHERE g.state = 'accepted' AND (r.iri = ? OR (r.host = ? AND r.type = 'Application'))`, actorIRI, strings.ToLower(host)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("followed %s: %w", actorIRI, classify(err))
	}
	return n > 0, nil
}

// RemoteVideos returns where the remote ones among ids live, by video id.
func (f *Follows) RemoteVideos(ctx context.Context, ids []int64) (map[int64]RemoteVideo, error) {
	out := map[int64]RemoteVideo{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := f.q.QueryContext(ctx, `SELECT `+remoteVideoCols+` FROM remote_videos WHERE video_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("remote videos: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		rv, err := scanRemoteVideo(rows)
		if err != nil {
			return nil, err
		}
		out[rv.VideoID] = rv
	}
	return out, classify(rows.Err())
}

// RemoteVideoByIRI returns a remote video by its Video object's id.
func (f *Follows) RemoteVideoByIRI(ctx context.Context, iri string) (RemoteVideo, error) {
	return remoteVideoByIRI(ctx, f.q, iri)
}

const remoteVideoCols = `video_id, iri, watch_url, hls_url, thumbnail_url, renditions, p2p, updated_at`

func scanRemoteVideo(sc interface{ Scan(...any) error }) (RemoteVideo, error) {
	var rv RemoteVideo
	var rends, p2p string
	var updated int64
	err := sc.Scan(&rv.VideoID, &rv.IRI, &rv.WatchURL, &rv.HLSURL, &rv.ThumbnailURL, &rends, &p2p, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return RemoteVideo{}, ErrNotFound
	}
	if err != nil {
		return RemoteVideo{}, fmt.Errorf("remote video: %w", classify(err))
	}
	if err := json.Unmarshal([]byte(rends), &rv.Renditions); err != nil {
		return RemoteVideo{}, fmt.Errorf("remote video %s renditions: %w", rv.IRI, err)
	}
	if err := json.Unmarshal([]byte(p2p), &rv.P2P); err != nil {
		return RemoteVideo{}, fmt.Errorf("remote video %s p2p: %w", rv.IRI, err)
	}
	rv.UpdatedAt = time.UnixMilli(updated)
	return rv, nil
}

func remoteVideoByIRI(ctx context.Context, q dbtx, iri string) (RemoteVideo, error) {
	return scanRemoteVideo(q.QueryRowContext(ctx, `SELECT `+remoteVideoCols+` FROM remote_videos WHERE iri = ?`, iri))
}

// PutFollowing records that a local actor follows a stored remote actor
// (its row id), pending, unless it already does: then the follow is kept
// as it is (state and Follow id). activityID makes the Follow's id from
// the follow's row id. It returns the follow.
func (t *FollowsTx) PutFollowing(ctx context.Context, kind string, followerID, actorRowID int64, activityID func(id int64) string) (Following, error) {
	g, err := followingWhere(ctx, t.q, `g.follower_kind = ? AND g.follower_id = ? AND g.remote_actor_id = ?`, kind, followerID, actorRowID)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return g, err
	}
	var id int64
	err = t.q.QueryRowContext(ctx, `INSERT INTO following(follower_kind, follower_id, remote_actor_id, state, activity_id, created_at)
		VALUES (?, ?, ?, 'pending', ?, ?) RETURNING id`, kind, followerID, actorRowID,
		"pending:"+strconv.FormatInt(actorRowID, 10)+":"+kind+strconv.FormatInt(followerID, 10), now()).Scan(&id)
	if err != nil {
		return Following{}, fmt.Errorf("store following: %w", classify(err))
	}
	if _, err := t.q.ExecContext(ctx, `UPDATE following SET activity_id = ? WHERE id = ?`, activityID(id), id); err != nil {
		return Following{}, fmt.Errorf("store following: %w", classify(err))
	}
	return followingWhere(ctx, t.q, `g.id = ?`, id)
}

// Subscribe adds the account's subscription to a channel (again: no-op).
func (t *FollowsTx) Subscribe(ctx context.Context, accountID, channelID int64) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO subscriptions(account_id, channel_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id, channel_id) DO NOTHING`, accountID, channelID, now())
	if err != nil {
		return fmt.Errorf("subscribe account %d to channel %d: %w", accountID, channelID, classify(err))
	}
	return nil
}

// Unfollow removes a local actor's follow of a remote actor and, for an
// account, its subscription to that actor's channel, returning the
// follow; ErrNotFound when there was none.
func (t *FollowsTx) Unfollow(ctx context.Context, kind string, followerID int64, actorIRI string) (Following, error) {
	g, err := followingWhere(ctx, t.q, `g.follower_kind = ? AND g.follower_id = ? AND r.iri = ?`, kind, followerID, actorIRI)
	if err != nil {
		return g, err
	}
	if _, err := t.q.ExecContext(ctx, `DELETE FROM following WHERE id = ?`, g.ID); err != nil {
		return g, fmt.Errorf("unfollow: %w", classify(err))
	}
	if kind == model.FollowerAccount {
		_, err = t.q.ExecContext(ctx, `DELETE FROM subscriptions WHERE account_id = ? AND channel_id IN
			(SELECT c.id FROM channels c JOIN remote_actors r ON r.id = c.remote_actor_id WHERE r.iri = ?)`, followerID, actorIRI)
		if err != nil {
			return g, fmt.Errorf("unsubscribe: %w", classify(err))
		}
	}
	return g, nil
}

// AcceptFollowing marks accepted the follow that the Follow activityID
// sent to the remote actor actorIRI (the Accept's signer); ErrNotFound
// when there is none.
func (t *FollowsTx) AcceptFollowing(ctx context.Context, actorIRI, activityID string) (Following, error) {
	res, err := t.q.ExecContext(ctx, `UPDATE following SET state = 'accepted' WHERE activity_id = ?
		AND remote_actor_id = (SELECT id FROM remote_actors WHERE iri = ?)`, activityID, actorIRI)
	if err := affected(res, err, "accept following"); err != nil {
		return Following{}, err
	}
	return followingWhere(ctx, t.q, `g.activity_id = ?`, activityID)
}

// RejectFollowing removes the follow that the Follow activityID sent to
// actorIRI, and the subscription it made; ErrNotFound when there is none.
func (t *FollowsTx) RejectFollowing(ctx context.Context, actorIRI, activityID string) (Following, error) {
	g, err := followingWhere(ctx, t.q, `g.activity_id = ? AND r.iri = ?`, activityID, actorIRI)
	if err != nil {
		return g, err
	}
	return t.Unfollow(ctx, g.FollowerKind, g.FollowerID, actorIRI)
}

// Followed is Follows.Followed inside the transaction.
func (t *FollowsTx) Followed(ctx context.Context, actorIRI, host string) (bool, error) {
	return followed(ctx, t.q, actorIRI, host)
}

// PutRemoteVideo stores a video of a remote channel, or refreshes it when
// its IRI is known (of the same channel: a video does not change owner),
// and returns its id. v's Privacy is stored as given; its state is
// published: nothing is processed here.
func (t *FollowsTx) PutRemoteVideo(ctx context.Context, v model.Video, rv RemoteVideo) (int64, error) {
	rends, err := json.Marshal(rv.Renditions)
	if err != nil {
		return 0, err
	}
	if rv.Renditions == nil {
		rends = []byte("[]")
	}
	p2p, err := json.Marshal(rv.P2P)
	if err != nil {
		return 0, err
	}
	m := v.Meta
	published, updated := v.PublishedAt.UnixMilli(), rv.UpdatedAt.UnixMilli()
	old, err := remoteVideoByIRI(ctx, t.q, rv.IRI)
	switch {
	case err == nil:
		var ch int64
		if err := t.q.QueryRowContext(ctx, `SELECT channel_id FROM videos WHERE id = ?`, old.VideoID).Scan(&ch); err != nil {
			return 0, fmt.Errorf("remote video %s: %w", rv.IRI, classify(err))
		}
		if ch != v.ChannelID {
			return 0, fmt.Errorf("remote video %s moved to another channel: %w", rv.IRI, ErrConflict)
		}
		_, err = t.q.ExecContext(ctx, `UPDATE videos SET name = ?, description = ?, privacy = ?, duration_ms = ?, width = ?, height = ?,
			views = MAX(views, ?), published_at = ?, updated_at = ?, category = ?, licence = ?, language = ?, support = ?, nsfw = ?,
			comments_policy = ?, download_enabled = ?, originally_published_at = ? WHERE id = ?`,
			v.Name, v.Description, v.Privacy, v.Duration.Milliseconds(), v.Width, v.Height, v.Views, published, updated,
			nullInt(m.Category), nullInt(m.Licence), nullString(m.Language), m.Support, m.NSFW, m.CommentsPolicy, m.DownloadEnabled,
			nullTime(m.OriginallyPublishedAt), old.VideoID)
		if err != nil {
			return 0, fmt.Errorf("refresh remote video %s: %w", rv.IRI, classify(err))
		}
		_, err = t.q.ExecContext(ctx, `UPDATE remote_videos SET watch_url = ?, hls_url = ?, thumbnail_url = ?, renditions = ?, p2p = ?, updated_at = ?
			WHERE video_id = ?`, rv.WatchURL, rv.HLSURL, rv.ThumbnailURL, string(rends), string(p2p), updated, old.VideoID)
		if err != nil {
			return 0, fmt.Errorf("refresh remote video %s: %w", rv.IRI, classify(err))
		}
		t.videosChanged = true
		return old.VideoID, setTags(ctx, t.q, old.VideoID, m.Tags)
	case !errors.Is(err, ErrNotFound):
		return 0, err
	}
	var id int64
	err = t.q.QueryRowContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, description, privacy, state,
		duration_ms, width, height, views, created_at, published_at, updated_at,
		category, licence, language, support, nsfw, comments_policy, download_enabled, originally_published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.UUID, v.ShortUUID, v.ChannelID, v.Name, v.Description, v.Privacy, model.StatePublished,
		v.Duration.Milliseconds(), v.Width, v.Height, v.Views, now(), published, updated,
		nullInt(m.Category), nullInt(m.Licence), nullString(m.Language), m.Support, m.NSFW, m.CommentsPolicy, m.DownloadEnabled,
		nullTime(m.OriginallyPublishedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store remote video %s: %w", rv.IRI, conflict(err, "video"))
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO remote_videos(video_id, iri, watch_url, hls_url, thumbnail_url, renditions, p2p, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, rv.IRI, rv.WatchURL, rv.HLSURL, rv.ThumbnailURL, string(rends), string(p2p), updated)
	if err != nil {
		return 0, fmt.Errorf("store remote video %s: %w", rv.IRI, conflict(err, "video"))
	}
	t.videosChanged = true
	return id, setTags(ctx, t.q, id, m.Tags)
}

// DeleteRemoteVideo forgets a remote video of a channel by IRI (what
// hangs on its row goes with it); ErrNotFound when it is not stored there.
func (t *FollowsTx) DeleteRemoteVideo(ctx context.Context, iri string, channelID int64) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM videos WHERE channel_id = ? AND id = (SELECT video_id FROM remote_videos WHERE iri = ?)`,
		channelID, iri)
	if err := affected(res, err, "delete remote video"); err != nil {
		return err
	}
	t.videosChanged = true
	return nil
}

// ChannelOfActor returns the remote channel of a stored Group (by IRI);
// ErrNotFound when it has none.
func (t *FollowsTx) ChannelOfActor(ctx context.Context, iri string) (model.Channel, error) {
	return scanChannel(t.q.QueryRowContext(ctx, `SELECT `+channelCols+channelFrom+`
		JOIN remote_actors r ON r.id = c.remote_actor_id WHERE r.iri = ?`, iri))
}

// RemoteVideoOwners are the IRIs of a stored remote video's channel and
// of that channel's account: the actors that may update or delete it.
func (t *FollowsTx) RemoteVideoOwners(ctx context.Context, iri string) (channelID int64, owners []string, err error) {
	var ch, acc string
	err = t.q.QueryRowContext(ctx, `SELECT c.id, rc.iri, COALESCE(ra.iri, '') FROM remote_videos rv JOIN videos v ON v.id = rv.video_id
		JOIN channels c ON c.id = v.channel_id JOIN remote_actors rc ON rc.id = c.remote_actor_id
		JOIN accounts a ON a.id = c.account_id LEFT JOIN remote_actors ra ON ra.id = a.remote_actor_id WHERE rv.iri = ?`, iri).Scan(&channelID, &ch, &acc)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, ErrNotFound
	}
	if err != nil {
		return 0, nil, fmt.Errorf("owners of remote video %s: %w", iri, classify(err))
	}
	return channelID, []string{ch, acc}, nil
}
