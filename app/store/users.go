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

// Users is the administrators' user management.
type Users struct{ base }

// Users is the user-management aggregate on the pool.
func (s *Store) Users() *Users { return &Users{base{q: s.stmts, db: s.db, counts: s.counts}} }

var _ repo.Users = (*Users)(nil)

// userSortSQL is each of repo.UserSorts as an ORDER BY, ties broken by id.
var userSortSQL = map[string]string{
	"": "u.id DESC", "-id": "u.id DESC", "id": "u.id",
	"username": "u.username, u.id", "-username": "u.username DESC, u.id DESC",
	"createdAt": "u.created_at, u.id", "-createdAt": "u.created_at DESC, u.id DESC",
}

// userRowCols are a user, their account and their own quotas.
const userRowCols = userCols + `, a.name, a.display_name, a.description, a.created_at, u.video_quota, u.video_quota_daily`

func scanUserRow(r interface{ Scan(...any) error }) (repo.UserRow, error) {
	var row repo.UserRow
	var quota, daily sql.NullInt64
	var created, acctCreated int64
	u, a := &row.User, &row.Account
	err := r.Scan(&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &created, &u.AccountID, &u.Blocked, &u.BlockedReason,
		&a.Name, &a.DisplayName, &a.Description, &acctCreated, &quota, &daily)
	if errors.Is(err, sql.ErrNoRows) {
		return row, ErrNotFound
	}
	u.CreatedAt = time.UnixMilli(created)
	a.ID, a.UserID, a.CreatedAt = u.AccountID, u.ID, time.UnixMilli(acctCreated)
	if quota.Valid {
		row.VideoQuota = &quota.Int64
	}
	if daily.Valid {
		row.VideoQuotaDaily = &daily.Int64
	}
	return row, classify(err)
}

// List is a page of users and how many match.
func (s *Users) List(ctx context.Context, q repo.UserQuery) ([]repo.UserRow, int, error) {
	order, ok := userSortSQL[q.Sort]
	if !ok {
		return nil, 0, fmt.Errorf("list users: unknown sort %q", q.Sort)
	}
	var conds []string
	args := []any{}
	if q.Search != "" {
		// LIKE's wildcards in the search are literal characters.
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Search)
		args = append(args, "%"+esc+"%")
		conds = append(conds, `(u.username LIKE ?1 ESCAPE '\' OR u.email LIKE ?1 ESCAPE '\')`)
	}
	if q.Blocked != nil {
		args = append(args, *q.Blocked)
		conds = append(conds, fmt.Sprintf(`u.blocked = ?%d`, len(args)))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", classify(err))
	}
	n := len(args)
	rows, err := s.q.QueryContext(ctx, `SELECT `+userRowCols+` FROM users u
		JOIN accounts a ON a.user_id = u.id`+where+fmt.Sprintf(` ORDER BY %s LIMIT ?%d OFFSET ?%d`, order, n+1, n+2),
		append(args, q.Count, q.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", classify(err))
	}
	out, err := collect(rows, scanUserRow)
	return out, total, err
}

// Get is user userID with their account and quotas.
func (s *Users) Get(ctx context.Context, userID int64) (repo.UserRow, error) {
	row, err := scanUserRow(s.q.QueryRowContext(ctx, `SELECT `+userRowCols+` FROM users u
		JOIN accounts a ON a.user_id = u.id WHERE u.id = ?`, userID))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return row, fmt.Errorf("user %d: %w", userID, err)
	}
	return row, err
}

// keepsAnAdmin refuses, inside the write's transaction, a change after
// which no active (unbanned) administrator other than userID would remain,
// when userID is one now.
func keepsAnAdmin(ctx context.Context, q dbtx, userID int64) error {
	var isAdmin, others int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM users WHERE id = ?1 AND role = ?2 AND blocked = 0),
		(SELECT COUNT(*) FROM users WHERE id <> ?1 AND role = ?2 AND blocked = 0)`, userID, model.RoleAdmin).Scan(&isAdmin, &others)
	if err != nil {
		return fmt.Errorf("count administrators: %w", classify(err))
	}
	if isAdmin > 0 && others == 0 {
		return repo.ErrLastAdmin
	}
	return nil
}

// exec runs one update of user userID, ErrNotFound when there is none.
func execUser(ctx context.Context, q dbtx, userID int64, query string, args ...any) error {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("update user %d: %w", userID, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetRole changes a user's role; the last administrator keeps theirs.
func (s *Users) SetRole(ctx context.Context, userID int64, role int) error {
	return s.atomic(ctx, func(q dbtx) error {
		if role != model.RoleAdmin {
			if err := keepsAnAdmin(ctx, q, userID); err != nil {
				return err
			}
		}
		return execUser(ctx, q, userID, `UPDATE users SET role = ? WHERE id = ?`, role, userID)
	})
}

// SetBlocked bans or unbans a user. A ban ends their browser sessions and
// OAuth tokens in the same transaction: nothing they hold works after it.
func (s *Users) SetBlocked(ctx context.Context, userID int64, blocked bool, reason string) error {
	return s.atomic(ctx, func(q dbtx) error {
		if blocked {
			if err := keepsAnAdmin(ctx, q, userID); err != nil {
				return err
			}
		} else {
			reason = ""
		}
		if err := execUser(ctx, q, userID, `UPDATE users SET blocked = ?, blocked_reason = ? WHERE id = ?`, blocked, reason, userID); err != nil {
			return err
		}
		if !blocked {
			return nil
		}
		for _, stmt := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM oauth_tokens WHERE user_id = ?`} {
			if _, err := q.ExecContext(ctx, stmt, userID); err != nil {
				return fmt.Errorf("end the sessions of user %d: %w", userID, classify(err))
			}
		}
		return nil
	})
}

// VideoUUIDs are the user's videos, in every channel.
func (s *Users) VideoUUIDs(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT v.uuid FROM videos v JOIN channels c ON c.id = v.channel_id
		JOIN accounts a ON a.id = c.account_id WHERE a.user_id = ? ORDER BY v.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("videos of user %d: %w", userID, classify(err))
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var u string
		return u, r.Scan(&u)
	})
}

// Delete removes a user with their account, channels and what hangs on
// them (the schema's cascades); the last administrator stays.
func (s *Users) Delete(ctx context.Context, userID int64) error {
	return s.atomic(ctx, func(q dbtx) error {
		if err := keepsAnAdmin(ctx, q, userID); err != nil {
			return err
		}
		return execUser(ctx, q, userID, `DELETE FROM users WHERE id = ?`, userID)
	})
}
