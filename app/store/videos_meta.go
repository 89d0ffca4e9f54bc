package store

import (
	"context"

	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// NULL for "not set": PeerTube's API shows these as null ids.
func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// setTags replaces a video's tags, keeping their order.
func setTags(ctx context.Context, q dbtx, videoID int64, tags []string) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM video_tags WHERE video_id = ?", videoID); err != nil {
		return fmt.Errorf("clear tags: %w", classify(err))
	}
	for i, t := range tags {
		if _, err := q.ExecContext(ctx, "INSERT INTO video_tags(video_id, position, name) VALUES (?, ?, ?)", videoID, i, t); err != nil {
			return fmt.Errorf("insert tag %q: %w", t, classify(err))
		}
	}
	return nil
}

// Tags are a video's tags, in the creator's order.
func (s *Videos) Tags(ctx context.Context, videoID int64) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT name FROM video_tags WHERE video_id = ? ORDER BY position", videoID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, classify(err)
		}
		out = append(out, t)
	}
	return out, classify(rows.Err())
}

// Update writes a video's editable fields and tags at once.
//
// A published video that leaves "private" gets a new publication date, as
// PeerTube does: to its audience it is published now, and it must not
// hide at the bottom of "recent" under its upload date.
func (s *Videos) Update(ctx context.Context, id int64, u repo.VideoUpdate) error {
	defer s.counts.invalidate() // privacy and names change listings
	m := u.Meta
	t := now()
	return s.atomic(ctx, func(q dbtx) error {
		res, err := q.ExecContext(ctx, `UPDATE videos SET channel_id = ?, name = ?, description = ?,
			published_at = CASE WHEN privacy = ? AND ? != ? AND published_at IS NOT NULL THEN ? ELSE published_at END,
			privacy = ?, category = ?, licence = ?, language = ?, support = ?, nsfw = ?, comments_policy = ?,
			download_enabled = ?, originally_published_at = ?, updated_at = ? WHERE id = ?`,
			u.ChannelID, u.Name, u.Description,
			model.PrivacyPrivate, u.Privacy, model.PrivacyPrivate, t,
			u.Privacy, nullInt(m.Category), nullInt(m.Licence), nullString(m.Language), m.Support, m.NSFW, m.CommentsPolicy,
			m.DownloadEnabled, nullTime(m.OriginallyPublishedAt), t, id)
		if err != nil {
			return fmt.Errorf("update video %d: %w", id, classify(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return setTags(ctx, q, id, m.Tags)
	})
}

// Delete removes a video's row; its renditions, tags and daily views go
// with it (foreign keys cascade). Its files are the service's to remove.
func (s *Videos) Delete(ctx context.Context, id int64) error {
	defer s.counts.invalidate()
	res, err := s.q.ExecContext(ctx, "DELETE FROM videos WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete video %d: %w", id, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ActiveJobs are the ids of a video's queued or running jobs (the jobs
// table's video_id column, indexed), for cancelling them on deletion.
func (s *Videos) ActiveJobs(ctx context.Context, videoID int64) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT id FROM jobs WHERE video_id = ? AND state IN ('queued', 'running')", videoID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, classify(err)
		}
		out = append(out, id)
	}
	return out, classify(rows.Err())
}

// addDailyViews counts views in the day's row (UTC days), for trending.
func addDailyViews(ctx context.Context, q dbtx, id, n int64, at time.Time) error {
	day := at.UTC().Truncate(24 * time.Hour).UnixMilli()
	_, err := q.ExecContext(ctx, `INSERT INTO video_views_daily(video_id, day, views) VALUES (?, ?, ?)
		ON CONFLICT(day, video_id) DO UPDATE SET views = views + excluded.views`, id, day, n)
	return classify(err)
}

// PruneDailyViews forgets daily views older than keep: trending reads
// only the last days.
func (s *Videos) PruneDailyViews(ctx context.Context, keep time.Duration) error {
	cut := time.Now().Add(-keep).UTC().Truncate(24 * time.Hour).UnixMilli()
	_, err := s.q.ExecContext(ctx, "DELETE FROM video_views_daily WHERE day < ?", cut)
	return classify(err)
}
