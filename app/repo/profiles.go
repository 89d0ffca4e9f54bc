package repo

import (
	"context"
	"time"
)

// Avatar is an account's picture: its file under the data directory's
// avatars folder, and when it was set. A zero Avatar is none.
type Avatar struct {
	File      string
	UpdatedAt time.Time
}

// Profiles stores what a user changes of themselves on their settings
// page: their account's display name and avatar, and the privacy their
// uploads start from.
type Profiles interface {
	SetDisplayName(ctx context.Context, accountID int64, name string) error
	Avatar(ctx context.Context, accountID int64) (Avatar, error)
	// Avatars are the avatars of every account that has one, by account
	// id: one query for all (listings show many accounts at once).
	Avatars(ctx context.Context) (map[int64]Avatar, error)
	// SetAvatar replaces the account's avatar and returns the one it
	// replaced (zero when none), whose file the caller removes.
	SetAvatar(ctx context.Context, accountID int64, a Avatar) (old Avatar, err error)
	DefaultPrivacy(ctx context.Context, userID int64) (int, error)
	SetDefaultPrivacy(ctx context.Context, userID int64, privacy int) error
	// SetLanguage stores the interface language the user chose;
	// AccountLanguage is that of the account's user ("" when none).
	SetLanguage(ctx context.Context, userID int64, lang string) error
	AccountLanguage(ctx context.Context, accountID int64) (string, error)
}

// RemoteIcon is a remote account's picture as its actor names it
// (store.Profiles.RemoteIconsDue): the account, the icon's URL, and when
// the actor was fetched.
type RemoteIcon struct {
	AccountID      int64
	URL            string
	ActorFetchedAt time.Time
}
