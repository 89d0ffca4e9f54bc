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

// Origin is where a remote account or channel lives: its actor's page
// (url, else its IRI) and icon. ok is false for a local one.
func (s *Service) Origin(ctx context.Context, kind string, id int64) (a model.RemoteActor, ok bool, err error) {
	a, err = s.Store.Accounts.RemoteActorOf(ctx, kind, id)
	if errors.Is(err, model.ErrNotFound) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	if a.URL == "" {
		a.URL = a.IRI
	}
	return a, true, nil
}

// OriginURLs are the origin pages of the remote ones among accounts
// ("account") or channels ("channel") ids, by id; local ones are absent.
func (s *Service) OriginURLs(ctx context.Context, kind string, ids []int64) (map[int64]string, error) {
	return s.Store.Accounts.RemoteURLs(ctx, kind, ids)
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

// AccountByID finds a local account by its numeric id (PeerTube's feeds
// and API name accounts so).
func (s *Service) AccountByID(ctx context.Context, id int64) (model.Account, error) {
	a, err := s.Store.Accounts.AccountByID(ctx, id)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		err = fmt.Errorf("account %d: %w", id, err)
	}
	return a, err
}

// ChannelByID finds a channel by its numeric id, if viewer may see it.
func (s *Service) ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error) {
	ch, err := s.Store.Accounts.ChannelByID(ctx, id)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return ch, fmt.Errorf("channel %d: %w", id, err)
	}
	if err == nil && !visibility.Channel(viewer, ch) {
		return model.Channel{}, model.ErrNotFound
	}
	return ch, err
}

// LocalAccount finds an account of this server by name: what federation
// serves as an actor, never a remote person's row.
func (s *Service) LocalAccount(ctx context.Context, name string) (model.Account, error) {
	a, err := s.Account(ctx, name)
	if err == nil && a.Remote() {
		return model.Account{}, model.ErrNotFound
	}
	return a, err
}

// LocalChannel finds a channel of this server by name, if viewer may see
// it: what federation serves as an actor, never a followed remote one.
func (s *Service) LocalChannel(ctx context.Context, viewer visibility.Viewer, name string) (model.Channel, error) {
	ch, err := s.Channel(ctx, viewer, name)
	if err == nil && ch.Remote() {
		return model.Channel{}, model.ErrNotFound
	}
	return ch, err
}
