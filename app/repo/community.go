package repo

import (
	"context"

	"cabane.dev/cabane/app/model"
)

// Comments stores comments. Each write keeps videos.comments (the count of
// comments anyone may read) right in the same transaction.
type Comments interface {
	Create(ctx context.Context, c *model.Comment) error
	ByID(ctx context.Context, id int64) (model.Comment, error)
	// Threads returns a page of a video's threads, how many threads there
	// are, and how many comments (threads and replies) are not deleted,
	// all as q's viewer may see them.
	Threads(ctx context.Context, q CommentQuery) (page []model.Comment, total, notDeleted int, err error)
	// Thread returns every comment of a thread q's viewer may see, oldest
	// first, the thread's first comment included.
	Thread(ctx context.Context, q CommentQuery, threadID int64) ([]model.Comment, error)
	MarkDeleted(ctx context.Context, id int64) error
	Approve(ctx context.Context, id int64) error
}

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

// CommentSorts are the sorts of a video's threads, as PeerTube names them.
var CommentSorts = []string{"-createdAt", "createdAt", "-totalReplies", "totalReplies"}

// Ratings stores likes and dislikes; each change moves videos.likes and
// videos.dislikes in the same transaction.
type Ratings interface {
	// Rate sets an account's rating of a video (model.RatingLike,
	// RatingDislike or RatingNone) and returns the video's new counts.
	Rate(ctx context.Context, accountID, videoID int64, rating string) (likes, dislikes int64, err error)
	RatingOf(ctx context.Context, accountID, videoID int64) (string, error)
	Counts(ctx context.Context, videoID int64) (likes, dislikes int64, err error)
}
