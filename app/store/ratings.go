package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Ratings is the likes and dislikes aggregate (see Comments for why it
// stands beside Aggregates).
type Ratings struct{ base }

// Ratings returns the ratings aggregate on the pool.
func (s *Store) Ratings() *Ratings { return &Ratings{base{q: s.stmts, db: s.db, counts: s.counts}} }

// Rate replaces an account's rating of a video and moves the video's
// counters by the difference, in one transaction: BEGIN IMMEDIATE
// serialises concurrent ratings, so the counters always equal the rows.
func (s *Ratings) Rate(ctx context.Context, accountID, videoID int64, rating string) (likes, dislikes int64, err error) {
	err = s.atomic(ctx, func(q dbtx) error {
		likes, dislikes, err = rate(ctx, q, accountID, videoID, rating, "")
		return err
	})
	return likes, dislikes, err
}

// rate is Rate inside the caller's transaction; activityID is the remote
// Like or Dislike it came from ("" for a local rating).
func rate(ctx context.Context, q dbtx, accountID, videoID int64, rating, activityID string) (likes, dislikes int64, err error) {
	var old string
	err = q.QueryRowContext(ctx, "SELECT type FROM video_rates WHERE account_id = ? AND video_id = ?", accountID, videoID).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		old = model.RatingNone
	} else if err != nil {
		return 0, 0, fmt.Errorf("read rating: %w", classify(err))
	}
	if rating == model.RatingNone {
		_, err = q.ExecContext(ctx, "DELETE FROM video_rates WHERE account_id = ? AND video_id = ?", accountID, videoID)
	} else {
		_, err = q.ExecContext(ctx, `INSERT INTO video_rates(account_id, video_id, type, created_at, activity_id) VALUES (?, ?, ?, ?, NULLIF(?, ''))
			ON CONFLICT(account_id, video_id) DO UPDATE SET type = excluded.type, created_at = excluded.created_at, activity_id = excluded.activity_id`,
			accountID, videoID, rating, now(), activityID)
	}
	if code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return 0, 0, fmt.Errorf("video %d: %w", videoID, ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store rating: %w", classify(err))
	}
	dl, dd := delta(old, rating, model.RatingLike), delta(old, rating, model.RatingDislike)
	err = q.QueryRowContext(ctx, `UPDATE videos SET likes = MAX(0, likes + ?), dislikes = MAX(0, dislikes + ?)
		WHERE id = ? RETURNING likes, dislikes`, dl, dd, videoID).Scan(&likes, &dislikes)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("video %d: %w", videoID, ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("count ratings: %w", classify(err))
	}
	return likes, dislikes, nil
}

// delta is how a change from old to new moves the counter of kind.
func delta(old, new, kind string) int {
	switch {
	case old == new:
		return 0
	case new == kind:
		return 1
	case old == kind:
		return -1
	}
	return 0
}

// RatingOf is an account's rating of a video (model.RatingNone if none).
func (s *Ratings) RatingOf(ctx context.Context, accountID, videoID int64) (string, error) {
	var r string
	err := s.q.QueryRowContext(ctx, "SELECT type FROM video_rates WHERE account_id = ? AND video_id = ?", accountID, videoID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return model.RatingNone, nil
	}
	return r, classify(err)
}

// Counts are a video's likes and dislikes.
func (s *Ratings) Counts(ctx context.Context, videoID int64) (likes, dislikes int64, err error) {
	err = s.q.QueryRowContext(ctx, "SELECT likes, dislikes FROM videos WHERE id = ?", videoID).Scan(&likes, &dislikes)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrNotFound
	}
	return likes, dislikes, classify(err)
}

var (
	_ repo.Ratings  = (*Ratings)(nil)
	_ repo.Comments = (*Comments)(nil)
)
