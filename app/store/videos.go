package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Videos is the videos and renditions aggregate.
type Videos struct{ base }

const videoCols = `v.id, v.uuid, v.short_uuid, v.channel_id, v.name, v.description, v.privacy, v.state, v.progress, v.error,
	v.duration_ms, v.width, v.height, v.is_audio, v.original_name, v.original_file, v.size, v.views, v.likes, v.dislikes, v.has_thumbnail,
	v.created_at, COALESCE(v.published_at, 0), v.updated_at, ` + channelCols

const videoFrom = ` FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id `

func scanVideo(row interface{ Scan(...any) error }) (model.Video, error) {
	var v model.Video
	var dur, created, published, updated, cCreated, aCreated int64
	c := &v.Channel
	a := &c.Account
	err := row.Scan(&v.ID, &v.UUID, &v.ShortUUID, &v.ChannelID, &v.Name, &v.Description, &v.Privacy, &v.State, &v.Progress, &v.Error,
		&dur, &v.Width, &v.Height, &v.IsAudio, &v.OriginalName, &v.OriginalFile, &v.Size, &v.Views, &v.Likes, &v.Dislikes, &v.HasThumbnail,
		&created, &published, &updated,
		&c.ID, &c.AccountID, &c.Name, &c.DisplayName, &c.Description, &c.Support, &cCreated,
		&a.ID, &a.UserID, &a.Name, &a.DisplayName, &a.Description, &aCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	v.Duration = time.Duration(dur) * time.Millisecond
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	if published > 0 {
		v.PublishedAt = time.UnixMilli(published)
	}
	c.CreatedAt, a.CreatedAt = time.UnixMilli(cCreated), time.UnixMilli(aCreated)
	return v, classify(err)
}

// Create inserts a video row, waiting for processing. Run it inside WithTx
// with the enqueueing of its processing job.
func (s *Videos) Create(ctx context.Context, v *model.Video) error {
	defer s.counts.invalidate()
	t := now()
	res, err := s.q.ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, description, privacy, state,
		duration_ms, width, height, is_audio, original_name, original_file, size, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.UUID, v.ShortUUID, v.ChannelID, v.Name, v.Description, v.Privacy, model.StateToTranscode,
		v.Duration.Milliseconds(), v.Width, v.Height, v.IsAudio, v.OriginalName, v.OriginalFile, v.Size, t, t)
	if err != nil {
		return fmt.Errorf("insert video: %w", conflict(err, "video"))
	}
	v.ID, _ = res.LastInsertId()
	v.State = model.StateToTranscode
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
	return nil
}

// Each form of id has its own index: every HLS segment request looks a
// video up, so none of these may scan the table.

// ByID finds a video by its numeric id.
func (s *Videos) ByID(ctx context.Context, id int64) (model.Video, error) {
	return scanVideo(s.q.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.id = ?`, id))
}

// ByUUID finds a video by its UUID.
func (s *Videos) ByUUID(ctx context.Context, uuid string) (model.Video, error) {
	return scanVideo(s.q.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.uuid = ?`, uuid))
}

// ByShortUUID finds a video by its short UUID.
func (s *Videos) ByShortUUID(ctx context.Context, short string) (model.Video, error) {
	return scanVideo(s.q.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.short_uuid = ?`, short))
}

// ExistsUUID reports whether a video row has this UUID (the start-up sweep
// of media folders asks it for each folder).
func (s *Videos) ExistsUUID(ctx context.Context, uuid string) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM videos WHERE uuid = ?)`, uuid).Scan(&n)
	return n > 0, classify(err)
}

// videoSorts is how each of repo.VideoSorts orders. Listing published
// videos, published_at is never NULL, and the plain column lets the index
// give the order.
var videoSorts = map[string]string{
	"-publishedAt": "v.published_at DESC, v.id DESC",
	"publishedAt":  "v.published_at ASC, v.id ASC",
	"-createdAt":   "v.created_at DESC, v.id DESC",
	"createdAt":    "v.created_at ASC, v.id ASC",
	"-views":       "v.views DESC, v.id DESC",
	"views":        "v.views ASC, v.id ASC",
	"name":         "v.name COLLATE NOCASE ASC, v.id ASC",
	"-name":        "v.name COLLATE NOCASE DESC, v.id DESC",
	"-duration":    "v.duration_ms DESC, v.id DESC",
	"duration":     "v.duration_ms ASC, v.id ASC",
}

// List returns one page and the total matching.
func (s *Videos) List(ctx context.Context, q repo.VideoQuery) ([]model.Video, int, error) {
	var where []string
	var args []any
	order, ok := videoSorts[q.Sort]
	if !ok {
		order = videoSorts["-publishedAt"]
	}
	if len(q.Privacies) > 0 {
		where = append(where, "v.state = ?", "v.privacy IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.Privacies)), ",")+")")
		args = append(args, model.StatePublished)
		for _, p := range q.Privacies {
			args = append(args, p)
		}
	} else {
		// Unpublished videos have no publication date yet: their upload
		// date stands in.
		order = strings.ReplaceAll(order, "v.published_at", "COALESCE(v.published_at, v.created_at)")
	}
	if q.ChannelID != 0 {
		where = append(where, "v.channel_id = ?")
		args = append(args, q.ChannelID)
	}
	if q.AccountID != 0 {
		where = append(where, "v.channel_id IN (SELECT id FROM channels WHERE account_id = ?)")
		args = append(args, q.AccountID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// The count needs no join: it reads the (state, privacy) index alone,
	// and is remembered until the next write.
	key := countKey(cond, args)
	total, gen, ok := s.counts.get(key)
	if !ok {
		if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM videos v"+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count videos: %w", classify(err))
		}
		s.counts.put(key, gen, total)
	}
	if q.Count <= 0 {
		q.Count = 15
	}
	if total == 0 || q.Start >= total {
		return nil, total, nil
	}
	// Page the ids first, on the videos table alone, then join the page.
	rows, err := s.q.QueryContext(ctx, "SELECT "+videoCols+videoFrom+"WHERE v.id IN (SELECT v.id FROM videos v"+cond+
		" ORDER BY "+order+" LIMIT ? OFFSET ?) ORDER BY "+order, append(args, q.Count, q.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list videos: %w", classify(err))
	}
	defer rows.Close()
	var out []model.Video
	for rows.Next() {
		v, err := scanVideo(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, classify(rows.Err())
}

// SetProgress records the processing percentage.
func (s *Videos) SetProgress(ctx context.Context, id int64, pct float64) error {
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET progress = ?, updated_at = ? WHERE id = ?", pct, now(), id)
	return classify(err)
}

// SetFailed marks processing as failed with a reason a person can read.
func (s *Videos) SetFailed(ctx context.Context, id int64, reason string) error {
	defer s.counts.invalidate()
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET state = ?, error = ?, updated_at = ? WHERE id = ?", model.StateTranscodingFailed, reason, now(), id)
	return classify(err)
}

// SetState sets a video's state.
func (s *Videos) SetState(ctx context.Context, id int64, state int) error {
	defer s.counts.invalidate()
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET state = ?, updated_at = ? WHERE id = ?", state, now(), id)
	return classify(err)
}

// SetDuration records the duration of what was packaged (a truncated
// upload can announce more than it holds).
func (s *Videos) SetDuration(ctx context.Context, id int64, d time.Duration) error {
	defer s.counts.invalidate() // listings show it
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET duration_ms = ?, updated_at = ? WHERE id = ?", d.Milliseconds(), now(), id)
	return classify(err)
}

// FailAbandoned marks failed the videos still waiting for processing whose
// processing job has given up (a job interrupted by crashes on its last
// attempt ends failed without its handler running). The job's video is its
// video_id column (indexed), never its payload.
func (s *Videos) FailAbandoned(ctx context.Context, kind string) (int64, error) {
	defer s.counts.invalidate()
	res, err := s.q.ExecContext(ctx, `UPDATE videos SET state = ?, error = 'processing stopped after repeated interruptions', updated_at = ?
		WHERE state = ? AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = videos.id AND j.kind = ?
			AND j.state IN ('queued', 'running'))
		AND EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = videos.id AND j.kind = ? AND j.state = 'failed')`,
		model.StateTranscodingFailed, now(), model.StateToTranscode, kind, kind)
	if err != nil {
		return 0, classify(err)
	}
	return res.RowsAffected()
}

// SetThumbnail records that thumbnail and preview images exist.
func (s *Videos) SetThumbnail(ctx context.Context, id int64) error {
	defer s.counts.invalidate() // listings show it
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET has_thumbnail = 1, updated_at = ? WHERE id = ?", now(), id)
	return classify(err)
}

// AddRenditions records finished renditions of one video and publishes the
// video if it was not yet: the first playable rendition is the moment of
// publication. The renditions land together.
func (s *Videos) AddRenditions(ctx context.Context, videoID int64, rs ...model.Rendition) error {
	defer s.counts.invalidate()
	return s.atomic(ctx, func(q dbtx) error { return addRenditions(ctx, q, videoID, rs) })
}

func addRenditions(ctx context.Context, q dbtx, videoID int64, rs []model.Rendition) error {
	t := now()
	for _, r := range rs {
		if _, err := q.ExecContext(ctx, `INSERT INTO renditions(video_id, name, width, height, fps, bandwidth, average_bandwidth, codecs, size, copied, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(video_id, name) DO UPDATE SET width=excluded.width, height=excluded.height, fps=excluded.fps,
		bandwidth=excluded.bandwidth, average_bandwidth=excluded.average_bandwidth, codecs=excluded.codecs, size=excluded.size, copied=excluded.copied`,
			videoID, r.Name, r.Width, r.Height, r.FPS, r.Bandwidth, r.AverageBandwidth, r.Codecs, r.Size, r.Copied, t); err != nil {
			return fmt.Errorf("insert rendition %s: %w", r.Name, classify(err))
		}
	}
	_, err := q.ExecContext(ctx, `UPDATE videos SET state = ?, error = '', published_at = COALESCE(published_at, ?), updated_at = ? WHERE id = ?`,
		model.StatePublished, t, t, videoID)
	return classify(err)
}

// Renditions lists a video's renditions, highest bandwidth first.
func (s *Videos) Renditions(ctx context.Context, videoID int64) ([]model.Rendition, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, video_id, name, width, height, fps, bandwidth, average_bandwidth, codecs, size, copied
		FROM renditions WHERE video_id = ? ORDER BY bandwidth DESC`, videoID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []model.Rendition
	for rows.Next() {
		var r model.Rendition
		if err := rows.Scan(&r.ID, &r.VideoID, &r.Name, &r.Width, &r.Height, &r.FPS, &r.Bandwidth, &r.AverageBandwidth, &r.Codecs, &r.Size, &r.Copied); err != nil {
			return nil, classify(err)
		}
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// AddViews adds counted views (views are batched in memory) in one write.
func (s *Videos) AddViews(ctx context.Context, counts map[int64]int64) error {
	return s.atomic(ctx, func(q dbtx) error {
		for id, n := range counts {
			if _, err := q.ExecContext(ctx, "UPDATE videos SET views = views + ? WHERE id = ?", n, id); err != nil {
				return classify(err)
			}
		}
		return nil
	})
}

// Generation changes with every write that can change a listing (a video
// created, published, failed): what a cache of listings checks.
func (s *Videos) Generation() uint64 { return s.counts.generation() }

// Count is for the instance's stats.
func (s *Videos) Count(ctx context.Context) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM videos").Scan(&n)
	return n, classify(err)
}

var _ repo.Videos = (*Videos)(nil)
var _ repo.Accounts = (*Accounts)(nil)
var _ repo.Sessions = (*Sessions)(nil)
var _ repo.Settings = (*Settings)(nil)
