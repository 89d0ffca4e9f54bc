package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/federation/remotevideo"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// Comments from other servers, as PeerTube's processCreateVideoComment:
// a public Note answering a local video, or one of its comments (local,
// or remote by the Note id kept), becomes a comment by the Note's author,
// under the video's comments policy and blocks. So does one answering a
// remote video stored here (a followed channel's), or a comment on it:
// the origin's replies to our users and the comments people send from
// their own servers show on our watch page. Its author alone may change
// or delete it (the Note is the actor's own, readNote).

// publicIRIs are the spellings of the public collection.
var publicIRIs = []string{"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}

// note is what Cabane reads of a Note.
type note struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	AttributedTo json.RawMessage `json:"attributedTo"`
	InReplyTo    json.RawMessage `json:"inReplyTo"`
	Content      string          `json:"content"`
	MediaType    string          `json:"mediaType"`
	To           audience        `json:"to"`
	Cc           audience        `json:"cc"`
}

// audience is "to" or "cc": one IRI or a list.
type audience []string

func (au *audience) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*au = audience{one}
		return nil
	}
	if string(b) == "null" {
		*au = nil
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*au = many
	return nil
}

func (n note) public() bool {
	return slices.ContainsFunc(publicIRIs, func(p string) bool { return slices.Contains(n.To, p) || slices.Contains(n.Cc, p) })
}

// text is the Note's content as a comment's plain text: HTML (Mastodon,
// GoToSocial) loses its tags, keeping its line breaks; PeerTube's
// text/markdown is text already.
func (n note) text() string {
	if n.MediaType == "text/markdown" {
		return strings.TrimSpace(n.Content)
	}
	return markup.RemoteText(n.Content)
}

// readNote reads the Note an activity carries: its id is on the actor's
// server and its author is the actor (ErrNotSigner otherwise: nobody
// writes in someone else's name).
func readNote(raw json.RawMessage, actor string) (note, error) {
	var n note
	if len(raw) == 0 || raw[0] != '{' {
		return n, fmt.Errorf("%w: a Note must be embedded", ErrMalformed)
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return n, fmt.Errorf("%w: Note: %w", ErrMalformed, err)
	}
	switch {
	case !httpURL(n.ID) || !strings.EqualFold(hostOf(n.ID), hostOf(actor)):
		return n, fmt.Errorf("%w: Note id %q not on the actor's server", ErrMalformed, n.ID)
	case idOf(n.AttributedTo) != actor:
		return n, fmt.Errorf("%w: Note by %q sent by %s", ErrNotSigner, idOf(n.AttributedTo), actor)
	}
	return n, nil
}

// createNote handles Create of a Note.
func (s *Service) createNote(ctx context.Context, a *activity) (Outcome, error) {
	n, err := readNote(a.Object, a.actor)
	if err != nil {
		return 0, err
	}
	if !n.public() {
		// A direct or followers-only message is not a comment (PeerTube
		// refuses them too).
		return 0, fmt.Errorf("%w: Note %s is not public", errUnsupported, n.ID)
	}
	v, parentID, err := s.noteTarget(ctx, idOf(n.InReplyTo))
	if errors.Is(err, errNotHere) {
		fetched, ferr := s.fetchAnswered(ctx, a.actor, idOf(n.InReplyTo))
		switch {
		case ferr != nil:
			err = ferr
		case fetched:
			v, parentID, err = s.noteTarget(ctx, idOf(n.InReplyTo))
		}
	}
	if err != nil {
		return 0, err
	}
	policy := v.Meta.CommentsPolicy
	if policy == model.CommentsDisabled {
		return 0, fmt.Errorf("%w: comments of video %s are disabled", errUnsupported, v.UUID)
	}
	text := n.text()
	if err := comments.CheckText(text); err != nil {
		return 0, fmt.Errorf("%w: Note %s: %w", ErrMalformed, n.ID, err)
	}
	author, err := s.remoteActor(ctx, a.actor)
	if err != nil {
		return 0, err
	}
	var stored model.Comment
	_, err = s.apply(ctx, a, func(tx *store.FollowsTx) error {
		if _, err := tx.CommentByIRI(ctx, n.ID); err == nil {
			return nil // the same Note through another Create
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		accountID, err := putAccount(ctx, tx, author)
		if err != nil {
			return err
		}
		// The server's and the video owner's blocks hold, as PeerTube's
		// isBlockedByServerOrAccount: the comment is dropped, nothing kept.
		if blocked, err := tx.Blocked(ctx, accountID, author.Host, v.Channel.AccountID); err != nil {
			return err
		} else if blocked {
			return fmt.Errorf("%w: %s is blocked for video %s", errUnsupported, a.actor, v.UUID)
		}
		c := model.Comment{VideoID: v.ID, AccountID: accountID, Text: text, HeldForReview: policy == model.CommentsRequiresApproval}
		if parentID != 0 {
			parent, err := tx.Comment(ctx, parentID)
			if errors.Is(err, store.ErrNotFound) || err == nil && (parent.VideoID != v.ID || parent.HeldForReview) {
				// A reply to a comment held for review would show what
				// the owner has not approved.
				return fmt.Errorf("%w: Note answers comment %d, not one to answer", errUnsupported, parentID)
			}
			if err != nil {
				return err
			}
			c.ThreadID, c.InReplyTo = parent.Thread(), parent.ID
		}
		if err := tx.PutRemoteComment(ctx, &c, n.ID); err != nil {
			return err
		}
		stored, err = tx.Comment(ctx, c.ID)
		return err
	})
	if err != nil {
		return 0, err
	}
	if stored.ID != 0 && s.Notify != nil {
		s.Notify.CommentPosted(ctx, v, stored)
	}
	return Processed, nil
}

// fetchAnswered stores the video a Note answers when its server sent the
// Note and the video is not here yet: deliveries cross (a retried Create
// of the video after an outage, jobs run side by side), so the origin's
// first comment on its new video may come before the video. Like an
// Announce by IRI, the video is fetched from its origin, and kept only if
// its channel is followed here. fetched is false, with no error, when
// the Note answers no such video (a Mastodon reply to a status, a channel
// nobody follows): the Note is then dropped as before.
func (s *Service) fetchAnswered(ctx context.Context, actor, iri string) (fetched bool, err error) {
	if s.Objects == nil || !httpURL(iri) || s.localPath(iri) != "" || !strings.EqualFold(hostOf(iri), hostOf(actor)) {
		return false, nil
	}
	body, err := s.Objects.Object(ctx, iri)
	if err != nil {
		s.log().Debug("inbox: the video a Note answers could not be fetched", "iri", iri, "err", err)
		return false, nil
	}
	d, err := remotevideo.Read(body)
	if err != nil || d.IRI != iri {
		return false, nil
	}
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error { return remotevideo.Store(ctx, tx, d) })
	if errors.Is(err, remotevideo.ErrNotFollowed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store %s, which a Note answers: %w", iri, err)
	}
	return true, nil
}

// noteTarget is what a Note answers: a remote video stored here, by its
// Video's id, or commentTarget's (a local video, a comment here).
func (s *Service) noteTarget(ctx context.Context, iri string) (model.Video, int64, error) {
	if iri != "" && s.localPath(iri) == "" {
		uuid, err := s.Store.RemoteVideoUUID(ctx, iri)
		if err == nil {
			v, err := s.federatedVideo(ctx, uuid)
			return v, 0, err
		}
		if !errors.Is(err, store.ErrNotFound) {
			return model.Video{}, 0, err
		}
	}
	return s.commentTarget(ctx, iri)
}

// updateNote handles Update of a Note by its author: the comment's text
// is replaced. An unknown Note (never a comment here) is dropped.
func (s *Service) updateNote(ctx context.Context, a *activity) (Outcome, error) {
	n, err := readNote(a.Object, a.actor)
	if err != nil {
		return 0, err
	}
	text := n.text()
	if err := comments.CheckText(text); err != nil {
		return 0, fmt.Errorf("%w: Note %s: %w", ErrMalformed, n.ID, err)
	}
	_, err = s.apply(ctx, a, func(tx *store.FollowsTx) error {
		c, err := s.authored(ctx, tx, n.ID, a.actor)
		if err != nil || c.IsDeleted() {
			return err
		}
		return tx.EditComment(ctx, c.ID, text)
	})
	return Processed, err
}

// deleteNote handles Delete of a Note (a Tombstone or its IRI) by its
// author: the comment leaves its placeholder, as a local deletion.
func (s *Service) deleteNote(ctx context.Context, a *activity, iri string) (Outcome, error) {
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		c, err := s.authored(ctx, tx, iri, a.actor)
		if err != nil || c.IsDeleted() {
			return err
		}
		return tx.DeleteComment(ctx, c.ID)
	})
	return Processed, err
}

// authored is the remote comment a Note id names, if actor wrote it:
// errNotHere when there is none, ErrNotAuthor when someone else wrote it.
func (s *Service) authored(ctx context.Context, tx *store.FollowsTx, iri, actor string) (model.Comment, error) {
	c, err := tx.CommentByIRI(ctx, iri)
	if errors.Is(err, store.ErrNotFound) {
		return c, fmt.Errorf("%w: no comment %s", errNotHere, iri)
	}
	if err != nil || c.IsDeleted() {
		return c, err
	}
	acc, err := tx.RemoteAccountOf(ctx, actor)
	if errors.Is(err, store.ErrNotFound) || err == nil && acc.ID != c.AccountID {
		return c, fmt.Errorf("%w: comment %s by another account than %s", ErrNotAuthor, iri, actor)
	}
	return c, err
}
