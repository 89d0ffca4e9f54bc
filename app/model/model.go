// Package model holds the plain types that the store returns and the domain
// services, the API and (later) federation share: users, accounts, channels,
// videos and their renditions. It has no behaviour beyond small helpers and
// imports nothing of Cabane, so every layer may depend on it.
package model

import (
	"errors"
	"strings"
	"time"
)

// ErrNotFound is returned when a looked-up thing does not exist (or, from a
// domain service, when the viewer may not know that it exists).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique name is already taken.
var ErrConflict = errors.New("already exists")

// ErrRemoteActor refuses to give an account or channel of another server
// what only a local actor has (a signing key pair): it signs on its own
// server, never here.
var ErrRemoteActor = errors.New("the actor lives on another server")

// ErrBusy is returned when the database stayed locked too long.
var ErrBusy = errors.New("database busy")

// ErrFull is returned when the disk is full.
var ErrFull = errors.New("disk full")

// Roles, numbered as PeerTube's UserRole.
const (
	RoleAdmin     = 0
	RoleModerator = 1
	RoleUser      = 2
)

// Video states and privacies, numbered as PeerTube's VideoState and VideoPrivacy.
const (
	StatePublished         = 1
	StateToTranscode       = 2
	StateTranscodingFailed = 7

	PrivacyPublic   = 1
	PrivacyUnlisted = 2
	PrivacyPrivate  = 3
	// PrivacyInternal is PeerTube's "internal": any logged-in user of this
	// instance may see it.
	PrivacyInternal = 4
	// PrivacyPassword is PeerTube 6.0's "password protected": its owner
	// and the admins see it, others need one of its passwords.
	PrivacyPassword = 5
	// PrivacyLocal is Cabane's own level (PeerTube has no 6): "local network
	// only", for family videos served only to the box's home network.
	PrivacyLocal = 6
	// PrivacySupporters is Cabane's own too (#11): only the owner's
	// active supporters (app/supporters), the owner and the moderators
	// see it; it never federates. Early access is this privacy plus a
	// date at which it turns public (video_early_access).
	PrivacySupporters = 7
)

// ValidPrivacy reports whether p is a privacy Cabane accepts on upload.
func ValidPrivacy(p int) bool {
	switch p {
	case PrivacyPublic, PrivacyUnlisted, PrivacyPrivate, PrivacyInternal, PrivacyPassword, PrivacyLocal, PrivacySupporters:
		return true
	}
	return false
}

// User is a local person who can log in.
type User struct {
	ID           int64
	Username     string
	Email        string
	PasswordHash string
	Role         int
	CreatedAt    time.Time
	AccountID    int64
	// Blocked is PeerTube's banned user: no login, no session, no token.
	Blocked       bool
	BlockedReason string
}

// IsAdmin reports whether the user administers the instance.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// IsModerator reports whether the user handles reports and blocks
// (PeerTube's moderator role; admins have these rights too).
func (u User) IsModerator() bool { return u.Role == RoleModerator }

// Account is what a user publishes as; it owns channels.
type Account struct {
	ID          int64
	UserID      int64
	Name        string
	DisplayName string
	Description string
	CreatedAt   time.Time
	// RemoteActorID is the remote_actors row of an account that lives on
	// another server (0 for a local one): remote people who comment, rate
	// or own a followed channel are accounts too, as in PeerTube. A remote
	// account's Name is "<preferredUsername>@<host>" and it has no user.
	RemoteActorID int64
	// RemoteURL is a remote account's profile page on its server (its
	// actor's url, else its IRI), where listings that show remote people
	// load it (comments); "" otherwise.
	RemoteURL string
}

// Remote reports whether the account lives on another server.
func (a Account) Remote() bool { return a.RemoteActorID != 0 }

// Handle splits the account's name into PeerTube's name and host: the
// host is "" for a local account.
func (a Account) Handle() (name, host string) { return splitHandle(a.Name, a.Remote()) }

func splitHandle(name string, remote bool) (string, string) {
	if i := strings.LastIndexByte(name, '@'); remote && i > 0 {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// Channel groups an account's videos.
type Channel struct {
	ID          int64
	AccountID   int64
	Name        string
	DisplayName string
	Description string
	Support     string
	CreatedAt   time.Time
	Account     Account
	// RemoteActorID is the remote_actors row of a channel (a Group) that
	// lives on another server, 0 for a local one; its Name is
	// "<preferredUsername>@<host>".
	RemoteActorID int64
	// RemoteURL is a remote account's profile page on its server (its
	// actor's url, else its IRI), where listings that show remote people
	// load it (comments); "" otherwise.
	RemoteURL string
}

// Remote reports whether the channel lives on another server.
func (c Channel) Remote() bool { return c.RemoteActorID != 0 }

// Handle splits the channel's name into PeerTube's name and host ("" when
// local).
func (c Channel) Handle() (name, host string) { return splitHandle(c.Name, c.Remote()) }

// Video is one upload and what processing made of it.
type Video struct {
	ID           int64
	UUID         string
	ShortUUID    string
	ChannelID    int64
	Name         string
	Description  string
	Privacy      int
	State        int
	Progress     float64
	Error        string
	Duration     time.Duration
	Width        int
	Height       int
	IsAudio      bool
	OriginalName string
	OriginalFile string
	Size         int64
	Views        int64
	Likes        int64 // kept by the ratings store with each rating
	Dislikes     int64
	HasThumbnail bool
	CreatedAt    time.Time
	PublishedAt  time.Time // zero until published
	UpdatedAt    time.Time
	Channel      Channel
	Meta
}

// Meta is what a creator says about a video beyond its name, description
// and privacy, as PeerTube has it. Zero values mean "not set" where
// PeerTube has null: no category (0), no licence (0), no language ("").
type Meta struct {
	Category int
	Licence  int
	Language string
	Support  string
	NSFW     bool
	// CommentsPolicy is PeerTube's VideoCommentPolicy (CommentsEnabled...).
	CommentsPolicy  int
	DownloadEnabled bool
	// OriginallyPublishedAt is zero when not set.
	OriginallyPublishedAt time.Time
	// Tags are read with the video's details (store.Videos.Tags), not
	// with listings.
	Tags []string
}

// Comment policies, numbered as PeerTube's VideoCommentPolicy.
const (
	CommentsEnabled          = 1
	CommentsDisabled         = 2
	CommentsRequiresApproval = 3
)

// DefaultMeta is a new video's metadata when the uploader says nothing:
// comments and downloads on, as PeerTube.
func DefaultMeta() Meta {
	return Meta{CommentsPolicy: CommentsEnabled, DownloadEnabled: true}
}

// Published reports whether the video can be played.
func (v Video) Published() bool { return v.State == StatePublished }

// Rendition is one finished HLS variant of a video.
type Rendition struct {
	ID               int64
	VideoID          int64
	Name             string
	Width, Height    int
	FPS              float64
	Bandwidth        int
	AverageBandwidth int
	Codecs           string
	Size             int64
	Copied           bool
}
