package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Quotas reads and sets users' video quotas and what they use of them.
type Quotas struct{ base }

// Quotas is the quota aggregate on the pool.
func (s *Store) Quotas() *Quotas {
	return &Quotas{base{q: s.stmts, db: s.db, counts: s.counts}}
}

var _ repo.Quotas = (*Quotas)(nil)

// UserQuota is the user's own quota and daily quota; nil is "the
// instance default".
func (s *Quotas) UserQuota(ctx context.Context, userID int64) (quota, daily *int64, err error) {
	var q, d sql.NullInt64
	err = s.q.QueryRowContext(ctx, `SELECT video_quota, video_quota_daily FROM users WHERE id = ?`, userID).Scan(&q, &d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, model.ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("quota of user %d: %w", userID, err)
	}
	if q.Valid {
		quota = &q.Int64
	}
	if d.Valid {
		daily = &d.Int64
	}
	return quota, daily, nil
}

// SetUserQuota sets the fields that are not nil.
func (s *Quotas) SetUserQuota(ctx context.Context, userID int64, quota, daily *int64) error {
	res, err := s.q.ExecContext(ctx, `UPDATE users SET video_quota = coalesce(?2, video_quota),
		video_quota_daily = coalesce(?3, video_quota_daily) WHERE id = ?1`, userID, nullable(quota), nullable(daily))
	if err != nil {
		return fmt.Errorf("set quota of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// Used is the bytes of the user's videos (their originals, as PeerTube
// counts the files it keeps of an upload), all and those created since.
func (s *Quotas) Used(ctx context.Context, userID int64, since time.Time) (total, recent int64, err error) {
	err = s.q.QueryRowContext(ctx, `SELECT coalesce(sum(v.size), 0),
		coalesce(sum(CASE WHEN v.created_at >= ?2 THEN v.size ELSE 0 END), 0)
		FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id
		WHERE a.user_id = ?1`, userID, since.UnixMilli()).Scan(&total, &recent)
	if err != nil {
		return 0, 0, fmt.Errorf("quota used by user %d: %w", userID, err)
	}
	return total, recent, nil
}

func nullable(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
