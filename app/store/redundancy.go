package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cabane.dev/cabane/app/model"
)

// Redundancy (migration 0026): the other servers that mirror local videos
// (video_mirrors) and the remote videos this box mirrors (mirrored_videos).
type Redundancy struct{ base }

// Redundancy is the redundancy aggregate on the pool.
func (s *Store) Redundancy() *Redundancy {
	return &Redundancy{base{q: s.stmts, db: s.db, counts: s.counts}}
}

const mirrorCols = `m.id, m.iri, m.video_id, v.uuid, v.name, m.actor_iri, m.host, m.base_url, m.expires_at, m.created_at, m.updated_at`

func scanMirror(r interface{ Scan(...any) error }) (model.Mirror, error) {
	var m model.Mirror
	var expires sql.NullInt64
	var created, updated int64
	if err := r.Scan(&m.ID, &m.IRI, &m.VideoID, &m.VideoUUID, &m.VideoName, &m.ActorIRI, &m.Host, &m.BaseURL, &expires,
		&created, &updated); err != nil {
		return m, err
	}
	if expires.Valid {
		m.ExpiresAt = time.UnixMilli(expires.Int64)
	}
	m.CreatedAt, m.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return m, nil
}

func msOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// PutMirror records a CacheFile, or updates the one of that id (its base
// URL and expiry, as PeerTube's updateCacheFile): ErrConflict when that
// id is another actor's or another video's. created says which.
func (r *Redundancy) PutMirror(ctx context.Context, m model.Mirror) (created bool, err error) {
	err = r.atomic(ctx, func(q dbtx) error {
		var actor string
		var videoID int64
		err := q.QueryRowContext(ctx, `SELECT actor_iri, video_id FROM video_mirrors WHERE iri = ?`, m.IRI).Scan(&actor, &videoID)
		t := now()
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			_, err = q.ExecContext(ctx, `INSERT INTO video_mirrors(iri, video_id, actor_iri, host, base_url, expires_at, created_at,
				updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.IRI, m.VideoID, m.ActorIRI, m.Host, m.BaseURL, msOrNull(m.ExpiresAt), t, t)
			return classify(err)
		case err != nil:
			return classify(err)
		case actor != m.ActorIRI || videoID != m.VideoID:
			return fmt.Errorf("%w: cache file %s is %s's, of video %d", ErrConflict, m.IRI, actor, videoID)
		}
		_, err = q.ExecContext(ctx, `UPDATE video_mirrors SET base_url = ?, expires_at = ?, updated_at = ? WHERE iri = ?`,
			m.BaseURL, msOrNull(m.ExpiresAt), t, m.IRI)
		return classify(err)
	})
	if err != nil {
		return false, fmt.Errorf("put mirror %s: %w", m.IRI, err)
	}
	return created, nil
}

// DeleteMirror removes a CacheFile; actorIRI, when not "", must be the
// one that announced it. ErrNotFound when there is no such row.
func (r *Redundancy) DeleteMirror(ctx context.Context, iri, actorIRI string) error {
	res, err := r.q.ExecContext(ctx, `DELETE FROM video_mirrors WHERE iri = ? AND (? = '' OR actor_iri = ?)`, iri, actorIRI, actorIRI)
	return affected(res, err, "delete mirror")
}

// MirrorsOf lists the mirrors of a video that have not expired at now,
// oldest first.
func (r *Redundancy) MirrorsOf(ctx context.Context, videoID int64, now time.Time) ([]model.Mirror, error) {
	return r.mirrors(ctx, `WHERE m.video_id = ? AND (m.expires_at IS NULL OR m.expires_at > ?) ORDER BY m.id`, videoID, now.UnixMilli())
}

// localMirror keeps the mirrors of local videos: those of remote videos
// (a third server's copy of a video this box follows) are another list.
const localMirror = `NOT EXISTS (SELECT 1 FROM remote_videos rv WHERE rv.video_id = m.video_id)`

// Mirrors lists every mirror of a local video, newest first, at most
// limit, and how many there are.
func (r *Redundancy) Mirrors(ctx context.Context, limit int) ([]model.Mirror, int, error) {
	var total int
	if err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM video_mirrors m WHERE `+localMirror).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count mirrors: %w", classify(err))
	}
	ms, err := r.mirrors(ctx, `WHERE `+localMirror+` ORDER BY m.id DESC LIMIT ?`, limit)
	return ms, total, err
}

// AllMirrors lists the mirrors of every video, local or remote, oldest
// first, at most limit.
func (r *Redundancy) AllMirrors(ctx context.Context, limit int) ([]model.Mirror, error) {
	return r.mirrors(ctx, `ORDER BY m.id LIMIT ?`, limit)
}

func (r *Redundancy) mirrors(ctx context.Context, where string, args ...any) ([]model.Mirror, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+mirrorCols+` FROM video_mirrors m JOIN videos v ON v.id = m.video_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list mirrors: %w", classify(err))
	}
	defer rows.Close()
	var out []model.Mirror
	for rows.Next() {
		m, err := scanMirror(rows)
		if err != nil {
			return nil, fmt.Errorf("list mirrors: %w", classify(err))
		}
		out = append(out, m)
	}
	return out, classify(rows.Err())
}

// SweepMirrors removes the mirrors that expired before now.
func (r *Redundancy) SweepMirrors(ctx context.Context, now time.Time) (int64, error) {
	res, err := r.q.ExecContext(ctx, `DELETE FROM video_mirrors WHERE expires_at IS NOT NULL AND expires_at <= ?`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sweep mirrors: %w", classify(err))
	}
	return res.RowsAffected()
}

// --- mirroring friends: the remote videos this box mirrors ---

// MirrorCandidates lists remote public published videos with an HLS
// playlist that this box does not mirror yet, best first by strategy
// (PeerTube's: most-views by views; trending by the views of the last
// trendingDays days, then views; recently-added by publication, among
// those with at least minViews views), at most limit.
func (r *Redundancy) MirrorCandidates(ctx context.Context, strategy string, minViews int64, trendingSince time.Time, limit int) ([]model.MirrorCandidate, error) {
	order := "v.views DESC, v.published_at DESC"
	where := ""
	args := []any{}
	switch strategy {
	case model.StrategyTrending:
		order = `(SELECT COALESCE(SUM(d.views), 0) FROM video_views_daily d WHERE d.video_id = v.id AND d.day >= ?) DESC, v.views DESC`
		args = append(args, trendingSince.UTC().Truncate(24*time.Hour).UnixMilli())
	case model.StrategyRecentlyAdded:
		order = "v.published_at DESC"
		where = " AND v.views >= ?"
	}
	q := `SELECT v.id, v.uuid, v.name, rv.iri, v.views, rv.renditions FROM videos v JOIN remote_videos rv ON rv.video_id = v.id
		WHERE v.state = 1 AND v.privacy = 1 AND rv.hls_url != '' AND NOT EXISTS (SELECT 1 FROM mirrored_videos m WHERE m.video_id = v.id)` + where +
		` ORDER BY ` + order + ` LIMIT ?`
	if strategy == model.StrategyRecentlyAdded {
		args = append(args, minViews)
	}
	args = append(args, limit)
	rows, err := r.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("mirror candidates: %w", classify(err))
	}
	defer rows.Close()
	var out []model.MirrorCandidate
	for rows.Next() {
		var c model.MirrorCandidate
		var rends string
		if err := rows.Scan(&c.VideoID, &c.UUID, &c.Name, &c.IRI, &c.Views, &rends); err != nil {
			return nil, fmt.Errorf("mirror candidates: %w", classify(err))
		}
		var rs []model.RemoteRendition
		if json.Unmarshal([]byte(rends), &rs) == nil {
			for _, x := range rs {
				c.Size += max(0, x.Size)
			}
		}
		out = append(out, c)
	}
	return out, classify(rows.Err())
}

// PutMirrored records a mirror this box starts copying; its size holds
// the budget until the copy is done (SetMirrored). ErrConflict when the
// video is already mirrored.
func (r *Redundancy) PutMirrored(ctx context.Context, m model.MirroredVideo) error {
	t := now()
	_, err := r.q.ExecContext(ctx, `INSERT INTO mirrored_videos(video_id, strategy, state, size, origin_inbox, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.VideoID, m.Strategy, m.State, m.Size, m.OriginInbox, msOrZero(m.ExpiresAt), t, t)
	if err != nil {
		return fmt.Errorf("put mirrored video %d: %w", m.VideoID, conflict(err, "mirrored video"))
	}
	return nil
}

// SetMirrored updates a mirror's state, size, origin inbox and expiry.
func (r *Redundancy) SetMirrored(ctx context.Context, m model.MirroredVideo) error {
	res, err := r.q.ExecContext(ctx, `UPDATE mirrored_videos SET state = ?, size = ?, origin_inbox = ?, expires_at = ?, updated_at = ?
		WHERE video_id = ?`, m.State, m.Size, m.OriginInbox, msOrZero(m.ExpiresAt), now(), m.VideoID)
	return affected(res, err, "set mirrored video")
}

// DeleteMirrored forgets a mirror (ErrNotFound if there was none).
func (r *Redundancy) DeleteMirrored(ctx context.Context, videoID int64) error {
	res, err := r.q.ExecContext(ctx, `DELETE FROM mirrored_videos WHERE video_id = ?`, videoID)
	return affected(res, err, "delete mirrored video")
}

// Mirrored lists what this box mirrors, oldest first.
func (r *Redundancy) Mirrored(ctx context.Context) ([]model.MirroredVideo, error) {
	return r.mirrored(ctx, `ORDER BY m.created_at, m.video_id`)
}

// MirroredByUUID is one mirror by its video's UUID (ErrNotFound).
func (r *Redundancy) MirroredByUUID(ctx context.Context, uuid string) (model.MirroredVideo, error) {
	ms, err := r.mirrored(ctx, `AND v.uuid = ?`, uuid)
	if err != nil {
		return model.MirroredVideo{}, err
	}
	if len(ms) == 0 {
		return model.MirroredVideo{}, ErrNotFound
	}
	return ms[0], nil
}

func (r *Redundancy) mirrored(ctx context.Context, rest string, args ...any) ([]model.MirroredVideo, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT m.video_id, v.uuid, v.name, COALESCE(rv.iri, ''), m.strategy, m.state, m.size, m.origin_inbox,
		m.expires_at, m.created_at FROM mirrored_videos m JOIN videos v ON v.id = m.video_id LEFT JOIN remote_videos rv ON rv.video_id = m.video_id
		WHERE 1 `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("mirrored videos: %w", classify(err))
	}
	defer rows.Close()
	var out []model.MirroredVideo
	for rows.Next() {
		var m model.MirroredVideo
		var exp, created int64
		if err := rows.Scan(&m.VideoID, &m.UUID, &m.Name, &m.IRI, &m.Strategy, &m.State, &m.Size, &m.OriginInbox, &exp, &created); err != nil {
			return nil, fmt.Errorf("mirrored videos: %w", classify(err))
		}
		// 0: no expiry (a copy the admin asked for).
		m.ExpiresAt, m.CreatedAt = timeOrZero(exp), time.UnixMilli(created)
		out = append(out, m)
	}
	return out, classify(rows.Err())
}

// MirrorTarget is the video ref names (its id, UUID or short UUID) as the
// admin's request to mirror it by hand needs it (ErrNotFound).
func (r *Redundancy) MirrorTarget(ctx context.Context, ref string) (model.MirrorTarget, error) {
	where, arg := `v.uuid = ? OR v.short_uuid = ?`, any(ref)
	args := []any{ref, ref}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		where, arg = `v.id = ?`, id
		args = []any{arg}
	}
	var t model.MirrorTarget
	var iri, hls, rends sql.NullString
	err := r.q.QueryRowContext(ctx, `SELECT v.id, v.uuid, v.name, v.privacy, v.state, rv.iri, rv.hls_url, rv.renditions,
		EXISTS (SELECT 1 FROM mirrored_videos m WHERE m.video_id = v.id)
		FROM videos v LEFT JOIN remote_videos rv ON rv.video_id = v.id WHERE `+where, args...).Scan(&t.VideoID, &t.UUID, &t.Name,
		&t.Privacy, &t.State, &iri, &hls, &rends, &t.Mirrored)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("mirror target %s: %w", ref, classify(err))
	}
	t.Remote, t.IRI, t.HLS = iri.Valid, iri.String, hls.String != ""
	var rs []model.RemoteRendition
	if json.Unmarshal([]byte(rends.String), &rs) == nil {
		for _, x := range rs {
			t.Size += max(0, x.Size)
		}
	}
	return t, nil
}
