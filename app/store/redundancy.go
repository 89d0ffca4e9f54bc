package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

const mirrorCols = `m.iri, m.video_id, v.uuid, v.name, m.actor_iri, m.host, m.base_url, m.expires_at, m.created_at, m.updated_at`

func scanMirror(r interface{ Scan(...any) error }) (model.Mirror, error) {
	var m model.Mirror
	var expires sql.NullInt64
	var created, updated int64
	if err := r.Scan(&m.IRI, &m.VideoID, &m.VideoUUID, &m.VideoName, &m.ActorIRI, &m.Host, &m.BaseURL, &expires,
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

// Mirrors lists every mirror of a local video, newest first, at most
// limit, and how many there are.
func (r *Redundancy) Mirrors(ctx context.Context, limit int) ([]model.Mirror, int, error) {
	var total int
	if err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM video_mirrors`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count mirrors: %w", classify(err))
	}
	ms, err := r.mirrors(ctx, `ORDER BY m.id DESC LIMIT ?`, limit)
	return ms, total, err
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
