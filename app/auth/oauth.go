package auth

import (
	"context"
	"fmt"
	"time"

	"cabane.dev/cabane/app/store"
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
func (s *Service) LocalClient(ctx context.Context) (store.OAuthClient, error) {
	return s.Store.LocalOAuthClient(ctx, func() store.OAuthClient {
		id, _ := NewToken()
		secret, _ := NewToken()
		return store.OAuthClient{ID: id[:32], Secret: secret}
	})
}

// IssueToken checks the client and issues a token pair for a user.
func (s *Service) IssueToken(ctx context.Context, clientID, clientSecret string, userID int64) (TokenPair, error) {
	ok, err := s.Store.OAuthClientValid(ctx, clientID, clientSecret)
	if err != nil {
		return TokenPair{}, err
	}
	if !ok {
		return TokenPair{}, ErrBadClient
	}
	access, ah := NewToken()
	refresh, rh := NewToken()
	t := time.Now()
	if err := s.Store.CreateOAuthToken(ctx, store.OAuthToken{AccessHash: ah, RefreshHash: rh, UserID: userID, ClientID: clientID,
		AccessExpires: t.Add(AccessTTL), RefreshExpires: t.Add(RefreshTTL)}); err != nil {
		return TokenPair{}, fmt.Errorf("store token: %w", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: AccessTTL, RefreshIn: RefreshTTL}, nil
}

// Refresh exchanges a refresh token for a new pair.
func (s *Service) Refresh(ctx context.Context, clientID, clientSecret, refresh string) (TokenPair, error) {
	ok, err := s.Store.OAuthClientValid(ctx, clientID, clientSecret)
	if err != nil {
		return TokenPair{}, err
	}
	if !ok {
		return TokenPair{}, ErrBadClient
	}
	uid, err := s.Store.TakeRefreshToken(ctx, HashToken(refresh), clientID)
	if err != nil {
		return TokenPair{}, ErrBadGrant
	}
	return s.IssueToken(ctx, clientID, clientSecret, uid)
}

// BearerUser resolves an access token.
func (s *Service) BearerUser(ctx context.Context, token string) (store.User, error) {
	return s.Store.AccessTokenUser(ctx, HashToken(token))
}

// Errors named as OAuth 2 names them.
var (
	ErrBadClient = errorString("invalid_client")
	ErrBadGrant  = errorString("invalid_grant")
)

type errorString string

func (e errorString) Error() string { return string(e) }
