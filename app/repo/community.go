package repo

import (
	"context"
	"database/sql"

	"cabane.dev/cabane/app/model"
)

// Comments stores comments. Each write keeps videos.comments (the count of
// comments anyone may read) right in the same transaction.
type Comments interface {
	// Create, MarkDeleted and Approve run each also inside the write's
	// transaction, after its statements: an error rolls the write back.
	Create(ctx context.Context, c *model.Comment, also ...InTx) error
	ByID(ctx context.Context, id int64) (model.Comment, error)
	// Threads returns a page of a video's threads, how many threads there
	// are, and how many comments (threads and replies) are not deleted,
	// all as q's viewer may see them.
	Threads(ctx context.Context, q CommentQuery) (page []model.Comment, total, notDeleted int, err error)
	// Thread returns every comment of a thread q's viewer may see, oldest
	// first, the thread's first comment included.
	Thread(ctx context.Context, q CommentQuery, threadID int64) ([]model.Comment, error)
	// Readable returns a page of the ids of a video's comments that
	// anyone may read (not held for review, not deleted, minus what q's
	// block filters leave out), oldest first, and how many there are.
	Readable(ctx context.Context, q CommentQuery) (ids []int64, total int, err error)
	// Feed is the latest comments q selects, newest first.
	Feed(ctx context.Context, q FeedCommentQuery) ([]FeedComment, error)
	MarkDeleted(ctx context.Context, id int64, also ...InTx) error
	Approve(ctx context.Context, id int64, also ...InTx) error
}

// InTx is work that must commit or fail with a write (the news of a
// comment that the outbox queues), run inside the write's transaction.
type InTx func(ctx context.Context, tx *sql.Tx) error

// CommentQuery selects a video's comments for one viewer.
type CommentQuery struct {
	VideoID int64
	// VideoOwnerAccountID counts the replies of the video's owner
	// (PeerTube's totalRepliesFromVideoAuthor).
	VideoOwnerAccountID int64
	// SeeHeld: the viewer sees comments held for review (the video's
	// owner, an admin); everyone else sees only their own.
	SeeHeld         bool
	ViewerAccountID int64
	Start, Count    int
	Sort            string // one of CommentSorts; "" is -createdAt
	// HideServerBlocked and MutedByAccountID leave out the comments of
	// blocked accounts, as visibility.List decides for the viewer.
	HideServerBlocked bool
	MutedByAccountID  int64
}

// FeedCommentQuery selects the latest comments of a comments feed: on one
// video, a channel's or an account's videos, or any (all zero), on
// published videos of the given privacies, neither held nor deleted.
type FeedCommentQuery struct {
	VideoID, ChannelID, AccountID int64
	Privacies                     []int
	HideServerBlocked             bool
	Count                         int
}

// FeedComment is a comment with what a feed says of its video.
type FeedComment struct {
	model.Comment
	VideoUUID, VideoName string
}

// CommentSorts are the sorts of a video's threads, as PeerTube names them.
var CommentSorts = []string{"-createdAt", "createdAt", "-totalReplies", "totalReplies"}

// Ratings stores likes and dislikes; each change moves videos.likes and
// videos.dislikes in the same transaction.
type Ratings interface {
	// Rate sets an account's rating of a video (model.RatingLike,
	// RatingDislike or RatingNone) and returns the video's new counts.
	Rate(ctx context.Context, accountID, videoID int64, rating string) (likes, dislikes int64, err error)
	// RateRecorded is Rate whose transaction also runs decide, given the
	// rating replaced, which returns the activity id the new rating is
	// kept with (the Like or Dislike sent to a remote video's origin);
	// its error rolls the rating back.
	RateRecorded(ctx context.Context, accountID, videoID int64, rating string,
		decide func(ctx context.Context, tx *sql.Tx, before model.RatingRecord) (string, error)) (likes, dislikes int64, err error)
	RatingOf(ctx context.Context, accountID, videoID int64) (string, error)
	Counts(ctx context.Context, videoID int64) (likes, dislikes int64, err error)
}
