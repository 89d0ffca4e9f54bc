package model

import "time"

// Abuse states, numbered as PeerTube's AbuseState.
const (
	AbusePending  = 1
	AbuseRejected = 2
	AbuseAccepted = 3
)

// AbuseReasons are PeerTube's predefined abuse reasons (AbusePredefinedReasons).
var AbuseReasons = []string{"violentOrAbusive", "hatefulOrAbusive", "spamOrMisleading", "privacy", "rights",
	"serverRules", "thumbnails", "captions"}

// NotifyNewAbuseForModerators is PeerTube's UserNotificationType 3.
const NotifyNewAbuseForModerators = 3

// Abuse is one report: on a video (maybe a span of it), a comment or an
// account. The reported item's ids are 0 when it was not this kind, or
// once it was deleted.
type Abuse struct {
	ID                int64
	ReporterAccountID int64
	Reporter          Account // zero once the reporter's account is deleted
	Reason            string
	PredefinedReasons []string
	State             int
	ModerationComment string
	VideoID           int64
	StartAt, EndAt    *int // seconds into the video
	CommentID         int64
	FlaggedAccountID  int64
	Flagged           Account // the account reported, or the author of the video or comment
	// SubjectName is the reported video's name, the comment's text or the
	// account's name, as it was when reported.
	SubjectName string
	VideoUUID   string // "" unless a video still exists
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// AbuseMessage is a message between a report's author and the moderators.
type AbuseMessage struct {
	ID          int64
	AbuseID     int64
	Account     Account
	Message     string
	ByModerator bool
	CreatedAt   time.Time
}

// AccountBlock is an account blocked by the server (OwnerAccountID 0) or
// muted by a user's account.
type AccountBlock struct {
	OwnerAccountID int64
	Blocked        Account
	CreatedAt      time.Time
}

// ServerBlock is a host blocked by the server (OwnerAccountID 0) or muted
// by a user's account.
type ServerBlock struct {
	OwnerAccountID int64
	Host           string
	CreatedAt      time.Time
}
