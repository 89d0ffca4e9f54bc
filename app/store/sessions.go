package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Tokens are stored as hashes (the caller hashes): a copied database does
// not hand out live sessions.

// CreateSession stores a browser session.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, userID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		tokenHash, userID, now(), expires.UnixMilli())
	return err
}

// SessionUser returns the user of a live session.
func (s *Store) SessionUser(ctx context.Context, tokenHash []byte) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN accounts a ON a.user_id = u.id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, now()))
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
	return err
}

// PruneExpired removes expired sessions and tokens.
func (s *Store) PruneExpired(ctx context.Context) error {
	t := now()
	if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", t); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, "DELETE FROM oauth_tokens WHERE refresh_expires_at <= ?", t)
	return err
}

// OAuthClient is PeerTube's local client pair.
type OAuthClient struct{ ID, Secret string }

// LocalOAuthClient returns the instance's client, creating it with mk the
// first time.
func (s *Store) LocalOAuthClient(ctx context.Context, mk func() OAuthClient) (OAuthClient, error) {
	var c OAuthClient
	err := s.db.QueryRowContext(ctx, "SELECT client_id, client_secret FROM oauth_clients ORDER BY created_at LIMIT 1").Scan(&c.ID, &c.Secret)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	c = mk()
	_, err = s.db.ExecContext(ctx, "INSERT INTO oauth_clients(client_id, client_secret, created_at) VALUES (?, ?, ?)", c.ID, c.Secret, now())
	return c, err
}

// OAuthClientValid checks a client pair.
func (s *Store) OAuthClientValid(ctx context.Context, id, secret string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM oauth_clients WHERE client_id = ? AND client_secret = ?", id, secret).Scan(&n)
	return n > 0, err
}

// OAuthToken is a stored bearer token pair.
type OAuthToken struct {
	AccessHash, RefreshHash       []byte
	UserID                        int64
	ClientID                      string
	AccessExpires, RefreshExpires time.Time
}

// CreateOAuthToken stores a token pair.
func (s *Store) CreateOAuthToken(ctx context.Context, t OAuthToken) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO oauth_tokens(access_hash, refresh_hash, user_id, client_id, access_expires_at, refresh_expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.AccessHash, t.RefreshHash, t.UserID, t.ClientID, t.AccessExpires.UnixMilli(), t.RefreshExpires.UnixMilli(), now())
	return err
}

// AccessTokenUser returns the user of a live access token.
func (s *Store) AccessTokenUser(ctx context.Context, accessHash []byte) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM oauth_tokens t JOIN users u ON u.id = t.user_id
		JOIN accounts a ON a.user_id = u.id WHERE t.access_hash = ? AND t.access_expires_at > ?`, accessHash, now()))
}

// TakeRefreshToken deletes a live refresh token's pair and returns its user,
// so each refresh token is used once.
func (s *Store) TakeRefreshToken(ctx context.Context, refreshHash []byte, clientID string) (int64, error) {
	var uid int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT user_id FROM oauth_tokens WHERE refresh_hash = ? AND client_id = ? AND refresh_expires_at > ?",
			refreshHash, clientID, now()).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM oauth_tokens WHERE refresh_hash = ?", refreshHash)
		return err
	})
	return uid, err
}

// RevokeAccessToken deletes a token pair by its access token.
func (s *Store) RevokeAccessToken(ctx context.Context, accessHash []byte) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM oauth_tokens WHERE access_hash = ?", accessHash)
	return err
}

// Setting reads one admin setting; "" when unset.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes one admin setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}
