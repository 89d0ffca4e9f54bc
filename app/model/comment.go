package model

import "time"

// Comment is one comment on a video, as PeerTube models it: a thread (no
// ThreadID) or a reply inside one.
type Comment struct {
	ID      int64
	VideoID int64
	// AccountID is 0 once the comment is deleted (PeerTube forgets who
	// wrote a deleted comment).
	AccountID int64
	// ThreadID is the thread's first comment; 0 for that comment itself.
	ThreadID int64
	// InReplyTo is the comment answered; 0 for a thread.
	InReplyTo     int64
	Text          string
	HeldForReview bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     time.Time // zero unless deleted
	Account       Account   // zero once deleted
	// Counters PeerTube sends with each comment: replies that are not
	// deleted (all replies of the thread for its first comment, direct
	// replies for the others), and the replies written by the video's
	// owner.
	TotalReplies                int
	TotalRepliesFromVideoAuthor int
	// IRI is a remote comment's Note id ("" for a local comment, whose
	// IRI is built from its id, uris.Comment): a reply names it.
	IRI string
	// AuthorIRI is a remote author's actor IRI ("" for a local author):
	// a reply mentions it and is delivered to it.
	AuthorIRI string
}

// IsDeleted reports whether only the comment's placeholder is left.
func (c Comment) IsDeleted() bool { return !c.DeletedAt.IsZero() }

// Thread is the id of the thread the comment belongs to.
func (c Comment) Thread() int64 {
	if c.ThreadID == 0 {
		return c.ID
	}
	return c.ThreadID
}

// Ratings, as PeerTube names them.
const (
	RatingLike    = "like"
	RatingDislike = "dislike"
	RatingNone    = "none"
)
