package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Feed is the latest comments q selects, newest first: readable by anyone
// (not held, not deleted), on published videos of q's privacies, minus
// the server's blocks (of the comment's author and of the video's owner).
// The comments_feed index walks them newest first.
func (s *Comments) Feed(ctx context.Context, q repo.FeedCommentQuery) ([]repo.FeedComment, error) {
	if len(q.Privacies) == 0 {
		return nil, nil
	}
	where := []string{"c.deleted_at IS NULL", "c.held_for_review = 0", "v.state = ?",
		"v.privacy IN (" + strings.TrimSuffix(strings.Repeat("?,", len(q.Privacies)), ",") + ")"}
	args := []any{model.StatePublished}
	for _, p := range q.Privacies {
		args = append(args, p)
	}
	if q.VideoID != 0 {
		where = append(where, "c.video_id = ?")
		args = append(args, q.VideoID)
	}
	if q.ChannelID != 0 {
		where = append(where, "v.channel_id = ?")
		args = append(args, q.ChannelID)
	}
	if q.AccountID != 0 {
		where = append(where, "v.channel_id IN (SELECT id FROM channels WHERE account_id = ?)")
		args = append(args, q.AccountID)
	}
	if b, a := blockedAccounts("COALESCE(c.account_id, 0)", q.HideServerBlocked, 0); b != "" {
		where = append(where, b)
		args = append(args, a...)
	}
	if b, a := blockedChannels("v.channel_id", q.HideServerBlocked, 0); b != "" {
		where = append(where, b)
		args = append(args, a...)
	}
	if q.Count <= 0 || q.Count > 100 {
		q.Count = 20
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+commentCols+`, v.uuid, v.name`+commentFrom+
		`JOIN videos v ON v.id = c.video_id WHERE `+strings.Join(where, " AND ")+
		` ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, append(args, q.Count)...)
	if err != nil {
		return nil, fmt.Errorf("comments feed: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.FeedComment
	for rows.Next() {
		var fc repo.FeedComment
		c, err := scanComment(withExtra{rows, []any{&fc.VideoUUID, &fc.VideoName}}, false)
		if err != nil {
			return nil, err
		}
		fc.Comment = c
		out = append(out, fc)
	}
	return out, classify(rows.Err())
}

// withExtra scans a row's trailing columns into extra after what the
// caller's scanner reads.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dst ...any) error { return w.rows.Scan(append(dst, w.extra...)...) }
