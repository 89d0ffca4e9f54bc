// Package profile is what a signed-in user changes of themselves: their
// account's display name and avatar, their password (through auth's
// bounded hashing), and the privacy their uploads start from.
package profile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/imaging"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// ErrLoginRequired: these are a signed-in user's own settings.
var ErrLoginRequired = errors.New("authentication required")

// FieldError names the field a request got wrong.
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// PeerTube's CONSTRAINTS_FIELDS.USERS.NAME (a display name).
const (
	minDisplayName = 1
	maxDisplayName = 120
)

// Service changes a user's own settings.
type Service struct {
	Store  repo.Profiles
	Auth   *auth.Service
	Layout config.Layout
	Log    *slog.Logger
	// Images bounds how many uploaded pictures are decoded at once, for the
	// whole process (shared with videos' thumbnails); nil: one of its own.
	Images *imaging.Gate
	// Changed hears that an account's public face (display name, avatar)
	// changed, once stored (app/federation/outbox tells its followers);
	// nil: nobody.
	Changed     func(ctx context.Context, accountID int64)
	ownGate     *imaging.Gate
	ownGateOnce sync.Once
	avatars     avatarCache
}

func (s *Service) changed(ctx context.Context, accountID int64) {
	if s.Changed != nil {
		s.Changed(ctx, accountID)
	}
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Settings are what the settings page shows.
type Settings struct {
	DefaultPrivacy int
	Avatar         repo.Avatar
}

// Get reads the viewer's settings.
func (s *Service) Get(ctx context.Context, viewer visibility.Viewer) (Settings, error) {
	if !viewer.LoggedIn() {
		return Settings{}, ErrLoginRequired
	}
	p, err := s.Store.DefaultPrivacy(ctx, viewer.UserID)
	if err != nil {
		return Settings{}, err
	}
	a, err := s.Store.Avatar(ctx, viewer.AccountID)
	if err != nil {
		return Settings{}, err
	}
	return Settings{DefaultPrivacy: p, Avatar: a}, nil
}

// Update is what the profile form sets; nil leaves a field as it is.
type Update struct {
	DisplayName    *string
	DefaultPrivacy *int
	// Language is the interface language (a catalogue's code, checked
	// by the caller), kept for what the box writes in the user's name.
	Language *string
}

// Apply checks then stores an update of the viewer's profile.
func (s *Service) Apply(ctx context.Context, viewer visibility.Viewer, u Update) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	if u.DisplayName != nil {
		name := strings.TrimSpace(*u.DisplayName)
		if n := utf8.RuneCountInString(name); !utf8.ValidString(name) || n < minDisplayName || n > maxDisplayName {
			return &FieldError{Field: "displayName", Msg: fmt.Sprintf("a display name is %d to %d characters", minDisplayName, maxDisplayName)}
		}
		u.DisplayName = &name
	}
	if u.DefaultPrivacy != nil && !model.ValidPrivacy(*u.DefaultPrivacy) {
		return &FieldError{Field: "defaultPrivacy", Msg: fmt.Sprintf("unknown privacy %d", *u.DefaultPrivacy)}
	}
	if u.DisplayName != nil {
		if err := s.Store.SetDisplayName(ctx, viewer.AccountID, *u.DisplayName); err != nil {
			return err
		}
		s.changed(ctx, viewer.AccountID)
	}
	if u.DefaultPrivacy != nil {
		if err := s.Store.SetDefaultPrivacy(ctx, viewer.UserID, *u.DefaultPrivacy); err != nil {
			return err
		}
	}
	if u.Language != nil {
		if err := s.Store.SetLanguage(ctx, viewer.UserID, *u.Language); err != nil {
			return err
		}
	}
	return nil
}

// DefaultPrivacy is the privacy the viewer's upload form starts from
// (public for the anonymous, who cannot upload anyway).
func (s *Service) DefaultPrivacy(ctx context.Context, viewer visibility.Viewer) (int, error) {
	if !viewer.LoggedIn() {
		return model.PrivacyPublic, nil
	}
	return s.Store.DefaultPrivacy(ctx, viewer.UserID)
}

// ChangePassword replaces the viewer's password once the current one
// checks out: auth.ErrBadPassword when it does not, a FieldError when
// the new one is refused.
// The user's other sessions and API tokens end; session (the session
// token the change comes from, "" for none) stays.
func (s *Service) ChangePassword(ctx context.Context, viewer visibility.Viewer, current, next, session string) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	if err := auth.ValidPassword(next); err != nil {
		return &FieldError{Field: "password", Msg: err.Error()}
	}
	if err := s.Auth.ChangePassword(ctx, viewer.UserID, current, next, session); err != nil {
		return err
	}
	s.log().Info("password changed", "user", viewer.UserID)
	return nil
}
