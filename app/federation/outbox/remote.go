package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// What local people do to other servers' videos, as PeerTube's
// sendVideoRelatedActivityToOrigin: a rating is a Like or Dislike (and
// its Undo) from the rater's account, a view a View from the server
// actor, each sent to the video's origin (its channel's and account's
// inboxes; delivery sends one request per shared inbox). Comments go with
// the comment job (comments.go), to the origin as well.

// The job kinds of this file.
const (
	JobRate = "federation.rate"
	JobView = "federation.view"
)

// Remotes finds where remote videos live and remote actors' inboxes
// (store.Follows).
type Remotes interface {
	RemoteOrigin(ctx context.Context, videoID int64) (model.RemoteOrigin, error)
	RemoteActor(ctx context.Context, iri string) (model.RemoteActor, error)
}

// CommentReader reads a comment by id, with its author (store.Comments):
// a deleted comment's parents.
type CommentReader interface {
	ByID(ctx context.Context, id int64) (model.Comment, error)
}

// maxParents bounds the walk up a thread when a deletion looks for the
// authors it answered (PeerTube walks the whole chain; threads here are
// rarely deeper).
const maxParents = 50

// videoAudience is whose followers hear of what author did on v: the
// author's, and for a local video its account's and channel's, and the
// server actor's for a public one (a remote video's are the origin's to
// reach).
func videoAudience(author keys.Actor, v model.Video) []keys.Actor {
	if v.Channel.Remote() {
		return []keys.Actor{author}
	}
	return append([]keys.Actor{author}, videoFollowers(v.Channel.AccountID, v.ChannelID, visibility.PublicAudience(v))...)
}

func recipientOf(a model.RemoteActor) federation.Recipient {
	return federation.Recipient{Actor: a.IRI, Inbox: a.Inbox, SharedInbox: a.SharedInbox}
}

// originRecipients are a remote video's channel and account.
func originRecipients(o model.RemoteOrigin) []federation.Recipient {
	var out []federation.Recipient
	for _, a := range []model.RemoteActor{o.Channel, o.Account} {
		if a.Inbox != "" {
			out = addRecipients(out, recipientOf(a))
		}
	}
	return out
}

// addRecipients appends more to to, each actor once.
func addRecipients(to []federation.Recipient, more ...federation.Recipient) []federation.Recipient {
	for _, r := range more {
		dup := false
		for _, t := range to {
			if t.Actor == r.Actor {
				dup = true
				break
			}
		}
		if !dup {
			to = append(to, r)
		}
	}
	return to
}

// remoteRecipient is where the stored remote actor iri receives; ok is
// false for a local IRI, an empty one or an actor not stored (forgotten).
func (s *Service) remoteRecipient(ctx context.Context, iri string) (federation.Recipient, bool, error) {
	if iri == "" || s.Remotes == nil || strings.HasPrefix(iri, s.Identity.URIs().Base()+"/") {
		return federation.Recipient{}, false, nil
	}
	a, err := s.Remotes.RemoteActor(ctx, iri)
	if errors.Is(err, model.ErrNotFound) {
		return federation.Recipient{}, false, nil
	}
	if err != nil {
		return federation.Recipient{}, false, fmt.Errorf("remote actor %s: %w", iri, err)
	}
	return recipientOf(a), true, nil
}

// mentioned are the remote actors a Note mentions (the authors it
// answers).
func (s *Service) mentioned(ctx context.Context, tags []vocab.Mention) ([]federation.Recipient, error) {
	var out []federation.Recipient
	for _, m := range tags {
		r, ok, err := s.remoteRecipient(ctx, m.Href)
		if err != nil {
			return nil, err
		}
		if ok {
			out = addRecipients(out, r)
		}
	}
	return out, nil
}

// parents are comment id and the comments it answers, nearest first.
func (s *Service) parents(ctx context.Context, id int64) ([]model.Comment, error) {
	var out []model.Comment
	for id != 0 && s.Comments != nil && len(out) < maxParents {
		c, err := s.Comments.ByID(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		id = c.InReplyTo
	}
	return out, nil
}

// rateJob is a JobRate's payload: what to undo, then what to send, both
// by the rater's account; the activities' ids are fixed when the rating
// is written (the new one is kept with it, so that its Undo names it).
type rateJob struct {
	Video   int64     `json:"video"`
	Account int64     `json:"account"`
	Undo    *sentRate `json:"undo,omitempty"`
	Send    *sentRate `json:"send,omitempty"`
}

// sentRate is a Like or Dislike as it left.
type sentRate struct {
	Type string `json:"type"` // "Like" or "Dislike"
	ID   string `json:"id"`
}

// rateType is the activity of a rating (model.RatingLike, RatingDislike).
func rateType(rating string) string {
	if rating == model.RatingDislike {
		return "Dislike"
	}
	return "Like"
}

// RateRemote prepares, before the rating's write, what a local account's
// rating of the remote video v must send, and returns what the write runs
// in its transaction: given the rating it replaces, it queues the Undo of
// that one's Like or Dislike (by its kept id) and the new one's, and
// returns the id to keep with the new rating. nil: nothing to send (a
// local video, federation off).
func (s *Service) RateRemote(ctx context.Context, v model.Video, accountID int64, after string) (func(context.Context, *sql.Tx, model.RatingRecord) (string, error), error) {
	if !s.On() || s.Remotes == nil || !v.Channel.Remote() || !visibility.Federates(v) {
		return nil, nil
	}
	acc, err := s.Accounts.AccountByID(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("rater %d: %w", accountID, err)
	}
	actor := s.Identity.URIs().Abs(uris.Account(acc.Name))
	version := s.now().UnixMilli()
	return func(ctx context.Context, tx *sql.Tx, before model.RatingRecord) (string, error) {
		if before.Type == after {
			return before.ActivityID, nil // nothing changes
		}
		j := rateJob{Video: v.ID, Account: accountID}
		if before.Type != model.RatingNone && before.ActivityID != "" {
			j.Undo = &sentRate{Type: rateType(before.Type), ID: before.ActivityID}
		}
		if after != model.RatingNone {
			// PeerTube's <actor>/likes/<video id>, made unique per rating:
			// a receiver that remembers activity ids (Cabane does) would
			// take a like after an unlike for a replay of the first.
			kind := "/likes/"
			if after == model.RatingDislike {
				kind = "/dislikes/"
			}
			j.Send = &sentRate{Type: rateType(after), ID: actor + kind + strconv.FormatInt(v.ID, 10) + "/" + strconv.FormatInt(version, 10)}
		}
		if j.Undo == nil && j.Send == nil {
			return "", nil
		}
		if _, err := s.Jobs.EnqueueTx(ctx, tx, JobRate, j, jobs.WithPriority(jobPriority), jobs.WithMaxAttempts(jobAttempts)); err != nil {
			return "", fmt.Errorf("federate rating of video %d: %w", v.ID, err)
		}
		if j.Send == nil {
			return "", nil
		}
		return j.Send.ID, nil
	}, nil
}

// HandleRate runs a JobRate: the Undo, then the new Like or Dislike, to
// the video's origin, addressed to its account (PeerTube's
// getDirectAudience).
func (s *Service) HandleRate(ctx context.Context, j *jobs.Job) error {
	var p rateJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if !s.On() || s.Remotes == nil {
		return nil
	}
	o, to, err := s.origin(ctx, p.Video)
	if err != nil || len(to) == 0 {
		return err
	}
	acc, err := s.Accounts.AccountByID(ctx, p.Account)
	if errors.Is(err, model.ErrNotFound) {
		return nil // the rater is gone, and its ratings with it
	}
	if err != nil {
		return fmt.Errorf("rater %d: %w", p.Account, err)
	}
	actor := s.Identity.URIs().Abs(uris.Account(acc.Name))
	from := federation.LocalActor{Key: accountKey(acc.ID), IRI: actor}
	addr := []string{originAddressee(o)}
	if p.Undo != nil {
		inner := VideoActivity{Type: p.Undo.Type, ID: p.Undo.ID, Actor: actor, Object: o.Video.IRI, To: addr, Cc: []string{}}
		undo := Activity{Context: announceContext, Type: "Undo", ID: p.Undo.ID + "/undo", Actor: actor, Object: inner, To: addr, Cc: []string{}}
		if err := s.send(ctx, from, undo, to); err != nil {
			return err
		}
	}
	if p.Send != nil {
		a := VideoActivity{Context: announceContext, Type: p.Send.Type, ID: p.Send.ID, Actor: actor, Object: o.Video.IRI, To: addr, Cc: []string{}}
		if err := s.sendAny(ctx, from, a.Type, a.ID, a, to); err != nil {
			return err
		}
	}
	return nil
}

// VideoActivity is an activity about a video named by its IRI, as
// PeerTube sends Like, Dislike and View.
type VideoActivity struct {
	Context vocab.Context `json:"@context,omitempty"`
	Type    string        `json:"type"`
	ID      string        `json:"id"`
	Actor   string        `json:"actor"`
	Object  string        `json:"object"`
	To      []string      `json:"to"`
	Cc      []string      `json:"cc"`
}

// originAddressee is whom an activity sent to a video's origin is
// addressed to: its account, else its channel.
func originAddressee(o model.RemoteOrigin) string {
	if o.Account.IRI != "" {
		return o.Account.IRI
	}
	return o.Channel.IRI
}

// origin is the remote video id's origin and its inboxes; nothing (and no
// error) when it is not a remote video any more.
func (s *Service) origin(ctx context.Context, videoID int64) (model.RemoteOrigin, []federation.Recipient, error) {
	o, err := s.Remotes.RemoteOrigin(ctx, videoID)
	if errors.Is(err, model.ErrNotFound) {
		return o, nil, nil // forgotten since (unfollowed, deleted there)
	}
	if err != nil {
		return o, nil, fmt.Errorf("origin of video %d: %w", videoID, err)
	}
	return o, originRecipients(o), nil
}

// viewJob is a JobView's payload: the video, and the random viewer
// identifier that makes the View's id (PeerTube's
// <actor>/views/videos/<video id>/<viewer>), fixed so that a retried job
// sends the same View.
type viewJob struct {
	Video  int64  `json:"video"`
	Viewer string `json:"viewer"`
}

// ViewCounted hears that a view of video v counted here (views.Service,
// once per viewer per video per hour): a remote video's origin is told by
// a View from the server actor, as PeerTube does, so that its count
// includes the viewers who watch from here.
func (s *Service) ViewCounted(ctx context.Context, v model.Video) {
	if !s.On() || s.Remotes == nil || !v.Channel.Remote() || !visibility.Federates(v) {
		return
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		s.log().Warn("federate view", "video", v.ID, "err", err)
		return
	}
	// The view is counted already: failing here would not undo it.
	if _, err := s.Jobs.Enqueue(context.WithoutCancel(ctx), JobView, viewJob{Video: v.ID, Viewer: hex.EncodeToString(b[:])},
		jobs.WithPriority(jobPriority), jobs.WithMaxAttempts(jobAttempts)); err != nil {
		s.log().Warn("federate view", "video", v.ID, "err", err)
	}
}

// HandleView runs a JobView.
func (s *Service) HandleView(ctx context.Context, j *jobs.Job) error {
	var p viewJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if !s.On() || s.Remotes == nil {
		return nil
	}
	o, to, err := s.origin(ctx, p.Video)
	if err != nil || len(to) == 0 {
		return err
	}
	actor := s.Identity.URIs().Abs(uris.ServerActor)
	a := VideoActivity{Context: announceContext, Type: "View", ID: actor + "/views/videos/" + strconv.FormatInt(p.Video, 10) + "/" + p.Viewer,
		Actor: actor, Object: o.Video.IRI, To: []string{originAddressee(o)}, Cc: []string{}}
	return s.sendAny(ctx, federation.LocalActor{Key: keys.ServerActor, IRI: actor}, a.Type, a.ID, a, to)
}
