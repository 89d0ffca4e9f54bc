package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
)

// Notifications is the notifications aggregate: in-app notifications and
// each user's settings.
type Notifications struct{ base }

// Notifications returns the notifications aggregate on the pool.
func (s *Store) Notifications() *Notifications {
	return &Notifications{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// Add stores the notification for each user in one transaction; a user
// who already has this event is skipped (the unique index), so emitting an
// event twice notifies once.
func (s *Notifications) Add(ctx context.Context, userIDs []int64, n model.Notification) (int, error) {
	if len(userIDs) == 0 {
		return 0, nil
	}
	t := now()
	added := 0
	err := s.atomic(ctx, func(q dbtx) error {
		added = 0
		for _, u := range userIDs {
			res, err := q.ExecContext(ctx, `INSERT INTO notifications(user_id, type, video_id, comment_id, created_at, updated_at)
				VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?) ON CONFLICT DO NOTHING`, u, n.Type, n.VideoID, n.CommentID, t, t)
			if err != nil {
				return fmt.Errorf("notify user %d: %w", u, classify(err))
			}
			k, _ := res.RowsAffected()
			added += int(k)
		}
		return nil
	})
	return added, err
}

var notificationSorts = map[string]string{
	"createdAt": "n.created_at ASC, n.id ASC", "-createdAt": "n.created_at DESC, n.id DESC",
	"read": "n.read ASC, n.id ASC", "-read": "n.read DESC, n.id DESC",
}

// List returns a page of a user's notifications with their videos and
// comments, and how many match.
func (s *Notifications) List(ctx context.Context, userID int64, unreadOnly bool, start, count int, sort string) ([]model.Notification, int, error) {
	cond := " WHERE n.user_id = ?"
	if unreadOnly {
		cond += " AND n.read = 0"
	}
	var total int
	if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications n"+cond, userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count notifications: %w", classify(err))
	}
	out := []model.Notification{}
	if count <= 0 || start >= total {
		return out, total, nil
	}
	order, ok := notificationSorts[sort]
	if !ok {
		order = notificationSorts["-createdAt"]
	}
	rows, err := s.q.QueryContext(ctx, `SELECT n.id, n.user_id, n.type, COALESCE(n.video_id, 0), COALESCE(n.comment_id, 0), n.read, n.created_at, n.updated_at
		FROM notifications n`+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`, userID, count, start)
	if err != nil {
		return nil, 0, fmt.Errorf("list notifications: %w", classify(err))
	}
	var videoIDs, commentIDs []int64
	for rows.Next() {
		var n model.Notification
		var created, updated int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.Type, &n.VideoID, &n.CommentID, &n.Read, &created, &updated); err != nil {
			rows.Close()
			return nil, 0, classify(err)
		}
		n.CreatedAt, n.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
		out = append(out, n)
		if n.VideoID != 0 {
			videoIDs = append(videoIDs, n.VideoID)
		}
		if n.CommentID != 0 {
			commentIDs = append(commentIDs, n.CommentID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, classify(err)
	}
	vs, err := (&Videos{s.base}).byIDs(ctx, videoIDs)
	if err != nil {
		return nil, 0, err
	}
	videos := map[int64]model.Video{}
	for _, v := range vs {
		videos[v.ID] = v
	}
	comments, err := s.comments(ctx, commentIDs)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Video, out[i].Comment = videos[out[i].VideoID], comments[out[i].CommentID]
	}
	return out, total, nil
}

func (s *Notifications) comments(ctx context.Context, ids []int64) (map[int64]model.Comment, error) {
	out := map[int64]model.Comment{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("comments of notifications: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanComment(rows, false)
		if err != nil {
			return nil, err
		}
		out[c.ID] = c
	}
	return out, classify(rows.Err())
}

// Unread counts a user's unread notifications (a partial index).
func (s *Notifications) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read = 0`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", classify(err))
	}
	return n, nil
}

// MarkRead marks the user's notifications among ids read; ids of others'
// are ignored.
func (s *Notifications) MarkRead(ctx context.Context, userID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{now(), userID}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.q.ExecContext(ctx, `UPDATE notifications SET read = 1, updated_at = ? WHERE user_id = ? AND read = 0 AND id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return fmt.Errorf("mark notifications read: %w", classify(err))
	}
	return nil
}

// MarkAllRead marks every notification of the user read.
func (s *Notifications) MarkAllRead(ctx context.Context, userID int64) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE notifications SET read = 1, updated_at = ? WHERE user_id = ? AND read = 0`, now(), userID); err != nil {
		return fmt.Errorf("mark all notifications read: %w", classify(err))
	}
	return nil
}

// Settings are the user's stored settings (those never set are absent).
func (s *Notifications) Settings(ctx context.Context, userID int64) (map[string]int, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT name, value FROM notification_settings WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("notification settings: %w", classify(err))
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			return nil, classify(err)
		}
		out[k] = v
	}
	return out, classify(rows.Err())
}

// SetSettings stores the given settings in one transaction.
func (s *Notifications) SetSettings(ctx context.Context, userID int64, values map[string]int) error {
	return s.atomic(ctx, func(q dbtx) error {
		for k, v := range values {
			if _, err := q.ExecContext(ctx, `INSERT INTO notification_settings(user_id, name, value) VALUES (?, ?, ?)
				ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value`, userID, k, v); err != nil {
				return fmt.Errorf("set notification setting %s: %w", k, classify(err))
			}
		}
		return nil
	})
}

// UsersWithSetting keeps the users of userIDs whose setting name has the
// web bit, a missing setting counting as def.
func (s *Notifications) UsersWithSetting(ctx context.Context, userIDs []int64, name string, def int) ([]int64, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	args := []any{name}
	for _, id := range userIDs {
		args = append(args, id)
	}
	args = append(args, def)
	out, err := column[int64](ctx, s.q, `SELECT u.id FROM users u LEFT JOIN notification_settings ns ON ns.user_id = u.id AND ns.name = ?
		WHERE u.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(userIDs)), ",")+`) AND (COALESCE(ns.value, ?) & 1) = 1 ORDER BY u.id`, args)
	if err != nil {
		return nil, fmt.Errorf("users with %s: %w", name, err)
	}
	return out, nil
}
