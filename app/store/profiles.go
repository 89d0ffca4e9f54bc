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

// Profiles is what a user changes of themselves (repo.Profiles).
type Profiles struct{ base }

// Profiles returns the profiles aggregate on the pool.
func (s *Store) Profiles() *Profiles {
	return &Profiles{base{q: s.stmts, db: s.db, counts: s.counts}}
}

var _ repo.Profiles = (*Profiles)(nil)

// SetDisplayName renames an account (its channels keep their names).
func (s *Profiles) SetDisplayName(ctx context.Context, accountID int64, name string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE accounts SET display_name = ? WHERE id = ?`, name, accountID)
	if err != nil {
		return fmt.Errorf("rename account %d: %w", accountID, classify(err))
	}
	return oneRow(res)
}

func oneRow(res sql.Result) error {
	if n, err := res.RowsAffected(); err != nil {
		return classify(err)
	} else if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// Avatar is the account's avatar (zero: none).
func (s *Profiles) Avatar(ctx context.Context, accountID int64) (repo.Avatar, error) {
	var a repo.Avatar
	var at int64
	err := s.q.QueryRowContext(ctx, `SELECT avatar, avatar_updated_at FROM accounts WHERE id = ?`, accountID).Scan(&a.File, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return a, model.ErrNotFound
	} else if err != nil {
		return a, fmt.Errorf("avatar of account %d: %w", accountID, classify(err))
	}
	if a.File != "" {
		a.UpdatedAt = time.UnixMilli(at)
	}
	return a, nil
}

// Avatars are the avatars of the accounts that have one.
func (s *Profiles) Avatars(ctx context.Context) (map[int64]repo.Avatar, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, avatar, avatar_updated_at FROM accounts WHERE avatar <> ''`)
	if err != nil {
		return nil, fmt.Errorf("avatars: %w", classify(err))
	}
	defer rows.Close()
	out := map[int64]repo.Avatar{}
	for rows.Next() {
		var id, at int64
		var a repo.Avatar
		if err := rows.Scan(&id, &a.File, &at); err != nil {
			return nil, fmt.Errorf("avatars: %w", classify(err))
		}
		a.UpdatedAt = time.UnixMilli(at)
		out[id] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("avatars: %w", classify(err))
	}
	return out, nil
}

// SetAvatar replaces the avatar in one transaction, returning the old one.
func (s *Profiles) SetAvatar(ctx context.Context, accountID int64, a repo.Avatar) (old repo.Avatar, err error) {
	err = s.atomic(ctx, func(q dbtx) error {
		var at int64
		if err := q.QueryRowContext(ctx, `SELECT avatar, avatar_updated_at FROM accounts WHERE id = ?`, accountID).Scan(&old.File, &at); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return model.ErrNotFound
			}
			return classify(err)
		}
		if old.File != "" {
			old.UpdatedAt = time.UnixMilli(at)
		}
		var ms int64
		if a.File != "" {
			ms = a.UpdatedAt.UnixMilli()
		}
		_, err := q.ExecContext(ctx, `UPDATE accounts SET avatar = ?, avatar_updated_at = ? WHERE id = ?`, a.File, ms, accountID)
		return classify(err)
	})
	if err != nil {
		return old, fmt.Errorf("set avatar of account %d: %w", accountID, err)
	}
	return old, nil
}

// DefaultPrivacy is the privacy the user's upload form starts from.
func (s *Profiles) DefaultPrivacy(ctx context.Context, userID int64) (int, error) {
	var p int
	err := s.q.QueryRowContext(ctx, `SELECT default_privacy FROM users WHERE id = ?`, userID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, model.ErrNotFound
	} else if err != nil {
		return 0, fmt.Errorf("default privacy of user %d: %w", userID, classify(err))
	}
	return p, nil
}

// SetDefaultPrivacy stores the privacy the user's uploads start from.
func (s *Profiles) SetDefaultPrivacy(ctx context.Context, userID int64, privacy int) error {
	res, err := s.q.ExecContext(ctx, `UPDATE users SET default_privacy = ? WHERE id = ?`, privacy, userID)
	if err != nil {
		return fmt.Errorf("default privacy of user %d: %w", userID, classify(err))
	}
	return oneRow(res)
}

// SetLanguage stores the interface language the user chose.
func (s *Profiles) SetLanguage(ctx context.Context, userID int64, lang string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE users SET language = ? WHERE id = ?`, lang, userID)
	if err != nil {
		return fmt.Errorf("language of user %d: %w", userID, classify(err))
	}
	return oneRow(res)
}

// AccountLanguage is the interface language of the account's user: ""
// when they chose none, or the account is remote.
func (s *Profiles) AccountLanguage(ctx context.Context, accountID int64) (string, error) {
	var lang string
	err := s.q.QueryRowContext(ctx, `SELECT u.language FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.id = ?`, accountID).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("language of account %d: %w", accountID, classify(err))
	}
	return lang, nil
}

// RemoteIcon is a remote account whose actor names an icon that its
// stored avatar may not show yet.
type RemoteIcon = repo.RemoteIcon

// RemoteIconsDue lists, at most limit, the remote accounts whose actor has
// an icon and was fetched since their avatar was last set (or that have
// none): their picture is to be fetched again.
func (s *Profiles) RemoteIconsDue(ctx context.Context, limit int) ([]RemoteIcon, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT a.id, r.icon, r.fetched_at FROM accounts a JOIN remote_actors r ON r.id = a.remote_actor_id
		WHERE r.icon <> '' AND a.avatar_updated_at < r.fetched_at ORDER BY a.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("remote icons: %w", classify(err))
	}
	defer rows.Close()
	var out []RemoteIcon
	for rows.Next() {
		var ri RemoteIcon
		var fetched int64
		if err := rows.Scan(&ri.AccountID, &ri.URL, &fetched); err != nil {
			return nil, fmt.Errorf("remote icons: %w", classify(err))
		}
		ri.ActorFetchedAt = time.UnixMilli(fetched)
		out = append(out, ri)
	}
	return out, classify(rows.Err())
}
