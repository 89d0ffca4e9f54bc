package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// JobComment sends what a comment's write must tell other servers.
const JobComment = "federation.comment"

// commentJob is a JobComment's payload: a Create is built when it runs,
// from what is stored then; a Delete carries what the deleted row no
// longer can (its author, its addressing).
type commentJob struct {
	Video   int64        `json:"video"`
	Comment int64        `json:"comment"`
	Act     string       `json:"act"` // actCreate, actDelete
	Gone    *goneComment `json:"gone,omitempty"`
}

// goneComment is a deleted comment as it federated.
type goneComment struct {
	IRI        string   `json:"iri"`
	AuthorID   int64    `json:"author_id"`
	AuthorName string   `json:"author_name"`
	AccountID  int64    `json:"account_id"` // the video's account and channel
	ChannelID  int64    `json:"channel_id"`
	To         []string `json:"to"`
	Cc         []string `json:"cc"`
	// Parent is the comment it answered (0: a thread): its authors up the
	// thread hear of the deletion as they heard of the comment.
	Parent int64 `json:"parent,omitempty"`
}

// CommentChanged queues, in tx (the comment write's own transaction),
// what remote servers must hear of a write that took a comment on video v
// from before (zero: new) to after, as PeerTube does for its own videos:
// a comment anyone may read is created (at once, or when approved), a
// deleted one that had federated is deleted. Comments on a video that does
// not federate (private, internal, password-protected, local network)
// never leave the box, nor do held ones. Editing does not exist.
func (s *Service) CommentChanged(ctx context.Context, tx *sql.Tx, v model.Video, before, after model.Comment) error {
	if !s.On() || !visibility.Federates(v) {
		return nil
	}
	j := commentJob{Video: v.ID, Comment: max(before.ID, after.ID)}
	switch {
	case after.IsDeleted():
		if before.ID == 0 || before.IsDeleted() || before.HeldForReview || !comments.LocalAuthor(before) {
			// Never federated, or not ours to delete. A remote comment
			// the video's owner deletes is not announced: Cabane never
			// forwards remote comments, so only their author's server
			// has them, and it takes no Delete of its own Note from us.
			return nil
		}
		u := s.Identity.URIs()
		// The addressing of a video gone by the time the job runs; the
		// job addresses the parents' authors and a remote video's origin
		// from what it reads then (nothing is read here, in the write).
		to, cc := federation.CommentAudience(u, v, before.Account.Name, nil, model.RemoteOrigin{})
		j.Act, j.Gone = actDelete, &goneComment{IRI: u.Abs(uris.Comment(v.UUID, before.ID)), AuthorID: before.Account.ID,
			AuthorName: before.Account.Name, AccountID: v.Channel.AccountID, ChannelID: v.ChannelID, To: to, Cc: cc, Parent: before.InReplyTo}
	case !after.HeldForReview && (before.ID == 0 || before.HeldForReview):
		// A remote author's comment (the inbox's) is its origin's to
		// federate: the job finds out when it reads the author.
		j.Act = actCreate
	default:
		return nil
	}
	if _, err := s.Jobs.EnqueueTx(ctx, tx, JobComment, j, jobs.WithPriority(jobPriority), jobs.WithMaxAttempts(jobAttempts)); err != nil {
		return fmt.Errorf("federate %s of comment %d: %w", j.Act, j.Comment, err)
	}
	return nil
}

// HandleComment runs a JobComment: the Note's Create from its author, or
// its Delete, to the followers of the author and of the video's account
// and channel (PeerTube's audience for a comment on its own video).
func (s *Service) HandleComment(ctx context.Context, j *jobs.Job) error {
	var p commentJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if !s.On() {
		return nil
	}
	defer s.locks.lock(p.Video)()
	switch p.Act {
	case actCreate:
		return s.sendCommentCreate(ctx, p)
	case actDelete:
		return s.sendCommentDelete(ctx, p)
	}
	return fmt.Errorf("%w: unknown comment activity %q", jobs.ErrPermanent, p.Act)
}

func (s *Service) sendCommentCreate(ctx context.Context, p commentJob) error {
	v, err := s.Videos.ByID(ctx, p.Video)
	if errors.Is(err, model.ErrNotFound) {
		return nil // deleted since: its Delete covers its comments
	}
	if err != nil {
		return fmt.Errorf("video %d: %w", p.Video, err)
	}
	if !visibility.Federates(v) {
		return nil
	}
	doc, err := s.Documents.Comment(ctx, v.UUID, p.Comment)
	if errors.Is(err, federation.ErrNotFound) {
		return nil // hidden since, or a remote author's
	}
	if err != nil {
		return fmt.Errorf("comment %d as ActivityPub: %w", p.Comment, err)
	}
	if doc.Note == nil {
		return nil // deleted since: its deletion queued the Delete
	}
	to, err := s.Audience.Followers(ctx, videoAudience(accountKey(doc.Author), v)...)
	if err != nil {
		return fmt.Errorf("followers for comment %d: %w", p.Comment, err)
	}
	// The remote authors it answers (its mentions) and, on a remote
	// video, the origin: PeerTube's broadcastToActors and unicast to the
	// video's account.
	answered, err := s.mentioned(ctx, doc.Note.Tag)
	if err != nil {
		return fmt.Errorf("authors answered by comment %d: %w", p.Comment, err)
	}
	to = addRecipients(to, answered...)
	if v.Channel.Remote() {
		to = addRecipients(to, originRecipients(doc.Origin)...)
	}
	if len(to) == 0 {
		return nil
	}
	note := *doc.Note
	note.Context = nil
	a := Activity{Context: vocab.NoteContext, Type: "Create", ID: createID(note.ID), Actor: note.AttributedTo,
		Object: note, To: note.To, Cc: note.Cc}
	return s.send(ctx, federation.LocalActor{Key: accountKey(doc.Author), IRI: note.AttributedTo}, a, to)
}

func (s *Service) sendCommentDelete(ctx context.Context, p commentJob) error {
	g := p.Gone
	if g == nil {
		return fmt.Errorf("%w: delete of comment %d without its names", jobs.ErrPermanent, p.Comment)
	}
	u := s.Identity.URIs()
	addrTo, addrCc := g.To, g.Cc
	of := []keys.Actor{accountKey(g.AuthorID), accountKey(g.AccountID), channelKey(g.ChannelID)}
	var extra []federation.Recipient
	if v, err := s.Videos.ByID(ctx, p.Video); err == nil {
		// The video is still here: the comment's Delete reaches whom its
		// Create reached, the authors answered and a remote origin too.
		of = videoAudience(accountKey(g.AuthorID), v)
		parents, err := s.parents(ctx, g.Parent)
		if err != nil {
			return fmt.Errorf("comments answered by comment %d: %w", p.Comment, err)
		}
		var origin model.RemoteOrigin
		if v.Channel.Remote() {
			if s.Remotes == nil {
				return nil
			}
			if origin, err = s.Remotes.RemoteOrigin(ctx, v.ID); errors.Is(err, model.ErrNotFound) {
				return nil // forgotten since: nobody there to tell
			} else if err != nil {
				return fmt.Errorf("origin of video %d: %w", v.ID, err)
			}
			extra = originRecipients(origin)
		}
		addrTo, addrCc = federation.CommentAudience(u, v, g.AuthorName, parents, origin)
		for _, p := range parents {
			if r, ok, err := s.remoteRecipient(ctx, p.AuthorIRI); err != nil {
				return err
			} else if ok && !p.IsDeleted() {
				extra = addRecipients(extra, r)
			}
		}
	} else if !errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("video %d: %w", p.Video, err)
	}
	to, err := s.Audience.Followers(ctx, of...)
	if err != nil {
		return fmt.Errorf("followers for comment %d: %w", p.Comment, err)
	}
	to = addRecipients(to, extra...)
	if len(to) == 0 {
		return nil
	}
	author := u.Abs(uris.Account(g.AuthorName))
	a := Activity{Context: announceContext, Type: "Delete", ID: deleteID(g.IRI), Actor: author,
		Object: Tombstone{Type: "Tombstone", ID: g.IRI}, To: addrTo, Cc: addrCc}
	return s.send(ctx, federation.LocalActor{Key: accountKey(g.AuthorID), IRI: author}, a, to)
}

// RatingChanged hears that a local account rated (or stopped rating)
// video id. PeerTube sends no Like for its own videos (its
// sendVideoRateChange federates the video instead): followers' servers
// read the new totals from the likes and dislikes collections when they
// get the video's Update, which is debounced as the views' are.
func (s *Service) RatingChanged(ctx context.Context, id int64) {
	s.ViewsCounted(ctx, []int64{id})
}
