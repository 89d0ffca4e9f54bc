package repo

import (
	"context"
	"time"
)

// UserExports stores the archives users asked for of their account
// (PeerTube's user exports) and reads what goes into them.
type UserExports interface {
	// Create records a pending export; ErrConflict when the user already
	// has one pending, processing or ready (one at a time).
	Create(ctx context.Context, e *UserExport) error
	Get(ctx context.Context, id int64) (UserExport, error)
	ByToken(ctx context.Context, token string) (UserExport, error)
	ByFilename(ctx context.Context, filename string) (UserExport, error)
	ListOf(ctx context.Context, userID int64) ([]UserExport, error)
	SetState(ctx context.Context, id int64, state int, size int64, errText string, expires time.Time) error
	SetProgress(ctx context.Context, id int64, pct float64) error
	Delete(ctx context.Context, id int64) error
	// Expired are the exports whose archive should be gone by now.
	Expired(ctx context.Context, now time.Time) ([]UserExport, error)

	// What an archive holds, all of one user.
	ExportUser(ctx context.Context, userID int64) (ExportUser, error)
	ExportChannels(ctx context.Context, accountID int64) ([]ExportChannel, error)
	// ExportVideos calls fn for each video of the account's channels, in
	// id order, one at a time: a channel of thousands is never in memory.
	ExportVideos(ctx context.Context, accountID int64, fn func(ExportVideo) error) error
	CountVideos(ctx context.Context, accountID int64) (int, error)
	ExportComments(ctx context.Context, accountID int64) ([]ExportComment, error)
	ExportRates(ctx context.Context, accountID int64) ([]ExportRate, error)
	ExportFollowing(ctx context.Context, accountID int64) ([]ExportFollow, error)
	ExportFollowers(ctx context.Context, accountID int64) ([]ExportFollow, error)
	ExportPlaylists(ctx context.Context, accountID int64) ([]ExportPlaylist, error)
	ExportBlocklist(ctx context.Context, accountID int64) (accounts []ExportHandle, hosts []string, err error)
}

// UserExport is one row of user_exports.
type UserExport struct {
	ID             int64
	UserID         int64
	State          int
	WithVideoFiles bool
	Filename       string
	Token          string
	Size           int64
	Progress       float64
	Error          string
	CreatedAt      time.Time
	ExpiresAt      time.Time // zero until completed
}

// ExportUser is the user and their account.
type ExportUser struct {
	UserID        int64
	Username      string
	Email         string
	CreatedAt     time.Time
	AccountID     int64
	AccountName   string
	DisplayName   string
	Description   string
	AccountAt     time.Time
	Avatar        string // file name under the avatars folder; "" for none
	AvatarUpdated time.Time
}

// ExportChannel is one of the account's channels.
type ExportChannel struct {
	ID          int64
	Name        string
	DisplayName string
	Description string
	Support     string
	CreatedAt   time.Time
}

// ExportVideo is one video with what its export entry needs.
type ExportVideo struct {
	ID, ChannelID                int64
	UUID, ChannelName            string
	Name, Description, Support   string
	Language                     string
	Category, Licence            *int
	Privacy, State               int
	CommentsPolicy               int
	NSFW, DownloadEnabled        bool
	DurationMS                   int64
	Width, Height                int
	OriginalName, OriginalFile   string
	Size, Views, Likes, Dislikes int64
	HasThumbnail                 bool
	CreatedAt, UpdatedAt         time.Time
	PublishedAt, OriginallyPubAt time.Time // zero: none
	Tags, Passwords              []string
	Captions                     []ExportCaption
	Chapters                     []ExportChapter
	Renditions                   []ExportRendition
}

// ExportCaption is one caption file of a video.
type ExportCaption struct {
	Language, Filename string
	UpdatedAt          time.Time
}

// ExportChapter is one chapter of a video.
type ExportChapter struct {
	Timecode int
	Title    string
}

// ExportRendition is one HLS rendition of a video.
type ExportRendition struct {
	Name          string
	Width, Height int
	FPS           float64
	Size          int64
}

// ExportComment is one comment the account wrote.
type ExportComment struct {
	ID, VideoID        int64
	IRI                string // set for remote videos' comments we sent; "" for local
	VideoUUID          string
	VideoIRI           string // the remote video's IRI; "" for a local video
	Text               string
	CreatedAt          time.Time
	InReplyToID        int64 // 0: a thread
	InReplyToIRI       string
	InReplyToVideoUUID string
}

// ExportRate is one like or dislike.
type ExportRate struct {
	VideoUUID string
	VideoIRI  string // remote video; "" for local
	Type      string // "like" or "dislike"
	CreatedAt time.Time
}

// ExportFollow is one accepted follow, from or to the account.
type ExportFollow struct {
	// Name and Host name the other side (Host "" for this server), IRI
	// its actor for a remote one. Target is the local actor's name (for
	// followers: the account or one of its channels).
	Name, Host, IRI string
	Kind            string // "channel" or "account"
	Target          string
	CreatedAt       time.Time
}

// ExportHandle names a blocked account: Host "" for a local one.
type ExportHandle struct{ Name, Host string }

// ExportPlaylist is one playlist and its elements.
type ExportPlaylist struct {
	ID                       int64
	UUID, DisplayName        string
	Description, ChannelName string
	Privacy, Type            int
	CreatedAt, UpdatedAt     time.Time
	Elements                 []ExportPlaylistElement
}

// ExportPlaylistElement is one video of a playlist.
type ExportPlaylistElement struct {
	VideoUUID, VideoIRI string
	Start, Stop         *int
}
