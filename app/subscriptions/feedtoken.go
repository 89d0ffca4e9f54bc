package subscriptions

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/visibility"
)

// ErrFeedToken: the subscriptions feed's token is not the account's user's
// (PeerTube: 403 "User and token mismatch").
var ErrFeedToken = errors.New("User and token mismatch")

// FeedToken is the viewer's subscriptions feed token (PeerTube's
// GET /api/v1/users/scoped-tokens), made on first demand.
func (s *Service) FeedToken(ctx context.Context, viewer visibility.Viewer) (string, error) {
	if !viewer.LoggedIn() {
		return "", ErrLoginRequired
	}
	tok, err := s.Store.FeedToken(ctx, viewer.AccountID)
	if err != nil {
		return "", fmt.Errorf("feed token: %w", err)
	}
	return tok, nil
}

// RenewFeedToken replaces the viewer's feed token: feed readers given the
// old one stop getting the feed (PeerTube's POST .../scoped-tokens).
func (s *Service) RenewFeedToken(ctx context.Context, viewer visibility.Viewer) (string, error) {
	if !viewer.LoggedIn() {
		return "", ErrLoginRequired
	}
	tok, err := s.Store.RenewFeedToken(ctx, viewer.AccountID)
	if err != nil {
		return "", fmt.Errorf("renew feed token: %w", err)
	}
	return tok, nil
}

// CheckFeedToken opens the subscriptions feed of accountID to whoever
// holds its user's token: model.ErrNotFound for an account without a user,
// ErrFeedToken for another token.
func (s *Service) CheckFeedToken(ctx context.Context, accountID int64, token string) error {
	want, err := s.Store.FeedToken(ctx, accountID)
	if err != nil {
		return fmt.Errorf("feed token: %w", err)
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		return ErrFeedToken
	}
	return nil
}
