package federation

import (
	"context"
	"slices"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Comments reads what remote servers may read of a video's comments
// (comments.Service).
type Comments interface {
	Federated(ctx context.Context, ref string, id int64) (model.Video, model.Comment, []model.Comment, error)
	FederatedIDs(ctx context.Context, ref string, offset, limit int) (model.Video, []int64, int, error)
}

// CommentAudience addresses a comment on v as PeerTube does (its
// getVideoCommentAudience): the followers of the author and of the
// video's account and channel, and the authors of the comments answered
// (actor IRIs). A comment on a public video is to Public; on an unlisted
// one to those, copied to Public (PeerTube only takes comments with
// Public in either; Mastodon keeps a cc-Public one off public timelines).
func CommentAudience(u uris.Builder, v model.Video, author string, parents []model.Comment) (to, cc []string) {
	var them []string
	add := func(iri string) {
		if !slices.Contains(them, iri) {
			them = append(them, iri)
		}
	}
	add(u.Abs(uris.Followers(uris.Account(author))))
	add(u.Abs(uris.Followers(uris.Account(v.Channel.Account.Name))))
	add(u.Abs(uris.Followers(uris.Channel(v.Channel.Name))))
	for _, p := range parents {
		if !p.IsDeleted() && comments.LocalAuthor(p) {
			add(u.Abs(uris.Account(p.Account.Name)))
		}
	}
	if visibility.PublicAudience(v) {
		return []string{vocab.Public}, them
	}
	return them, []string{vocab.Public}
}

// Note is comment c on video v as PeerTube's Note. v federates and c is
// readable by a stranger and written here (comments.LocalAuthor);
// parents are the comments it answers, nearest first.
func Note(u uris.Builder, v model.Video, c model.Comment, parents []model.Comment) vocab.Note {
	id := u.Abs(uris.Comment(v.UUID, c.ID))
	to, cc := CommentAudience(u, v, c.Account.Name, parents)
	n := vocab.Note{Type: vocab.TypeNote, ID: id, URL: id, To: to, Cc: cc,
		Content: markup.CommentHTML(c.Text), MediaType: vocab.MediaHTML, InReplyTo: inReplyTo(u, v, c),
		Published: vocab.Time(c.CreatedAt), Updated: vocab.Time(firstSet(c.UpdatedAt, c.CreatedAt)),
		AttributedTo: u.Abs(uris.Account(c.Account.Name)), Tag: []vocab.Mention{}}
	// The authors answered are mentioned, as PeerTube does: their
	// servers notify them, and Mastodon threads the reply under theirs.
	for _, p := range parents {
		if p.IsDeleted() || !comments.LocalAuthor(p) {
			continue
		}
		m := vocab.Mention{Type: "Mention", Href: u.Abs(uris.Account(p.Account.Name)), Name: "@" + p.Account.Name + "@" + u.Host()}
		if !slices.Contains(n.Tag, m) {
			n.Tag = append(n.Tag, m)
		}
	}
	return n
}

// CommentTombstone is what the IRI of deleted comment c answers.
func CommentTombstone(u uris.Builder, v model.Video, c model.Comment) vocab.Tombstone {
	id := u.Abs(uris.Comment(v.UUID, c.ID))
	return vocab.Tombstone{Type: "Tombstone", ID: id, URL: id, FormerType: vocab.TypeNote, InReplyTo: inReplyTo(u, v, c),
		Published: vocab.Time(c.CreatedAt), Updated: vocab.Time(firstSet(c.UpdatedAt, c.CreatedAt)), Deleted: vocab.Time(c.DeletedAt)}
}

// inReplyTo is the video for a thread, else the comment answered.
// TODO(inbox Note slice): a remote parent's own IRI, once stored.
func inReplyTo(u uris.Builder, v model.Video, c model.Comment) string {
	if c.InReplyTo == 0 {
		return u.Abs(uris.Watch(v.UUID))
	}
	return u.Abs(uris.Comment(v.UUID, c.InReplyTo))
}

// CommentDocument is what a comment's IRI answers: its Note, or for a
// deleted comment a Tombstone (exactly one is set); and the local account
// that wrote the Note, whose key signs its activities.
type CommentDocument struct {
	Note      *vocab.Note
	Tombstone *vocab.Tombstone
	Author    int64
}

// Comment is comment id of the video ref names, as remote servers read
// it. ErrNotFound: federation's 404 (no such comment there, held for
// review, hidden, written elsewhere, or a video that does not federate).
func (s *Service) Comment(ctx context.Context, ref string, id int64) (CommentDocument, error) {
	u, err := s.uris()
	if err != nil {
		return CommentDocument{}, err
	}
	if s.Comments == nil {
		return CommentDocument{}, ErrNotFound
	}
	v, c, parents, err := s.Comments.Federated(ctx, ref, id)
	if err != nil {
		return CommentDocument{}, err
	}
	if !visibility.Federates(v) {
		// comments.Service checks it too: nothing of a private video
		// may leave the box, whoever reads comments for us.
		return CommentDocument{}, ErrNotFound
	}
	if c.IsDeleted() {
		t := CommentTombstone(u, v, c)
		t.Context = vocab.NoteContext
		return CommentDocument{Tombstone: &t}, nil
	}
	if !comments.LocalAuthor(c) {
		return CommentDocument{}, ErrNotFound
	}
	n := Note(u, v, c, parents)
	n.Context = vocab.NoteContext
	return CommentDocument{Note: &n, Author: c.Account.ID}, nil
}
