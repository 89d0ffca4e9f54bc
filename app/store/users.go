package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Roles, numbered as PeerTube's UserRole.
const (
	RoleAdmin     = 0
	RoleModerator = 1
	RoleUser      = 2
)

// User is a local person who can log in.
type User struct {
	ID           int64
	Username     string
	Email        string
	PasswordHash string
	Role         int
	CreatedAt    time.Time
	AccountID    int64
}

// Account is what a user publishes as; it owns channels.
type Account struct {
	ID          int64
	UserID      int64
	Name        string
	DisplayName string
	Description string
	CreatedAt   time.Time
}

// Channel groups an account's videos.
type Channel struct {
	ID          int64
	AccountID   int64
	Name        string
	DisplayName string
	Description string
	Support     string
	CreatedAt   time.Time
	Account     Account
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Username, Email, PasswordHash string
	Role                          int
	ChannelName, ChannelDisplay   string
}

// CreateUser creates a user, its account and its default channel at once,
// as PeerTube does.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, Channel, error) {
	var u User
	var ch Channel
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		// Accounts and channels are both ActivityPub actors addressed by
		// name, so one name may not be both.
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM accounts WHERE name = ?1 OR name = ?2) +
			(SELECT COUNT(*) FROM channels WHERE name = ?1 OR name = ?2)`, nu.Username, nu.ChannelName).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 || strings.EqualFold(nu.Username, nu.ChannelName) {
			return fmt.Errorf("name %q or %q: %w", nu.Username, nu.ChannelName, ErrConflict)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users(username, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)`,
			nu.Username, nu.Email, nu.PasswordHash, nu.Role, t)
		if err != nil {
			return conflict(err, "user")
		}
		u = User{Username: nu.Username, Email: nu.Email, PasswordHash: nu.PasswordHash, Role: nu.Role, CreatedAt: time.UnixMilli(t)}
		u.ID, _ = res.LastInsertId()
		res, err = tx.ExecContext(ctx, `INSERT INTO accounts(user_id, name, display_name, created_at) VALUES (?, ?, ?, ?)`,
			u.ID, nu.Username, nu.Username, t)
		if err != nil {
			return conflict(err, "account")
		}
		u.AccountID, _ = res.LastInsertId()
		display := nu.ChannelDisplay
		if display == "" {
			display = nu.ChannelName
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO channels(account_id, name, display_name, created_at) VALUES (?, ?, ?, ?)`,
			u.AccountID, nu.ChannelName, display, t)
		if err != nil {
			return conflict(err, "channel")
		}
		id, _ := res.LastInsertId()
		ch = Channel{ID: id, AccountID: u.AccountID, Name: nu.ChannelName, DisplayName: display, CreatedAt: time.UnixMilli(t),
			Account: Account{ID: u.AccountID, UserID: u.ID, Name: nu.Username, DisplayName: nu.Username, CreatedAt: time.UnixMilli(t)}}
		return nil
	})
	if err != nil {
		return User{}, Channel{}, fmt.Errorf("create user %s: %w", nu.Username, err)
	}
	return u, ch, nil
}

func conflict(err error, what string) error {
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("%s: %w", what, ErrConflict)
	}
	return err
}

// HasAdmin reports whether the first-run setup is done.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE role = ?", RoleAdmin).Scan(&n)
	return n > 0, err
}

const userCols = `u.id, u.username, u.email, u.password_hash, u.role, u.created_at, a.id`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &created, &u.AccountID)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.CreatedAt = time.UnixMilli(created)
	return u, err
}

// UserByLogin finds a user by username or e-mail address.
func (s *Store) UserByLogin(ctx context.Context, login string) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u JOIN accounts a ON a.user_id = u.id
		WHERE u.username = ?1 OR u.email = ?1`, login))
}

// UserByID finds a user.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.id = ?`, id))
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, userID)
	return err
}

const accountCols = `a.id, COALESCE(a.user_id, 0), a.name, a.display_name, a.description, a.created_at`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var created int64
	err := row.Scan(&a.ID, &a.UserID, &a.Name, &a.DisplayName, &a.Description, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.CreatedAt = time.UnixMilli(created)
	return a, err
}

// AccountByName finds an account by its name.
func (s *Store) AccountByName(ctx context.Context, name string) (Account, error) {
	return scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.name = ?`, name))
}

const channelCols = `c.id, c.account_id, c.name, c.display_name, c.description, c.support, c.created_at, ` + accountCols

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	var created, acreated int64
	a := &c.Account
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.DisplayName, &c.Description, &c.Support, &created,
		&a.ID, &a.UserID, &a.Name, &a.DisplayName, &a.Description, &acreated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.CreatedAt, a.CreatedAt = time.UnixMilli(created), time.UnixMilli(acreated)
	return c, err
}

const channelFrom = ` FROM channels c JOIN accounts a ON a.id = c.account_id `

// ChannelByName finds a channel by its name.
func (s *Store) ChannelByName(ctx context.Context, name string) (Channel, error) {
	return scanChannel(s.db.QueryRowContext(ctx, `SELECT `+channelCols+channelFrom+`WHERE c.name = ?`, name))
}

// ChannelByID finds a channel.
func (s *Store) ChannelByID(ctx context.Context, id int64) (Channel, error) {
	return scanChannel(s.db.QueryRowContext(ctx, `SELECT `+channelCols+channelFrom+`WHERE c.id = ?`, id))
}

// ChannelsOfAccount lists an account's channels, oldest first.
func (s *Store) ChannelsOfAccount(ctx context.Context, accountID int64) ([]Channel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+channelCols+channelFrom+`WHERE c.account_id = ? ORDER BY c.id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
