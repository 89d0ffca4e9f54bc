package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Sessions is the browser sessions and OAuth tokens aggregate.
type Sessions struct{ base }

// Settings is the admin's key/value settings.
type Settings struct{ base }

// Tokens are stored as hashes (the caller hashes): a copied database does
// not hand out live sessions.

// CreateSession stores a browser session.
func (s *Sessions) CreateSession(ctx context.Context, tokenHash []byte, userID int64, expires time.Time) error {
	_, err := s.q.ExecContext(ctx, "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		tokenHash, userID, now(), expires.UnixMilli())
	return classify(err)
}

// SessionUser returns the user of a live session.
func (s *Sessions) SessionUser(ctx context.Context, tokenHash []byte) (model.User, error) {
	return scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN accounts a ON a.user_id = u.id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, now()))
}

// DeleteSession ends a session.
func (s *Sessions) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := s.q.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
	return classify(err)
}

// PruneExpired removes expired sessions and tokens.
func (s *Sessions) PruneExpired(ctx context.Context) error {
	t := now()
	if _, err := s.q.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", t); err != nil {
		return classify(err)
	}
	_, err := s.q.ExecContext(ctx, "DELETE FROM oauth_tokens WHERE refresh_expires_at <= ?", t)
	return classify(err)
}

// LocalOAuthClient returns the instance's client, creating it with mk the
// first time.
func (s *Sessions) LocalOAuthClient(ctx context.Context, mk func() repo.OAuthClient) (repo.OAuthClient, error) {
	var c repo.OAuthClient
	err := s.q.QueryRowContext(ctx, "SELECT client_id, client_secret FROM oauth_clients ORDER BY created_at LIMIT 1").Scan(&c.ID, &c.Secret)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	c = mk()
	_, err = s.q.ExecContext(ctx, "INSERT INTO oauth_clients(client_id, client_secret, created_at) VALUES (?, ?, ?)", c.ID, c.Secret, now())
	return c, classify(err)
}

// OAuthClientValid checks a client pair.
func (s *Sessions) OAuthClientValid(ctx context.Context, id, secret string) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM oauth_clients WHERE client_id = ? AND client_secret = ?", id, secret).Scan(&n)
	return n > 0, classify(err)
}

// CreateOAuthToken stores a token pair.
func (s *Sessions) CreateOAuthToken(ctx context.Context, t repo.OAuthToken) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oauth_tokens(access_hash, refresh_hash, user_id, client_id, access_expires_at, refresh_expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.AccessHash, t.RefreshHash, t.UserID, t.ClientID, t.AccessExpires.UnixMilli(), t.RefreshExpires.UnixMilli(), now())
	return classify(err)
}

// AccessTokenUser returns the user of a live access token.
func (s *Sessions) AccessTokenUser(ctx context.Context, accessHash []byte) (model.User, error) {
	return scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM oauth_tokens t JOIN users u ON u.id = t.user_id
		JOIN accounts a ON a.user_id = u.id WHERE t.access_hash = ? AND t.access_expires_at > ?`, accessHash, now()))
}

// TakeRefreshToken deletes a live refresh token's pair and returns its user,
// so each refresh token is used once.
func (s *Sessions) TakeRefreshToken(ctx context.Context, refreshHash []byte, clientID string) (int64, error) {
	// One statement: two refreshes racing with the same token cannot both
	// win, and no transaction is needed.
	var uid int64
	err := s.q.QueryRowContext(ctx, `DELETE FROM oauth_tokens WHERE refresh_hash = ? AND client_id = ? AND refresh_expires_at > ?
		RETURNING user_id`, refreshHash, clientID, now()).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return uid, classify(err)
}

// RevokeAccessToken deletes a token pair by its access token.
func (s *Sessions) RevokeAccessToken(ctx context.Context, accessHash []byte) error {
	_, err := s.q.ExecContext(ctx, "DELETE FROM oauth_tokens WHERE access_hash = ?", accessHash)
	return classify(err)
}

// Get reads one admin setting; "" when unset.
func (s *Settings) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := s.q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, classify(err)
}

// Set writes one admin setting.
func (s *Settings) Set(ctx context.Context, key, value string) error {
	_, err := s.q.ExecContext(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return classify(err)
}
