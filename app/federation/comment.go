package federation

import (
	"context"
	"fmt"
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

// Origins finds where a remote video lives (store.Follows): a comment
// written here on it answers the origin's Video and is addressed to its
// owner.
type Origins interface {
	RemoteOrigin(ctx context.Context, videoID int64) (model.RemoteOrigin, error)
}

// CommentAudience addresses a comment on v as PeerTube does (its
// getVideoCommentAudience): the followers of the author and of the
// video's account and channel, and the authors of the comments answered
// (actor IRIs). A comment on a public video is to Public; on an unlisted
// one to those, copied to Public (PeerTube only takes comments with
// Public in either; Mastodon keeps a cc-Public one off public timelines).
// For a remote video (origin set) the video's account and channel are
// the origin's: its account itself is addressed too, as PeerTube
// addresses the owner of a video it comments on elsewhere.
func CommentAudience(u uris.Builder, v model.Video, author string, parents []model.Comment, origin model.RemoteOrigin) (to, cc []string) {
	var them []string
	add := func(iri string) {
		if iri != "" && !slices.Contains(them, iri) {
			them = append(them, iri)
		}
	}
	add(u.Abs(uris.Followers(uris.Account(author))))
	if v.Channel.Remote() {
		add(origin.Account.IRI)
		add(origin.Account.Followers)
		add(origin.Channel.Followers)
	} else {
		add(u.Abs(uris.Followers(uris.Account(v.Channel.Account.Name))))
		add(u.Abs(uris.Followers(uris.Channel(v.Channel.Name))))
	}
	for _, p := range parents {
		add(authorIRI(u, p))
	}
	if visibility.PublicAudience(v) {
		return []string{vocab.Public}, them
	}
	return them, []string{vocab.Public}
}

// authorIRI is the actor IRI of the author of comment p, local or remote;
// "" for a deleted comment (its author is forgotten).
func authorIRI(u uris.Builder, p model.Comment) string {
	switch {
	case p.IsDeleted():
		return ""
	case comments.LocalAuthor(p):
		return u.Abs(uris.Account(p.Account.Name))
	}
	return p.AuthorIRI
}

// Note is comment c on video v as PeerTube's Note. v federates and c is
// readable by a stranger and written here (comments.LocalAuthor);
// parents are the comments it answers, nearest first; origin is where v
// lives when it is remote (zero otherwise).
func Note(u uris.Builder, v model.Video, c model.Comment, parents []model.Comment, origin model.RemoteOrigin) vocab.Note {
	id := u.Abs(uris.Comment(v.UUID, c.ID))
	to, cc := CommentAudience(u, v, c.Account.Name, parents, origin)
	n := vocab.Note{Type: vocab.TypeNote, ID: id, URL: id, To: to, Cc: cc,
		Content: markup.CommentHTML(c.Text), MediaType: vocab.MediaHTML, InReplyTo: inReplyTo(u, v, c, parents, origin),
		Published: vocab.Time(c.CreatedAt), Updated: vocab.Time(firstSet(c.UpdatedAt, c.CreatedAt)),
		AttributedTo: u.Abs(uris.Account(c.Account.Name)), Tag: []vocab.Mention{}}
	// The authors answered are mentioned, as PeerTube does: their
	// servers notify them, and Mastodon threads the reply under theirs.
	// A remote author's name is already "<name>@<host>".
	for _, p := range parents {
		href := authorIRI(u, p)
		if href == "" {
			continue
		}
		name := "@" + p.Account.Name
		if comments.LocalAuthor(p) {
			name += "@" + u.Host()
		}
		m := vocab.Mention{Type: "Mention", Href: href, Name: name}
		if !slices.Contains(n.Tag, m) {
			n.Tag = append(n.Tag, m)
		}
	}
	return n
}

// CommentTombstone is what the IRI of deleted comment c answers.
func CommentTombstone(u uris.Builder, v model.Video, c model.Comment, origin model.RemoteOrigin) vocab.Tombstone {
	id := u.Abs(uris.Comment(v.UUID, c.ID))
	return vocab.Tombstone{Type: "Tombstone", ID: id, URL: id, FormerType: vocab.TypeNote, InReplyTo: inReplyTo(u, v, c, nil, origin),
		Published: vocab.Time(c.CreatedAt), Updated: vocab.Time(firstSet(c.UpdatedAt, c.CreatedAt)), Deleted: vocab.Time(c.DeletedAt)}
}

// inReplyTo is the video for a thread (the origin's Video for a remote
// one), else the comment answered: a remote one by its Note's id, a
// local one by its IRI here.
func inReplyTo(u uris.Builder, v model.Video, c model.Comment, parents []model.Comment, origin model.RemoteOrigin) string {
	if c.InReplyTo == 0 {
		if v.Channel.Remote() {
			return origin.Video.IRI
		}
		return u.Abs(uris.Watch(v.UUID))
	}
	if len(parents) > 0 && parents[0].ID == c.InReplyTo && parents[0].IRI != "" {
		return parents[0].IRI
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
	// Origin is where the video lives when it is remote (zero otherwise):
	// a Create of the Note goes there too.
	Origin model.RemoteOrigin
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
	var origin model.RemoteOrigin
	if v.Channel.Remote() {
		// A comment here on another server's video: it answers that
		// server's Video, which only the origin's row says.
		if s.Origins == nil {
			return CommentDocument{}, ErrNotFound
		}
		if origin, err = s.Origins.RemoteOrigin(ctx, v.ID); err != nil {
			return CommentDocument{}, fmt.Errorf("origin of video %s: %w", v.UUID, err)
		}
	}
	if c.IsDeleted() {
		t := CommentTombstone(u, v, c, origin)
		t.Context = vocab.NoteContext
		return CommentDocument{Tombstone: &t}, nil
	}
	if !comments.LocalAuthor(c) {
		return CommentDocument{}, ErrNotFound
	}
	n := Note(u, v, c, parents, origin)
	n.Context = vocab.NoteContext
	return CommentDocument{Note: &n, Author: c.Account.ID, Origin: origin}, nil
}
