package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Token lifetimes as PeerTube's defaults.
const (
	AccessTTL  = 24 * time.Hour
	RefreshTTL = 14 * 24 * time.Hour
)

// TokenPair is the answer to POST /api/v1/users/token.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	RefreshIn    time.Duration
}

// LocalClient returns the instance's OAuth client, made on first use.
func (s *Service) LocalClient(ctx context.Context) (repo.OAuthClient, error) {
	return s.Store.Sessions.LocalOAuthClient(ctx, func() repo.OAuthClient {
		// PeerTube's shape (32 lowercase hex characters each), which
		// its OpenAPI document pins and apps may check.
		return repo.OAuthClient{ID: hexToken(), Secret: hexToken()}
	})
}

// IssueToken checks the client and issues a token pair for a user.
func (s *Service) IssueToken(ctx context.Context, clientID, clientSecret string, userID int64) (TokenPair, error) {
	ok, err := s.Store.Sessions.OAuthClientValid(ctx, clientID, clientSecret)
	if err != nil {
		return TokenPair{}, err
	}
	if !ok {
		return TokenPair{}, ErrBadClient
	}
	access, ah := NewToken()
	refresh, rh := NewToken()
	t := time.Now()
	if err := s.Store.Sessions.CreateOAuthToken(ctx, repo.OAuthToken{AccessHash: ah, RefreshHash: rh, UserID: userID, ClientID: clientID,
		AccessExpires: t.Add(AccessTTL), RefreshExpires: t.Add(RefreshTTL)}); err != nil {
		return TokenPair{}, fmt.Errorf("store token: %w", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: AccessTTL, RefreshIn: RefreshTTL}, nil
}

// PasswordGrant is OAuth's password grant: the client is checked first,
// so a request from an unknown client never costs a password hash.
func (s *Service) PasswordGrant(ctx context.Context, clientID, clientSecret, login, password string) (TokenPair, error) {
	ok, err := s.Store.Sessions.OAuthClientValid(ctx, clientID, clientSecret)
	if err != nil {
		return TokenPair{}, err
	}
	if !ok {
		return TokenPair{}, ErrBadClient
	}
	u, err := s.Login(ctx, login, password)
	if err != nil {
		return TokenPair{}, err
	}
	return s.IssueToken(ctx, clientID, clientSecret, u.ID)
}

// Refresh exchanges a refresh token for a new pair.
func (s *Service) Refresh(ctx context.Context, clientID, clientSecret, refresh string) (TokenPair, error) {
	ok, err := s.Store.Sessions.OAuthClientValid(ctx, clientID, clientSecret)
	if err != nil {
		return TokenPair{}, err
	}
	if !ok {
		return TokenPair{}, ErrBadClient
	}
	uid, err := s.Store.Sessions.TakeRefreshToken(ctx, HashToken(refresh), clientID)
	if err != nil {
		return TokenPair{}, ErrBadGrant
	}
	return s.IssueToken(ctx, clientID, clientSecret, uid)
}

// BearerUser resolves an access token.
func (s *Service) BearerUser(ctx context.Context, token string) (model.User, error) {
	return active(s.Store.Sessions.AccessTokenUser(ctx, HashToken(token)))
}

// Errors named as OAuth 2 names them.
var (
	ErrBadClient = errorString("invalid_client")
	ErrBadGrant  = errorString("invalid_grant")
)

type errorString string

func (e errorString) Error() string { return string(e) }

// RevokeToken ends the token pair of an access token (logout from an app).
func (s *Service) RevokeToken(ctx context.Context, accessToken string) error {
	return s.Store.Sessions.RevokeAccessToken(ctx, HashToken(accessToken))
}

// hexToken is 16 random bytes in hex.
func hexToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
