package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
)

// Recommendations (migration 0021): what channels recommend, local
// channels' own lists and remote channels' lists as read.
type Recommendations struct{ base }

// Recommendations returns the recommendations aggregate on the pool.
func (s *Store) Recommendations() *Recommendations {
	return &Recommendations{base{q: s.stmts, db: s.db, counts: s.counts}}
}

const recommendationCols = `id, channel_id, kind, COALESCE(video_id, 0), COALESCE(target_channel_id, 0), iri, url, name, note, position, created_at`

func scanRecommendation(sc interface{ Scan(...any) error }) (model.Recommendation, error) {
	var r model.Recommendation
	var created int64
	err := sc.Scan(&r.ID, &r.ChannelID, &r.Kind, &r.VideoID, &r.TargetChannelID, &r.IRI, &r.URL, &r.Name, &r.Note, &r.Position, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("recommendation: %w", classify(err))
	}
	r.CreatedAt = time.UnixMilli(created)
	return r, nil
}

// List is a channel's recommendations in their order, at most limit.
func (s *Recommendations) List(ctx context.Context, channelID int64, limit int) ([]model.Recommendation, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+recommendationCols+` FROM recommendations WHERE channel_id = ?
		ORDER BY position, id LIMIT ?`, channelID, limit)
	if err != nil {
		return nil, fmt.Errorf("recommendations of channel %d: %w", channelID, classify(err))
	}
	defer rows.Close()
	var out []model.Recommendation
	for rows.Next() {
		r, err := scanRecommendation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// Get is one recommendation of a channel.
func (s *Recommendations) Get(ctx context.Context, channelID, id int64) (model.Recommendation, error) {
	return scanRecommendation(s.q.QueryRowContext(ctx, `SELECT `+recommendationCols+` FROM recommendations
		WHERE channel_id = ? AND id = ?`, channelID, id))
}

// Add appends r to its channel's list; the same target again keeps its
// place and takes the new note. ok is false when the list already holds
// max recommendations (nothing written).
func (s *Recommendations) Add(ctx context.Context, r model.Recommendation, max int) (out model.Recommendation, ok bool, err error) {
	err = s.atomic(ctx, func(q dbtx) error {
		var n, next int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) + 1 FROM recommendations WHERE channel_id = ?
			AND iri <> ?`, r.ChannelID, r.IRI).Scan(&n, &next); err != nil {
			return classify(err)
		}
		if n >= max {
			return nil
		}
		ok = true
		if _, err := q.ExecContext(ctx, `INSERT INTO recommendations(channel_id, kind, video_id, target_channel_id, iri, url, name, note, position, created_at)
			VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel_id, iri) DO UPDATE SET note = excluded.note, name = excluded.name, url = excluded.url,
				video_id = excluded.video_id, target_channel_id = excluded.target_channel_id`,
			r.ChannelID, r.Kind, r.VideoID, r.TargetChannelID, r.IRI, r.URL, r.Name, r.Note, next, now()); err != nil {
			return classify(err)
		}
		out, err = scanRecommendation(q.QueryRowContext(ctx, `SELECT `+recommendationCols+` FROM recommendations
			WHERE channel_id = ? AND iri = ?`, r.ChannelID, r.IRI))
		return err
	})
	if err != nil {
		return out, false, fmt.Errorf("recommend %s for channel %d: %w", r.IRI, r.ChannelID, err)
	}
	return out, ok, nil
}

// Remove deletes one recommendation of a channel and returns it.
func (s *Recommendations) Remove(ctx context.Context, channelID, id int64) (model.Recommendation, error) {
	var r model.Recommendation
	err := s.atomic(ctx, func(q dbtx) error {
		var err error
		if r, err = scanRecommendation(q.QueryRowContext(ctx, `SELECT `+recommendationCols+` FROM recommendations
			WHERE channel_id = ? AND id = ?`, channelID, id)); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `DELETE FROM recommendations WHERE id = ?`, id)
		return classify(err)
	})
	return r, err
}

// RemoveIRI takes the recommendation of iri off a channel's list
// (ErrNotFound when it holds none).
func (s *Recommendations) RemoveIRI(ctx context.Context, channelID int64, iri string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM recommendations WHERE channel_id = ? AND iri = ?`, channelID, iri)
	return affected(res, err, "remove recommendation")
}

// Replace makes rs a (remote) channel's whole list, in their order; each
// target is linked to its row here when one has its IRI: a stored remote
// video or channel, or one of this server's, whose IRIs start with
// localBase (its public URL).
func (s *Recommendations) Replace(ctx context.Context, channelID int64, rs []model.Recommendation, localBase string) error {
	err := s.atomic(ctx, func(q dbtx) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM recommendations WHERE channel_id = ?`, channelID); err != nil {
			return classify(err)
		}
		for i, r := range rs {
			if err := insertResolved(ctx, q, channelID, r, i+1, localBase); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace recommendations of channel %d: %w", channelID, err)
	}
	return nil
}

// Recent are this server's channels' latest recommendations, newest
// first, with the recommending channel's name and display name (what a
// nearby box shows of this one).
func (s *Recommendations) Recent(ctx context.Context, limit int) ([]model.Recommendation, []model.Channel, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT r.id, r.channel_id, r.kind, COALESCE(r.video_id, 0), COALESCE(r.target_channel_id, 0),
		r.iri, r.url, r.name, r.note, r.position, r.created_at, c.name, c.display_name
		FROM recommendations r JOIN channels c ON c.id = r.channel_id WHERE c.remote_actor_id IS NULL
		ORDER BY r.created_at DESC, r.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("recent recommendations: %w", classify(err))
	}
	defer rows.Close()
	var rs []model.Recommendation
	var chs []model.Channel
	for rows.Next() {
		var ch model.Channel
		r, err := scanRecommendation(scanExtra{rows, []any{&ch.Name, &ch.DisplayName}})
		if err != nil {
			return nil, nil, err
		}
		ch.ID = r.ChannelID
		rs, chs = append(rs, r), append(chs, ch)
	}
	return rs, chs, classify(rows.Err())
}

// scanExtra scans a row's leading columns into the scanner's caller and
// its trailing ones into extra.
type scanExtra struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.sc.Scan(append(dest, s.extra...)...) }

// insertResolved adds r at position to a channel's list unless it holds
// its target already, linked to its row here as Replace says.
func insertResolved(ctx context.Context, q dbtx, channelID int64, r model.Recommendation, position int, localBase string) error {
	var uuid, name string
	if localBase != "" {
		if rest, ok := strings.CutPrefix(r.IRI, localBase+"/videos/watch/"); ok && r.Kind == model.RecommendVideo {
			uuid = rest
		}
		if rest, ok := strings.CutPrefix(r.IRI, localBase+"/video-channels/"); ok && r.Kind == model.RecommendChannel {
			name, _ = url.PathUnescape(rest)
		}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO recommendations(channel_id, kind, video_id, target_channel_id, iri, url, name, note, position, created_at)
		VALUES (?, ?, COALESCE((SELECT video_id FROM remote_videos WHERE iri = ?),
				(SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id WHERE ? <> '' AND v.uuid = ? AND c.remote_actor_id IS NULL)),
			COALESCE((SELECT c.id FROM channels c JOIN remote_actors ra ON ra.id = c.remote_actor_id WHERE ra.iri = ?),
				(SELECT c.id FROM channels c WHERE ? <> '' AND c.name = ? AND c.remote_actor_id IS NULL)),
			?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, iri) DO NOTHING`,
		channelID, r.Kind, r.IRI, uuid, uuid, r.IRI, name, name, r.IRI, r.URL, r.Name, r.Note, position, now())
	return classify(err)
}

// Append adds r at the end of a (remote) channel's list, linked as
// Replace links, unless the list holds its target already (what was read
// of the channel's collection, with its note, stays) or max items; ok
// is false when nothing was added.
func (s *Recommendations) Append(ctx context.Context, channelID int64, r model.Recommendation, localBase string, max int) (ok bool, err error) {
	err = s.atomic(ctx, func(q dbtx) error {
		var n, next, has int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) + 1, COUNT(CASE WHEN iri = ? THEN 1 END)
			FROM recommendations WHERE channel_id = ?`, r.IRI, channelID).Scan(&n, &next, &has); err != nil {
			return classify(err)
		}
		if has > 0 || n >= max {
			return nil
		}
		ok = true
		return insertResolved(ctx, q, channelID, r, next, localBase)
	})
	if err != nil {
		return false, fmt.Errorf("append %s to the recommendations of channel %d: %w", r.IRI, channelID, err)
	}
	return ok, nil
}
