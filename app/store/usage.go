package store

import (
	"context"
	"fmt"

	"cabane.dev/cabane/app/model"
)

// Usage counts what the server holds (model.Usage). A local row is one
// without remote_actor_id: remote accounts, channels, their videos and
// comments are stored beside local ones and must not pass for ours.
func (s *Store) Usage(ctx context.Context) (model.Usage, error) {
	var u model.Usage
	const localChannels = `SELECT id FROM channels WHERE remote_actor_id IS NULL`
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM users),
		(SELECT COUNT(*) FROM users WHERE role = 0),
		(SELECT COUNT(*) FROM users WHERE role = 1),
		(SELECT COUNT(*) FROM videos WHERE state = ? AND channel_id IN (`+localChannels+`)),
		(SELECT COALESCE(SUM(views), 0) FROM videos WHERE channel_id IN (`+localChannels+`)),
		(SELECT COALESCE(SUM(r.size), 0) FROM renditions r JOIN videos v ON v.id = r.video_id WHERE v.channel_id IN (`+localChannels+`)),
		(SELECT COUNT(*) FROM comments WHERE deleted_at IS NULL AND account_id IN (SELECT id FROM accounts WHERE remote_actor_id IS NULL)),
		(SELECT COUNT(*) FROM channels WHERE remote_actor_id IS NULL),
		(SELECT COUNT(*) FROM playlists WHERE account_id IN (SELECT id FROM accounts WHERE remote_actor_id IS NULL)),
		(SELECT COUNT(*) FROM videos WHERE state = ?),
		(SELECT COUNT(*) FROM comments WHERE deleted_at IS NULL),
		(SELECT COUNT(*) FROM follows WHERE target_kind = 'server' AND state = 'accepted'),
		(SELECT COUNT(*) FROM following WHERE follower_kind = 'server' AND state = 'accepted')`,
		model.StatePublished, model.StatePublished).Scan(&u.LocalUsers, &u.Admins, &u.Moderators, &u.LocalVideos, &u.LocalVideoViews,
		&u.LocalVideoFilesSize, &u.LocalComments, &u.LocalChannels, &u.LocalPlaylists, &u.Videos, &u.Comments,
		&u.InstanceFollowers, &u.InstanceFollowing)
	if err != nil {
		return model.Usage{}, fmt.Errorf("usage: %w", classify(err))
	}
	return u, nil
}
