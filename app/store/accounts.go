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

// Accounts is the users, accounts and channels aggregate.
type Accounts struct{ base }

// CreateUser creates a user, its account and its default channel, all
// three or none.
func (s *Accounts) CreateUser(ctx context.Context, nu repo.NewUser) (u model.User, ch model.Channel, err error) {
	err = s.atomic(ctx, func(q dbtx) error {
		u, ch, err = createUser(ctx, q, nu)
		return err
	})
	return u, ch, err
}

func createUser(ctx context.Context, q dbtx, nu repo.NewUser) (model.User, model.Channel, error) {
	var u model.User
	var ch model.Channel
	t := now()
	// Accounts and channels are both ActivityPub actors addressed by name,
	// so one name may not be both.
	var taken int
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM accounts WHERE name = ?1 OR name = ?2) +
		(SELECT COUNT(*) FROM channels WHERE name = ?1 OR name = ?2)`, nu.Username, nu.ChannelName).Scan(&taken); err != nil {
		return u, ch, classify(err)
	}
	if taken > 0 || strings.EqualFold(nu.Username, nu.ChannelName) {
		return u, ch, fmt.Errorf("name %q or %q: %w", nu.Username, nu.ChannelName, ErrConflict)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO users(username, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)`,
		nu.Username, nu.Email, nu.PasswordHash, nu.Role, t)
	if err != nil {
		return u, ch, conflict(err, "user")
	}
	u = model.User{Username: nu.Username, Email: nu.Email, PasswordHash: nu.PasswordHash, Role: nu.Role, CreatedAt: time.UnixMilli(t)}
	u.ID, _ = res.LastInsertId()
	res, err = q.ExecContext(ctx, `INSERT INTO accounts(id, user_id, name, display_name, created_at) VALUES (`+unusedActorID("accounts", "account")+`, ?, ?, ?, ?)`,
		u.ID, nu.Username, nu.Username, t)
	if err != nil {
		return u, ch, conflict(err, "account")
	}
	u.AccountID, _ = res.LastInsertId()
	display := nu.ChannelDisplay
	if display == "" {
		display = nu.ChannelName
	}
	res, err = q.ExecContext(ctx, `INSERT INTO channels(id, account_id, name, display_name, created_at) VALUES (`+unusedActorID("channels", "channel")+`, ?, ?, ?, ?)`,
		u.AccountID, nu.ChannelName, display, t)
	if err != nil {
		return u, ch, conflict(err, "channel")
	}
	id, _ := res.LastInsertId()
	ch = model.Channel{ID: id, AccountID: u.AccountID, Name: nu.ChannelName, DisplayName: display, CreatedAt: time.UnixMilli(t),
		Account: model.Account{ID: u.AccountID, UserID: u.ID, Name: nu.Username, DisplayName: nu.Username, CreatedAt: time.UnixMilli(t)}}
	return u, ch, nil
}

// HasAdmin reports whether the first-run setup is done.
func (s *Accounts) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM users WHERE role = ?)", model.RoleAdmin).Scan(&n)
	return n > 0, classify(err)
}

const userCols = `u.id, u.username, u.email, u.password_hash, u.role, u.created_at, a.id, u.blocked, u.blocked_reason`

func scanUser(row interface{ Scan(...any) error }) (model.User, error) {
	var u model.User
	var created int64
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &created, &u.AccountID, &u.Blocked, &u.BlockedReason)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.CreatedAt = time.UnixMilli(created)
	return u, classify(err)
}

// UserByLogin finds a user by username or e-mail address.
func (s *Accounts) UserByLogin(ctx context.Context, login string) (model.User, error) {
	return scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u JOIN accounts a ON a.user_id = u.id
		WHERE u.username = ?1 OR u.email = ?1`, login))
}

// UserByID finds a user.
func (s *Accounts) UserByID(ctx context.Context, id int64) (model.User, error) {
	return scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.id = ?`, id))
}

// SetPassword replaces a user's password hash.
// The user's sessions other than keepSession (a token hash; "" keeps
// none) and their API tokens end with the old password, in the same
// transaction: whoever knew it is logged out.
func (s *Accounts) SetPassword(ctx context.Context, userID int64, hash string, keepSession []byte) error {
	return s.atomic(ctx, func(q dbtx) error {
		if _, err := q.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, userID); err != nil {
			return classify(err)
		}
		if _, err := q.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?", userID, keepSession); err != nil {
			return fmt.Errorf("end the other sessions of user %d: %w", userID, classify(err))
		}
		if _, err := q.ExecContext(ctx, "DELETE FROM oauth_tokens WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("end the tokens of user %d: %w", userID, classify(err))
		}
		return nil
	})
}

const accountCols = `a.id, COALESCE(a.user_id, 0), a.name, a.display_name, a.description, a.created_at, COALESCE(a.remote_actor_id, 0)`

func scanAccount(row interface{ Scan(...any) error }) (model.Account, error) {
	var a model.Account
	var created int64
	err := row.Scan(accountDest(&a, &created)...)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.CreatedAt = time.UnixMilli(created)
	return a, classify(err)
}

// accountDest is where a row of accountCols is scanned; *created takes
// the creation time in milliseconds.
func accountDest(a *model.Account, created *int64) []any {
	return []any{&a.ID, &a.UserID, &a.Name, &a.DisplayName, &a.Description, created, &a.RemoteActorID}
}

// channelDest is where a row of channelCols is scanned.
func channelDest(c *model.Channel, created, accountCreated *int64) []any {
	return append([]any{&c.ID, &c.AccountID, &c.Name, &c.DisplayName, &c.Description, &c.Support, created, &c.RemoteActorID},
		accountDest(&c.Account, accountCreated)...)
}

// AccountByName finds an account by its name.
func (s *Accounts) AccountByName(ctx context.Context, name string) (model.Account, error) {
	return scanAccount(s.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.name = ?`, name))
}

// AccountByID finds an account by its id (PeerTube's feeds name it so).
func (s *Accounts) AccountByID(ctx context.Context, id int64) (model.Account, error) {
	return scanAccount(s.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.id = ?`, id))
}

const channelCols = `c.id, c.account_id, c.name, c.display_name, c.description, c.support, c.created_at, COALESCE(c.remote_actor_id, 0), ` + accountCols

func scanChannel(row interface{ Scan(...any) error }) (model.Channel, error) {
	var c model.Channel
	var created, acreated int64
	a := &c.Account
	err := row.Scan(channelDest(&c, &created, &acreated)...)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.CreatedAt, a.CreatedAt = time.UnixMilli(created), time.UnixMilli(acreated)
	return c, classify(err)
}

const channelFrom = ` FROM channels c JOIN accounts a ON a.id = c.account_id `

// ChannelByName finds a channel by its name.
func (s *Accounts) ChannelByName(ctx context.Context, name string) (model.Channel, error) {
	return scanChannel(s.q.QueryRowContext(ctx, `SELECT `+channelCols+channelFrom+`WHERE c.name = ?`, name))
}

// ChannelByID finds a channel.
func (s *Accounts) ChannelByID(ctx context.Context, id int64) (model.Channel, error) {
	return scanChannel(s.q.QueryRowContext(ctx, `SELECT `+channelCols+channelFrom+`WHERE c.id = ?`, id))
}

// ChannelsOfAccount lists an account's channels, oldest first.
func (s *Accounts) ChannelsOfAccount(ctx context.Context, accountID int64) ([]model.Channel, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+channelCols+channelFrom+`WHERE c.account_id = ? ORDER BY c.id`, accountID)
	if err != nil {
		return nil, classify(err)
	}
	return collect(rows, scanChannel)
}

// unusedActorID is SQL for the id of a new account or channel that no
// actor key names: SQLite would give a deleted newest row's id to the next
// one, and that actor's key pair (kept after it, to sign its Delete) would
// then sign for a stranger.
func unusedActorID(table, kind string) string {
	return `(SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(id), 0) AS n FROM ` + table +
		` UNION ALL SELECT COALESCE(MAX(actor_id), 0) FROM actor_keys WHERE actor_kind = '` + kind + `'))`
}
