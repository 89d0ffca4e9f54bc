package model

import "time"

// Playlist privacies and types, numbered as PeerTube's VideoPlaylistPrivacy
// and VideoPlaylistType.
const (
	PlaylistPublic   = 1
	PlaylistUnlisted = 2
	PlaylistPrivate  = 3

	PlaylistRegular    = 1
	PlaylistWatchLater = 2
)

// Playlist is an ordered list of videos owned by an account, optionally
// shown on one of its channels (PeerTube's VideoPlaylist).
type Playlist struct {
	ID          int64
	UUID        string
	ShortUUID   string
	AccountID   int64
	ChannelID   int64 // 0: not attached to a channel
	DisplayName string
	Description string
	Privacy     int
	Type        int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Length is the number of elements, whatever their video's state.
	Length int
	// ThumbnailVideo is the first element's video UUID when anyone may see
	// that video (the playlist's thumbnail is its thumbnail); "" otherwise.
	ThumbnailVideo string
	Account        Account
	Channel        Channel // zero when ChannelID is 0
}

// PlaylistElement is one place in a playlist. Video is zero (VideoID 0)
// once the video was deleted: the element stays, as in PeerTube, and is
// shown as "deleted".
type PlaylistElement struct {
	ID         int64
	PlaylistID int64
	VideoID    int64
	Position   int // from 1
	// Start and Stop are in seconds; nil when not set.
	Start, Stop *int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Video       Video
}

// Subscription is an account following a channel: a local one today, a
// remote one (mirrored as a channel row, as PeerTube mirrors actors) once
// Cabane federates.
type Subscription struct {
	ID        int64
	AccountID int64
	ChannelID int64
	CreatedAt time.Time
	Channel   Channel
}

// Notification types, numbered as PeerTube's UserNotificationType.
const (
	NotifyNewVideoFromSubscription = 1
	NotifyNewCommentOnMyVideo      = 2
	NotifyCommentMention           = 11
	// NotifyNewSupporterVideo is Cabane's own (#11): a creator the user
	// supports published a supporter-only video. Far above PeerTube's
	// types, so that none of theirs ever takes its number.
	NotifyNewSupporterVideo = 101
)

// Notification is one in-app notification of a user.
type Notification struct {
	ID        int64
	UserID    int64
	Type      int
	VideoID   int64 // 0: none
	CommentID int64 // 0: none
	Read      bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Video and Comment are what VideoID and CommentID name, read with the
	// notification (zero when none); Comment.Account is its author.
	Video   Video
	Comment Comment
}
