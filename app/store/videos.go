package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Video states and privacies, numbered as PeerTube's VideoState and VideoPrivacy.
const (
	StatePublished         = 1
	StateToTranscode       = 2
	StateTranscodingFailed = 7

	PrivacyPublic   = 1
	PrivacyUnlisted = 2
	PrivacyPrivate  = 3
	// PrivacyLocal is Cabane's own level (PeerTube has no 6): "local network
	// only", for family videos served only to the box's home network.
	PrivacyLocal = 6
)

// Video is one upload and what processing made of it.
type Video struct {
	ID           int64
	UUID         string
	ShortUUID    string
	ChannelID    int64
	Name         string
	Description  string
	Privacy      int
	State        int
	Progress     float64
	Error        string
	Duration     time.Duration
	Width        int
	Height       int
	IsAudio      bool
	OriginalName string
	OriginalFile string
	Size         int64
	Views        int64
	HasThumbnail bool
	CreatedAt    time.Time
	PublishedAt  time.Time // zero until published
	UpdatedAt    time.Time
	Channel      Channel
}

// Rendition is one finished HLS variant of a video.
type Rendition struct {
	ID               int64
	VideoID          int64
	Name             string
	Width, Height    int
	FPS              float64
	Bandwidth        int
	AverageBandwidth int
	Codecs           string
	Size             int64
	Copied           bool
}

const videoCols = `v.id, v.uuid, v.short_uuid, v.channel_id, v.name, v.description, v.privacy, v.state, v.progress, v.error,
	v.duration_ms, v.width, v.height, v.is_audio, v.original_name, v.original_file, v.size, v.views, v.has_thumbnail,
	v.created_at, COALESCE(v.published_at, 0), v.updated_at, ` + channelCols

const videoFrom = ` FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id `

func scanVideo(row interface{ Scan(...any) error }) (Video, error) {
	var v Video
	var dur, created, published, updated, cCreated, aCreated int64
	c := &v.Channel
	a := &c.Account
	err := row.Scan(&v.ID, &v.UUID, &v.ShortUUID, &v.ChannelID, &v.Name, &v.Description, &v.Privacy, &v.State, &v.Progress, &v.Error,
		&dur, &v.Width, &v.Height, &v.IsAudio, &v.OriginalName, &v.OriginalFile, &v.Size, &v.Views, &v.HasThumbnail,
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
	return v, err
}

// CreateVideo inserts a video row inside tx, so the caller can enqueue its
// processing job in the same transaction.
func (s *Store) CreateVideo(ctx context.Context, tx *sql.Tx, v *Video) error {
	t := now()
	res, err := tx.ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, description, privacy, state,
		duration_ms, width, height, is_audio, original_name, original_file, size, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.UUID, v.ShortUUID, v.ChannelID, v.Name, v.Description, v.Privacy, StateToTranscode,
		v.Duration.Milliseconds(), v.Width, v.Height, v.IsAudio, v.OriginalName, v.OriginalFile, v.Size, t, t)
	if err != nil {
		return fmt.Errorf("insert video: %w", err)
	}
	v.ID, _ = res.LastInsertId()
	v.State = StateToTranscode
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
	return nil
}

// BeginTx starts a write transaction for callers that span packages.
func (s *Store) BeginTx(ctx context.Context) (*sql.Tx, error) { return s.db.BeginTx(ctx, nil) }

// VideoByID finds a video by its numeric id, UUID or short UUID, which are
// all valid in PeerTube's URLs.
func (s *Store) VideoByID(ctx context.Context, id string) (Video, error) {
	// Each form has its own index: every HLS segment request looks a
	// video up, so this must not scan the table.
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && len(id) < 20 {
		return scanVideo(s.db.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.id = ?`, n))
	}
	col := "v.short_uuid"
	if len(id) == 36 {
		col = "v.uuid"
	}
	return scanVideo(s.db.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE `+col+` = ?`, id))
}

// VideoQuery selects a page of videos.
type VideoQuery struct {
	ChannelID   int64
	AccountID   int64
	Start       int
	Count       int
	Sort        string // PeerTube's: -publishedAt (default), publishedAt, -createdAt, createdAt, -views, views, name, -name
	PublicOnly  bool   // only published public videos
	HomeViewer  bool   // the viewer is on the home network: local-only videos count as public
	IncludeMine int64  // account id whose unpublished and non-public videos are included
}

var videoSorts = map[string]string{
	"-publishedAt": "COALESCE(v.published_at, v.created_at) DESC, v.id DESC",
	"publishedAt":  "COALESCE(v.published_at, v.created_at) ASC, v.id ASC",
	"-createdAt":   "v.created_at DESC, v.id DESC",
	"createdAt":    "v.created_at ASC, v.id ASC",
	"-views":       "v.views DESC, v.id DESC",
	"views":        "v.views ASC, v.id ASC",
	"name":         "v.name COLLATE NOCASE ASC, v.id ASC",
	"-name":        "v.name COLLATE NOCASE DESC, v.id DESC",
}

// ValidSort reports whether a sort key is known.
func ValidSort(s string) bool { _, ok := videoSorts[s]; return ok || s == "" }

// ListVideos returns one page and the total matching.
func (s *Store) ListVideos(ctx context.Context, q VideoQuery) ([]Video, int, error) {
	var where []string
	var args []any
	if q.PublicOnly {
		vis := "(v.state = ? AND v.privacy IN (?, ?))"
		local := PrivacyPublic // no second privacy unless the viewer is home
		if q.HomeViewer {
			local = PrivacyLocal
		}
		args = append(args, StatePublished, PrivacyPublic, local)
		if q.IncludeMine != 0 {
			vis = "(" + vis + " OR a.id = ?)"
			args = append(args, q.IncludeMine)
		}
		where = append(where, vis)
	}
	if q.ChannelID != 0 {
		where = append(where, "v.channel_id = ?")
		args = append(args, q.ChannelID)
	}
	if q.AccountID != 0 {
		where = append(where, "a.id = ?")
		args = append(args, q.AccountID)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*)"+videoFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count videos: %w", err)
	}
	order, ok := videoSorts[q.Sort]
	if !ok {
		order = videoSorts["-publishedAt"]
	}
	if q.Count <= 0 {
		q.Count = 15
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+videoCols+videoFrom+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, q.Count, q.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list videos: %w", err)
	}
	defer rows.Close()
	var out []Video
	for rows.Next() {
		v, err := scanVideo(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}

// SetVideoProgress records the processing percentage.
func (s *Store) SetVideoProgress(ctx context.Context, id int64, pct float64) error {
	_, err := s.db.ExecContext(ctx, "UPDATE videos SET progress = ?, updated_at = ? WHERE id = ?", pct, now(), id)
	return err
}

// SetVideoFailed marks processing as failed with a reason a person can read.
func (s *Store) SetVideoFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE videos SET state = ?, error = ?, updated_at = ? WHERE id = ?", StateTranscodingFailed, reason, now(), id)
	return err
}

// SetVideoState sets a video's state.
func (s *Store) SetVideoState(ctx context.Context, id int64, state int) error {
	_, err := s.db.ExecContext(ctx, "UPDATE videos SET state = ?, updated_at = ? WHERE id = ?", state, now(), id)
	return err
}

// FailAbandonedVideos marks failed the videos still waiting for processing
// whose processing job has given up (a job interrupted by crashes on its
// last attempt ends failed without its handler running).
func (s *Store) FailAbandonedVideos(ctx context.Context, kind string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE videos SET state = ?, error = 'processing stopped after repeated interruptions', updated_at = ?
		WHERE state = ? AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND json_extract(j.payload, '$.video_id') = videos.id
			AND j.state IN ('queued', 'running'))
		AND EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND json_extract(j.payload, '$.video_id') = videos.id AND j.state = 'failed')`,
		StateTranscodingFailed, now(), StateToTranscode, kind, kind)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetVideoThumbnail records that thumbnail and preview images exist.
func (s *Store) SetVideoThumbnail(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, "UPDATE videos SET has_thumbnail = 1, updated_at = ? WHERE id = ?", now(), id)
	return err
}

// AddRenditions records finished renditions of one video together and
// publishes the video if it was not yet: the first playable rendition is
// the moment of publication.
func (s *Store) AddRenditions(ctx context.Context, videoID int64, rs ...Rendition) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		for _, r := range rs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO renditions(video_id, name, width, height, fps, bandwidth, average_bandwidth, codecs, size, copied, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(video_id, name) DO UPDATE SET width=excluded.width, height=excluded.height, fps=excluded.fps,
			bandwidth=excluded.bandwidth, average_bandwidth=excluded.average_bandwidth, codecs=excluded.codecs, size=excluded.size, copied=excluded.copied`,
				videoID, r.Name, r.Width, r.Height, r.FPS, r.Bandwidth, r.AverageBandwidth, r.Codecs, r.Size, r.Copied, t); err != nil {
				return fmt.Errorf("insert rendition %s: %w", r.Name, err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE videos SET state = ?, error = '', published_at = COALESCE(published_at, ?), updated_at = ? WHERE id = ?`,
			StatePublished, t, t, videoID)
		return err
	})
}

// Renditions lists a video's renditions, highest bandwidth first.
func (s *Store) Renditions(ctx context.Context, videoID int64) ([]Rendition, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, video_id, name, width, height, fps, bandwidth, average_bandwidth, codecs, size, copied
		FROM renditions WHERE video_id = ? ORDER BY bandwidth DESC`, videoID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rendition
	for rows.Next() {
		var r Rendition
		if err := rows.Scan(&r.ID, &r.VideoID, &r.Name, &r.Width, &r.Height, &r.FPS, &r.Bandwidth, &r.AverageBandwidth, &r.Codecs, &r.Size, &r.Copied); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddViews adds counted views in one write (views are batched in memory).
func (s *Store) AddViews(ctx context.Context, counts map[int64]int64) error {
	if len(counts) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for id, n := range counts {
			if _, err := tx.ExecContext(ctx, "UPDATE videos SET views = views + ? WHERE id = ?", n, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountVideos is for the instance's stats.
func (s *Store) CountVideos(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM videos").Scan(&n)
	return n, err
}
