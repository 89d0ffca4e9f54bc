package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
)

// Supporters are the creators' supporter lists, the early-access dates of
// supporter-only videos, and the direct Notes already sent (#11,
// migration 0022).
type Supporters struct{ base }

// Supporters is the supporters aggregate on the pool.
func (s *Store) Supporters() *Supporters {
	return &Supporters{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// SupportersTx is the supporters aggregate inside tx.
func (t *Tx) Supporters() *Supporters { return &Supporters{t.Aggregates.Videos.base} }

const supporterCols = `id, account_id, kind, COALESCE(local_account_id, 0), actor_iri, inbox, name, nonce, created_at, revoked_at`

func scanSupporter(r interface{ Scan(...any) error }) (model.Supporter, error) {
	var sp model.Supporter
	var created int64
	var revoked sql.NullInt64
	if err := r.Scan(&sp.ID, &sp.AccountID, &sp.Kind, &sp.LocalAccountID, &sp.ActorIRI, &sp.Inbox, &sp.Name, &sp.Nonce,
		&created, &revoked); err != nil {
		return sp, err
	}
	sp.CreatedAt = time.UnixMilli(created)
	if revoked.Valid {
		sp.RevokedAt = time.UnixMilli(revoked.Int64)
	}
	return sp, nil
}

// Add stores a new supporter; tokenHash is the hash of their link's token.
func (s *Supporters) Add(ctx context.Context, sp *model.Supporter, tokenHash string) error {
	var local any
	if sp.LocalAccountID != 0 {
		local = sp.LocalAccountID
	}
	t := now()
	res, err := s.q.ExecContext(ctx, `INSERT INTO supporters(account_id, kind, local_account_id, actor_iri, inbox, name, nonce,
		token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sp.AccountID, sp.Kind, local, sp.ActorIRI, sp.Inbox, sp.Name, sp.Nonce, tokenHash, t)
	if err != nil {
		return fmt.Errorf("add supporter: %w", classify(err))
	}
	sp.ID, _ = res.LastInsertId()
	sp.CreatedAt = time.UnixMilli(t)
	return nil
}

// List is an account's supporters, revoked ones included, newest first.
func (s *Supporters) List(ctx context.Context, accountID int64) ([]model.Supporter, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT "+supporterCols+" FROM supporters WHERE account_id = ? ORDER BY id DESC", accountID)
	if err != nil {
		return nil, fmt.Errorf("list supporters: %w", classify(err))
	}
	defer rows.Close()
	var out []model.Supporter
	for rows.Next() {
		sp, err := scanSupporter(rows)
		if err != nil {
			return nil, fmt.Errorf("list supporters: %w", classify(err))
		}
		out = append(out, sp)
	}
	return out, classify(rows.Err())
}

// Get is one supporter of an account (model.ErrNotFound if not theirs).
func (s *Supporters) Get(ctx context.Context, accountID, id int64) (model.Supporter, error) {
	sp, err := scanSupporter(s.q.QueryRowContext(ctx, "SELECT "+supporterCols+" FROM supporters WHERE id = ? AND account_id = ?", id, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, model.ErrNotFound
	}
	return sp, classify(err)
}

// ByTokenHash is the active supporter whose link's token has this hash.
func (s *Supporters) ByTokenHash(ctx context.Context, hash string) (model.Supporter, error) {
	sp, err := scanSupporter(s.q.QueryRowContext(ctx, "SELECT "+supporterCols+" FROM supporters WHERE token_hash = ? AND revoked_at IS NULL", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return sp, model.ErrNotFound
	}
	return sp, classify(err)
}

// Revoke ends a supporter's access (model.ErrNotFound if not the account's).
func (s *Supporters) Revoke(ctx context.Context, accountID, id int64) error {
	res, err := s.q.ExecContext(ctx, "UPDATE supporters SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
		now(), id, accountID)
	if err != nil {
		return fmt.Errorf("revoke supporter %d: %w", id, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// SupportedBy are the accounts a local account actively supports.
func (s *Supporters) SupportedBy(ctx context.Context, localAccountID int64) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT DISTINCT account_id FROM supporters
		WHERE local_account_id = ? AND revoked_at IS NULL`, localAccountID)
	if err != nil {
		return nil, fmt.Errorf("supported accounts: %w", classify(err))
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

// SetEarlyAccess makes a video turn public at (zero: never, the row goes).
func (s *Supporters) SetEarlyAccess(ctx context.Context, videoID int64, at time.Time) error {
	var err error
	if at.IsZero() {
		_, err = s.q.ExecContext(ctx, "DELETE FROM video_early_access WHERE video_id = ?", videoID)
	} else {
		_, err = s.q.ExecContext(ctx, `INSERT INTO video_early_access(video_id, public_at) VALUES (?, ?)
			ON CONFLICT(video_id) DO UPDATE SET public_at = excluded.public_at`, videoID, at.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("early access of video %d: %w", videoID, classify(err))
	}
	return nil
}

// EarlyAccess is when a video turns public (zero: not scheduled).
func (s *Supporters) EarlyAccess(ctx context.Context, videoID int64) (time.Time, error) {
	var at int64
	err := s.q.QueryRowContext(ctx, "SELECT public_at FROM video_early_access WHERE video_id = ?", videoID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, classify(err)
	}
	return time.UnixMilli(at), nil
}

// DueEarlyAccess are the videos whose early access ended by now.
func (s *Supporters) DueEarlyAccess(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT video_id FROM video_early_access WHERE public_at <= ? ORDER BY public_at", now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("due early access: %w", classify(err))
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

// MakePublic turns a supporter-only video public, published now (it
// federates as a new video), and forgets its early access. It reports
// whether the video was still supporter-only.
func (s *Supporters) MakePublic(ctx context.Context, videoID int64, at time.Time) (bool, error) {
	defer s.counts.invalidate()
	if _, err := s.q.ExecContext(ctx, "DELETE FROM video_early_access WHERE video_id = ?", videoID); err != nil {
		return false, fmt.Errorf("early access of video %d: %w", videoID, classify(err))
	}
	res, err := s.q.ExecContext(ctx, `UPDATE videos SET privacy = ?, updated_at = ?,
		published_at = CASE WHEN published_at IS NULL THEN NULL ELSE ? END WHERE id = ? AND privacy = ?`,
		model.PrivacyPublic, at.UnixMilli(), at.UnixMilli(), videoID, model.PrivacySupporters)
	if err != nil {
		return false, fmt.Errorf("publish video %d: %w", videoID, classify(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// MarkNoted records that a supporter was sent the direct Note of a video;
// false if they already were.
func (s *Supporters) MarkNoted(ctx context.Context, videoID, supporterID int64) (bool, error) {
	res, err := s.q.ExecContext(ctx, "INSERT OR IGNORE INTO supporter_notes(video_id, supporter_id) VALUES (?, ?)", videoID, supporterID)
	if err != nil {
		return false, fmt.Errorf("note of video %d: %w", videoID, classify(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// LocalUnnoted are an account's active local supporters (their users)
// not yet told of a video (app/notifications).
func (s *Supporters) LocalUnnoted(ctx context.Context, accountID, videoID int64) ([]model.LocalSupporter, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT sp.id, u.id FROM supporters sp
		JOIN accounts a ON a.id = sp.local_account_id JOIN users u ON u.id = a.user_id
		WHERE sp.account_id = ? AND sp.kind = 'local' AND sp.revoked_at IS NULL
		AND sp.id NOT IN (SELECT supporter_id FROM supporter_notes WHERE video_id = ?) ORDER BY sp.id`, accountID, videoID)
	if err != nil {
		return nil, fmt.Errorf("local supporters: %w", classify(err))
	}
	defer rows.Close()
	var out []model.LocalSupporter
	for rows.Next() {
		var l model.LocalSupporter
		if err := rows.Scan(&l.SupporterID, &l.UserID); err != nil {
			return nil, classify(err)
		}
		out = append(out, l)
	}
	return out, classify(rows.Err())
}

// Unnoted are an account's active remote supporters not yet sent the
// direct Note of a video.
func (s *Supporters) Unnoted(ctx context.Context, accountID, videoID int64) ([]model.Supporter, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT "+supporterCols+` FROM supporters
		WHERE account_id = ? AND kind = 'remote' AND revoked_at IS NULL AND inbox != ''
		AND id NOT IN (SELECT supporter_id FROM supporter_notes WHERE video_id = ?) ORDER BY id`, accountID, videoID)
	if err != nil {
		return nil, fmt.Errorf("remote supporters: %w", classify(err))
	}
	defer rows.Close()
	var out []model.Supporter
	for rows.Next() {
		sp, err := scanSupporter(rows)
		if err != nil {
			return nil, classify(err)
		}
		out = append(out, sp)
	}
	return out, classify(rows.Err())
}
