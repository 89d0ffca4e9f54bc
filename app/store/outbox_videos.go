package store

import (
	"context"
	"fmt"
)

// OutboxVideo is a local public video as an outbox lists it: enough to
// name its activities (its document is the federation service's).
type OutboxVideo struct {
	ID          int64
	UUID        string
	ChannelID   int64
	ChannelName string
	AccountID   int64
	AccountName string
}

// PublicLocalVideos lists the published public videos of this server's
// own channels, newest first, with their total: an account's (accountID),
// a channel's (channelID), or all of them (both 0, the server actor's
// outbox). Remote videos kept here are their origin's to list.
func (f *Follows) PublicLocalVideos(ctx context.Context, accountID, channelID int64, offset, limit int) ([]OutboxVideo, int, error) {
	where := `v.privacy = 1 AND v.state = 1 AND c.remote_actor_id IS NULL`
	var args []any
	if accountID != 0 {
		where += ` AND c.account_id = ?`
		args = append(args, accountID)
	}
	if channelID != 0 {
		where += ` AND v.channel_id = ?`
		args = append(args, channelID)
	}
	const from = ` FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id WHERE `
	var total int
	if err := f.q.QueryRowContext(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count outbox videos: %w", classify(err))
	}
	out := []OutboxVideo{}
	if limit <= 0 {
		return out, total, nil
	}
	rows, err := f.q.QueryContext(ctx, `SELECT v.id, v.uuid, c.id, c.name, a.id, a.name`+from+where+
		` ORDER BY v.published_at DESC, v.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(0, offset))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list outbox videos: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var o OutboxVideo
		if err := rows.Scan(&o.ID, &o.UUID, &o.ChannelID, &o.ChannelName, &o.AccountID, &o.AccountName); err != nil {
			return nil, 0, fmt.Errorf("outbox video: %w", classify(err))
		}
		out = append(out, o)
	}
	return out, total, classify(rows.Err())
}
