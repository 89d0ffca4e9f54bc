// Package accounts is the domain service for accounts and channels: the
// public actors that own videos. Users, passwords and sessions are auth's.
package accounts

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Service reads accounts and channels.
type Service struct {
	Store repo.Store
}

// Account finds a local account by name.
func (s *Service) Account(ctx context.Context, name string) (model.Account, error) {
	a, err := s.Store.Accounts.AccountByName(ctx, name)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		err = fmt.Errorf("account %q: %w", name, err)
	}
	return a, err
}

// Channel finds a channel by name, if viewer may see it.
func (s *Service) Channel(ctx context.Context, viewer visibility.Viewer, name string) (model.Channel, error) {
	ch, err := s.Store.Accounts.ChannelByName(ctx, name)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return ch, fmt.Errorf("channel %q: %w", name, err)
	}
	if err == nil && !visibility.Channel(viewer, ch) {
		return model.Channel{}, model.ErrNotFound
	}
	return ch, err
}

// ChannelsOf lists an account's channels, oldest first.
func (s *Service) ChannelsOf(ctx context.Context, accountID int64) ([]model.Channel, error) {
	chs, err := s.Store.Accounts.ChannelsOfAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("channels of account %d: %w", accountID, err)
	}
	return chs, nil
}
