// Package users is the staff's management of the instance's users: list and
// search them, create one, change their role and quotas, ban (PeerTube's
// "block") and unban them, delete them. Administrators do everything;
// moderators list users and ban, unban and set the quotas of those whose
// role is User (app/visibility says who may what). The last active
// administrator can be neither demoted, banned nor deleted (the store checks
// it in the write's transaction: repo.ErrLastAdmin).
package users

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Errors the handlers answer.
var (
	ErrForbidden = errors.New("users can only be managed by moderators or admins")
	ErrLastAdmin = repo.ErrLastAdmin
)

// FieldError is a field the admin must correct.
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Videos deletes a user's videos (their files with them) and sets quotas.
type Videos interface {
	Delete(ctx context.Context, viewer visibility.Viewer, ref string) error
	SetQuota(ctx context.Context, userID int64, quota, daily *int64) error
}

// Creator makes a user with their account and channel (app/auth).
type Creator interface {
	CreateUser(ctx context.Context, r auth.NewUserRequest) (model.User, model.Channel, error)
}

// Service manages users for the administrators.
type Service struct {
	Store  repo.Users
	Auth   Creator
	Videos Videos
	Log    *slog.Logger
}

func (s *Service) admin(viewer visibility.Viewer) error {
	if !visibility.AdministerUsers(viewer) {
		return ErrForbidden
	}
	return nil
}

// target loads user id for an action of the viewer's on them, refused
// (ErrForbidden) unless the viewer may manage a user of that role.
func (s *Service) target(ctx context.Context, viewer visibility.Viewer, id int64) (repo.UserRow, error) {
	if !visibility.ListUsers(viewer) {
		return repo.UserRow{}, ErrForbidden
	}
	u, err := s.Store.Get(ctx, id)
	if err != nil {
		return u, err
	}
	if !visibility.ManageUser(viewer, u.Role) {
		return u, ErrForbidden
	}
	return u, nil
}

// List is a page of users (newest first unless q.Sort says), searched by
// name or e-mail, for the staff.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, q repo.UserQuery) ([]repo.UserRow, int, error) {
	if !visibility.ListUsers(viewer) {
		return nil, 0, ErrForbidden
	}
	if q.Sort != "" && !slices.Contains(repo.UserSorts, q.Sort) {
		return nil, 0, &FieldError{"sort", "Should have correct sortable column: one of " + strings.Join(repo.UserSorts, ", ")}
	}
	if q.Count <= 0 {
		q.Count = DefaultCount
	}
	q.Count, q.Start = min(q.Count, MaxCount), max(q.Start, 0)
	rows, total, err := s.Store.List(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return rows, total, nil
}

// Get is user id with their account, for the staff.
func (s *Service) Get(ctx context.Context, viewer visibility.Viewer, id int64) (repo.UserRow, error) {
	if !visibility.ListUsers(viewer) {
		return repo.UserRow{}, ErrForbidden
	}
	return s.Store.Get(ctx, id)
}

// NewUser is what the admin's creation form gives.
type NewUser struct {
	Username, Email, Password string
	Role                      int
}

func validRole(role int) error {
	if role < model.RoleAdmin || role > model.RoleUser {
		return &FieldError{"role", "the role is 0 (administrator), 1 (moderator) or 2 (user)"}
	}
	return nil
}

// Create makes a user with the given role.
func (s *Service) Create(ctx context.Context, viewer visibility.Viewer, n NewUser) (model.User, error) {
	if err := s.admin(viewer); err != nil {
		return model.User{}, err
	}
	if err := validRole(n.Role); err != nil {
		return model.User{}, err
	}
	u, _, err := s.Auth.CreateUser(ctx, auth.NewUserRequest{Username: n.Username, Email: n.Email, Password: n.Password,
		Admin: n.Role == model.RoleAdmin})
	if err != nil {
		return u, err
	}
	if n.Role == model.RoleModerator {
		if err := s.Store.SetRole(ctx, u.ID, n.Role); err != nil {
			return u, fmt.Errorf("make user %d a moderator: %w", u.ID, err)
		}
		u.Role = n.Role
	}
	s.log().Info("user created", "user", u.Username, "role", u.Role, "by", viewer.UserID)
	return u, nil
}

// Change is an edit of a user; nil fields stay as they are. Quotas are
// bytes, -1 unlimited.
type Change struct {
	Role                        *int
	VideoQuota, VideoQuotaDaily *int64
}

// Update applies a change to user id: an admin's to anyone, a moderator's
// to a User, whose role a moderator may only leave as it is.
func (s *Service) Update(ctx context.Context, viewer visibility.Viewer, id int64, c Change) error {
	if !visibility.ListUsers(viewer) {
		return ErrForbidden
	}
	if c.Role != nil {
		if err := validRole(*c.Role); err != nil {
			return err
		}
		if !visibility.GrantRole(viewer, *c.Role) {
			return ErrForbidden
		}
	}
	for _, q := range []struct {
		field string
		v     *int64
	}{{"videoQuota", c.VideoQuota}, {"videoQuotaDaily", c.VideoQuotaDaily}} {
		if q.v != nil && *q.v < -1 {
			return &FieldError{q.field, "a quota is a number of bytes, or -1 for unlimited"}
		}
	}
	if _, err := s.target(ctx, viewer, id); err != nil {
		return err
	}
	if c.Role != nil {
		if err := s.Store.SetRole(ctx, id, *c.Role); err != nil {
			return err
		}
	}
	if c.VideoQuota != nil || c.VideoQuotaDaily != nil {
		if err := s.Videos.SetQuota(ctx, id, c.VideoQuota, c.VideoQuotaDaily); err != nil {
			return fmt.Errorf("set the quotas of user %d: %w", id, err)
		}
	}
	s.log().Info("user changed", "user", id, "by", viewer.UserID)
	return nil
}

// A page of users: PeerTube's default and largest counts.
const (
	DefaultCount = 15
	MaxCount     = 100
)

// maxReason is PeerTube's bound on a ban's reason.
const maxReason = 250

// Ban stops user id from logging in and ends their sessions and tokens.
// Administrators cannot ban themselves: it would lock them out mid-page.
func (s *Service) Ban(ctx context.Context, viewer visibility.Viewer, id int64, reason string) error {
	if !visibility.ListUsers(viewer) {
		return ErrForbidden
	}
	if n := utf8.RuneCountInString(reason); n > maxReason {
		return &FieldError{"reason", fmt.Sprintf("the reason takes at most %d characters", maxReason)}
	}
	if id == viewer.UserID {
		return &FieldError{"id", "you cannot ban yourself"}
	}
	if _, err := s.target(ctx, viewer, id); err != nil {
		return err
	}
	if err := s.Store.SetBlocked(ctx, id, true, reason); err != nil {
		return err
	}
	s.log().Info("user banned", "user", id, "by", viewer.UserID)
	return nil
}

// Unban lets user id log in again.
func (s *Service) Unban(ctx context.Context, viewer visibility.Viewer, id int64) error {
	if _, err := s.target(ctx, viewer, id); err != nil {
		return err
	}
	if err := s.Store.SetBlocked(ctx, id, false, ""); err != nil {
		return err
	}
	s.log().Info("user unbanned", "user", id, "by", viewer.UserID)
	return nil
}

// Delete removes user id: banned first (which refuses the last admin and
// stops their uploads), then their videos through the videos service (their
// files with them), then the user, account and channels.
func (s *Service) Delete(ctx context.Context, viewer visibility.Viewer, id int64) error {
	if err := s.admin(viewer); err != nil {
		return err
	}
	if id == viewer.UserID {
		return &FieldError{"id", "you cannot delete yourself"}
	}
	if err := s.Store.SetBlocked(ctx, id, true, "deleted"); err != nil {
		return err
	}
	uuids, err := s.Store.VideoUUIDs(ctx, id)
	if err != nil {
		return err
	}
	for _, u := range uuids {
		if err := s.Videos.Delete(ctx, viewer, u); err != nil && !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("delete the videos of user %d: %w", id, err)
		}
	}
	if err := s.Store.Delete(ctx, id); err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	s.log().Info("user deleted", "user", id, "videos", len(uuids), "by", viewer.UserID)
	return nil
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}
