// Package blocklist is the domain service for blocking and muting, as
// PeerTube has them: the admin blocks accounts for the whole server (their
// videos and comments are hidden from everyone but the admins, and they may
// not comment), and each user mutes accounts for their own view. Server
// (host) blocks are stored now, in the same two scopes, and matter once
// federation exists: no remote content reaches Cabane yet. The hiding
// itself is visibility's rule (visibility.Blocked, Listing); this service
// keeps the lists.
package blocklist

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Errors, each answered as PeerTube answers it.
var (
	ErrLoginRequired = errors.New("authentication required")   // 401
	ErrForbidden     = errors.New("only admins may do this")   // 403
	ErrSelf          = errors.New("you cannot block yourself") // 409
	// ErrAdminTarget: only an admin may block an admin's account for the
	// whole server (403), or a moderator could silence the admins.
	ErrAdminTarget = errors.New("only an admin may block an admin's account for the server")
	ErrBadHost     = errors.New("host must be a domain name") // 400
	ErrBadSort     = errors.New("unknown sort")               // 400
)

// Accounts finds the account a handle names.
type Accounts interface {
	Account(ctx context.Context, name string) (model.Account, error)
}

// Service keeps the blocklists.
type Service struct {
	Store     repo.Blocklist
	Directory Accounts
	// LocalHost is this Cabane's host: "name@host" handles of it are local,
	// and blocking it is blocking oneself.
	LocalHost func() string
	// Users finds an account's user, to tell an admin's account; nil:
	// nobody is an admin (tests).
	Users interface {
		UserByID(ctx context.Context, id int64) (model.User, error)
	}
}

// Scope is whose list: the server's (the admin's) or the viewer's own.
type Scope int

const (
	Server Scope = iota
	Mine
)

// owner is the list's owner for viewer, checking the right to it.
func owner(viewer visibility.Viewer, scope Scope) (int64, error) {
	if !viewer.LoggedIn() {
		return 0, ErrLoginRequired
	}
	if scope == Mine {
		return viewer.AccountID, nil
	}
	if !viewer.Moderates() {
		return 0, ErrForbidden
	}
	return 0, nil
}

// account finds the local account a handle ("name" or "name@host") names.
func (s *Service) account(ctx context.Context, handle string) (model.Account, error) {
	name, host, remote := strings.Cut(handle, "@")
	// Without a public URL this Cabane does not know its own host: the
	// handle's name is then what counts.
	if remote && s.LocalHost != nil && s.LocalHost() != "" && !strings.EqualFold(host, s.LocalHost()) {
		// No remote account is known before federation.
		return model.Account{}, model.ErrNotFound
	}
	return s.Directory.Account(ctx, name)
}

// BlockAccount adds the account named by handle to the scope's list.
func (s *Service) BlockAccount(ctx context.Context, viewer visibility.Viewer, scope Scope, handle string) error {
	o, err := owner(viewer, scope)
	if err != nil {
		return err
	}
	a, err := s.account(ctx, handle)
	if err != nil {
		return err
	}
	if a.ID == viewer.AccountID {
		return ErrSelf
	}
	if scope == Server && !viewer.Admin() && s.Users != nil && a.UserID != 0 {
		u, err := s.Users.UserByID(ctx, a.UserID)
		if err != nil {
			return fmt.Errorf("user of account %d: %w", a.ID, err)
		}
		if u.IsAdmin() {
			return ErrAdminTarget
		}
	}
	return s.Store.BlockAccount(ctx, o, a.ID)
}

// UnblockAccount removes it; model.ErrNotFound when it was not there.
func (s *Service) UnblockAccount(ctx context.Context, viewer visibility.Viewer, scope Scope, handle string) error {
	o, err := owner(viewer, scope)
	if err != nil {
		return err
	}
	a, err := s.account(ctx, handle)
	if err != nil {
		return err
	}
	return s.Store.UnblockAccount(ctx, o, a.ID)
}

// Accounts lists the scope's account blocks.
func (s *Service) Accounts(ctx context.Context, viewer visibility.Viewer, scope Scope, start, count int, sort string) ([]model.AccountBlock, int, error) {
	o, err := owner(viewer, scope)
	if err != nil {
		return nil, 0, err
	}
	if err := checkSort(sort); err != nil {
		return nil, 0, err
	}
	return s.Store.Accounts(ctx, o, start, count, sort)
}

// checkSort accepts the sorts PeerTube's blocklists have ("" is the default).
func checkSort(sort string) error {
	if sort != "" && !slices.Contains(repo.BlocklistSorts, sort) {
		return fmt.Errorf("%w %q", ErrBadSort, sort)
	}
	return nil
}

// checkHost accepts a domain name (with an optional port), lower-cased.
func checkHost(host string) (string, error) {
	host = strings.ToLower(strings.TrimSpace(host))
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	if h == "" || len(h) > 253 || strings.ContainsAny(h, "/@ \\?#") || !strings.Contains(h, ".") && h != "localhost" {
		return "", ErrBadHost
	}
	return host, nil
}

// BlockServer adds a host to the scope's list.
func (s *Service) BlockServer(ctx context.Context, viewer visibility.Viewer, scope Scope, host string) error {
	o, err := owner(viewer, scope)
	if err != nil {
		return err
	}
	if host, err = checkHost(host); err != nil {
		return err
	}
	if s.LocalHost != nil && strings.EqualFold(host, s.LocalHost()) {
		return ErrSelf
	}
	return s.Store.BlockServer(ctx, o, host)
}

// UnblockServer removes a host; model.ErrNotFound when it was not there.
func (s *Service) UnblockServer(ctx context.Context, viewer visibility.Viewer, scope Scope, host string) error {
	o, err := owner(viewer, scope)
	if err != nil {
		return err
	}
	return s.Store.UnblockServer(ctx, o, strings.ToLower(host))
}

// Servers lists the scope's server blocks.
func (s *Service) Servers(ctx context.Context, viewer visibility.Viewer, scope Scope, start, count int, sort string) ([]model.ServerBlock, int, error) {
	o, err := owner(viewer, scope)
	if err != nil {
		return nil, 0, err
	}
	if err := checkSort(sort); err != nil {
		return nil, 0, err
	}
	return s.Store.Servers(ctx, o, start, count, sort)
}

// Blocks is how the lists see an account for viewer (videos.Service.Blocks).
func (s *Service) Blocks(ctx context.Context, viewer visibility.Viewer, accountID int64) (visibility.Blocks, error) {
	var me int64
	if viewer.LoggedIn() {
		me = viewer.AccountID
	}
	server, muted, err := s.Store.Hidden(ctx, accountID, me)
	return visibility.Blocks{Server: server, Muted: muted}, err
}

// ServerBlocked says whether the server blocks an account
// (comments.Service.Blocked).
func (s *Service) ServerBlocked(ctx context.Context, accountID int64) (bool, error) {
	server, _, err := s.Store.Hidden(ctx, accountID, 0)
	return server, err
}
