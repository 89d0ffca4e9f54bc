// Package follows keeps who follows Cabane's actors from other servers:
// the audience every outgoing activity is addressed to (federation.Audience),
// the followers collections (federation.Collections), the Accept or Reject
// a Follow gets, and the creator's and admin's decisions on followers
// waiting for approval. The inbox (app/federation/inbox) records follows;
// this package reads and decides on them.
package follows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Errors.
var (
	// ErrForbidden: the viewer may not manage these followers (403).
	ErrForbidden = errors.New("you may not manage these followers")
	// ErrNotPending: the follow was already accepted (409).
	ErrNotPending = errors.New("this follow is not waiting for approval")
	// ErrNotFound: no such follow or actor (404).
	ErrNotFound = model.ErrNotFound
)

// Store keeps follows (store.Follows).
type Store interface {
	Followers(ctx context.Context, targets []store.FollowTarget, state string, offset, limit int) ([]store.Follow, int, error)
	FollowByHandle(ctx context.Context, name, host string, t store.FollowTarget) (store.Follow, error)
	FollowersCount(ctx context.Context, t store.FollowTarget) (int, error)
	Recipients(ctx context.Context, targets []store.FollowTarget) ([]store.RemoteActor, error)
	FollowByID(ctx context.Context, id int64) (store.Follow, error)
	AcceptFollow(ctx context.Context, id int64) (store.Follow, error)
	RemoveFollow(ctx context.Context, id int64) (store.Follow, error)
	ManualFollowers(ctx context.Context, channelID int64) (bool, error)
	SetManualFollowers(ctx context.Context, channelID int64, on bool) error
	// The admin's side (admin.go).
	AllFollowers(ctx context.Context, state string, offset, limit int) ([]store.Follow, int, error)
	RemoveFollowsAt(ctx context.Context, actorIRI, inbox string) (int64, error)
}

// Directory finds the local actors follows name (accounts.Service).
type Directory interface {
	AccountByID(ctx context.Context, id int64) (model.Account, error)
	ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error)
	ChannelsOf(ctx context.Context, accountID int64) ([]model.Channel, error)
}

// Service reads and decides on follows.
type Service struct {
	Identity  federation.Identity
	Store     Store
	Directory Directory
	// Sender delivers Accepts and Rejects; nil: nothing is sent (tests of
	// the collections).
	Sender federation.Sender
}

// Target is the local actor a follow is of.
func Target(a keys.Actor) store.FollowTarget {
	return store.FollowTarget{Kind: string(a.Kind), ID: a.ID}
}

// Followers is federation.Audience: the accepted followers of the local
// actors of, each remote actor once, with its inbox and shared inbox.
func (s *Service) Followers(ctx context.Context, of ...keys.Actor) ([]federation.Recipient, error) {
	targets := make([]store.FollowTarget, len(of))
	for i, a := range of {
		targets[i] = Target(a)
	}
	actors, err := s.Store.Recipients(ctx, targets)
	if err != nil {
		return nil, err
	}
	out := make([]federation.Recipient, len(actors))
	for i, a := range actors {
		out[i] = federation.Recipient{Actor: a.IRI, Inbox: a.Inbox, SharedInbox: a.SharedInbox}
	}
	return out, nil
}

// Collection is federation.Collections for followers: the accepted
// followers' IRIs, newest first. Following and outboxes are others'
// business: Next answers them (nil: empty).
type Collection struct {
	Store Store
	Next  federation.Collections
}

// Collection lists one page of c.
func (c Collection) Collection(ctx context.Context, ref federation.CollectionRef, offset, limit int) ([]string, int, error) {
	if ref.Which != federation.Followers {
		if c.Next == nil {
			return []string{}, 0, nil
		}
		return c.Next.Collection(ctx, ref, offset, limit)
	}
	fs, total, err := c.Store.Followers(ctx, []store.FollowTarget{{Kind: ref.Kind, ID: ref.ID}}, store.FollowAccepted, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	items := make([]string, len(fs))
	for i, f := range fs {
		items[i] = f.Follower.IRI
	}
	return items, total, nil
}

// Count is how many accepted followers a local actor has (the API's
// followersCount).
func (s *Service) Count(ctx context.Context, a keys.Actor) (int, error) {
	return s.Store.FollowersCount(ctx, Target(a))
}

// LocalActor is a local actor as it signs: its key and IRI, from the
// public URL.
func (s *Service) LocalActor(ctx context.Context, a keys.Actor) (federation.LocalActor, error) {
	u := s.Identity.URIs()
	switch a.Kind {
	case keys.Server:
		return federation.LocalActor{Key: a, IRI: u.Abs(uris.ServerActor)}, nil
	case keys.Account:
		acc, err := s.Directory.AccountByID(ctx, a.ID)
		if err != nil {
			return federation.LocalActor{}, err
		}
		return federation.LocalActor{Key: a, IRI: u.Abs(uris.Account(acc.Name))}, nil
	case keys.Channel:
		ch, err := s.Directory.ChannelByID(ctx, visibility.Remote(), a.ID)
		if err != nil {
			return federation.LocalActor{}, err
		}
		return federation.LocalActor{Key: a, IRI: u.Abs(uris.Channel(ch.Name))}, nil
	}
	return federation.LocalActor{}, fmt.Errorf("local actor kind %q: %w", a.Kind, ErrNotFound)
}

// Answer is an Accept or a Reject of a Follow, as PeerTube sends them:
// the object is the Follow itself, rebuilt from what was stored.
type Answer struct {
	Context string       `json:"@context"`
	ID      string       `json:"id"`
	Type    string       `json:"type"`
	Actor   string       `json:"actor"`
	Object  FollowObject `json:"object"`
}

// FollowObject is the Follow an Answer answers.
type FollowObject struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Actor  string `json:"actor"`
	Object string `json:"object"`
}

// answer builds and sends an Accept or Reject of f from its target.
func (s *Service) answer(ctx context.Context, typ string, f store.Follow) error {
	if s.Sender == nil {
		return nil
	}
	me, err := s.LocalActor(ctx, keys.Actor{Kind: keys.Kind(f.TargetKind), ID: f.TargetID})
	if err != nil {
		return fmt.Errorf("%s follow %d: %w", typ, f.ID, err)
	}
	path := "/accepts/follows/"
	if typ == "Reject" {
		path = "/rejects/follows/"
	}
	a := Answer{Context: "https://www.w3.org/ns/activitystreams",
		ID:   s.Identity.URIs().Abs(path + strconv.FormatInt(f.ID, 10)),
		Type: typ, Actor: me.IRI,
		Object: FollowObject{ID: f.ActivityID, Type: "Follow", Actor: f.Follower.IRI, Object: me.IRI}}
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode %s: %w", typ, err)
	}
	// The answer goes to the follower's own inbox: it concerns that actor
	// alone.
	to := []federation.Recipient{{Actor: f.Follower.IRI, Inbox: f.Follower.Inbox}}
	if err := s.Sender.Send(ctx, me, body, to); err != nil {
		return fmt.Errorf("send %s of follow %d: %w", typ, f.ID, err)
	}
	return nil
}

// SendAccept sends the Accept of an accepted follow.
func (s *Service) SendAccept(ctx context.Context, f store.Follow) error {
	return s.answer(ctx, "Accept", f)
}

// owner is the account that owns a follow's target (0 for the server).
func (s *Service) owner(ctx context.Context, t store.FollowTarget) (int64, error) {
	switch keys.Kind(t.Kind) {
	case keys.Account:
		return t.ID, nil
	case keys.Channel:
		ch, err := s.Directory.ChannelByID(ctx, visibility.Remote(), t.ID)
		if err != nil {
			return 0, err
		}
		return ch.AccountID, nil
	}
	return 0, nil
}

// may checks that viewer manages t's followers.
func (s *Service) may(ctx context.Context, viewer visibility.Viewer, t store.FollowTarget) error {
	if !viewer.LoggedIn() {
		return ErrForbidden
	}
	o, err := s.owner(ctx, t)
	if err != nil {
		return err
	}
	if !visibility.ManageFollowers(viewer, o) {
		return ErrForbidden
	}
	return nil
}

// List is one page of a local actor's followers in a state ("" for
// all), for whoever manages them. An account's list holds its channels'
// followers too, as PeerTube's does.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, a keys.Actor, state string, start, count int) ([]store.Follow, int, error) {
	t := Target(a)
	if err := s.may(ctx, viewer, t); err != nil {
		return nil, 0, err
	}
	targets := []store.FollowTarget{t}
	if a.Kind == keys.Account {
		chs, err := s.Directory.ChannelsOf(ctx, a.ID)
		if err != nil {
			return nil, 0, err
		}
		for _, ch := range chs {
			targets = append(targets, store.FollowTarget{Kind: string(keys.Channel), ID: ch.ID})
		}
	}
	return s.Store.Followers(ctx, targets, state, start, count)
}

// ByHandle finds the follow of a local actor by the remote actor handle
// (name@host), for whoever manages its followers.
func (s *Service) ByHandle(ctx context.Context, viewer visibility.Viewer, a keys.Actor, handle string) (store.Follow, error) {
	t := Target(a)
	if err := s.may(ctx, viewer, t); err != nil {
		return store.Follow{}, err
	}
	name, host, ok := strings.Cut(strings.TrimPrefix(handle, "@"), "@")
	if !ok || name == "" || host == "" {
		return store.Follow{}, ErrNotFound
	}
	return s.Store.FollowByHandle(ctx, name, host, t)
}

// decided finds follow id, checks that viewer manages its target (and,
// when target is set, that it is that target's), and that it waits.
func (s *Service) decided(ctx context.Context, viewer visibility.Viewer, id int64, target *keys.Actor) (store.Follow, error) {
	f, err := s.Store.FollowByID(ctx, id)
	if err != nil {
		return store.Follow{}, err
	}
	t := store.FollowTarget{Kind: f.TargetKind, ID: f.TargetID}
	if target != nil && Target(*target) != t {
		return store.Follow{}, ErrNotFound
	}
	if err := s.may(ctx, viewer, t); err != nil {
		return store.Follow{}, err
	}
	return f, nil
}

// Approve accepts a pending follow and sends the Accept. target, when
// not nil, is the actor the caller believes it is of (a page about one
// channel): a follow of another is not found.
func (s *Service) Approve(ctx context.Context, viewer visibility.Viewer, id int64, target *keys.Actor) error {
	f, err := s.decided(ctx, viewer, id, target)
	if err != nil {
		return err
	}
	if f.State != store.FollowPending {
		return ErrNotPending
	}
	if f, err = s.Store.AcceptFollow(ctx, id); err != nil {
		return err
	}
	return s.SendAccept(ctx, f)
}

// Refuse removes a follow, pending or accepted, and sends the Reject
// (which ends an accepted follow too, as PeerTube's removal of a
// follower does).
func (s *Service) Refuse(ctx context.Context, viewer visibility.Viewer, id int64, target *keys.Actor) error {
	if _, err := s.decided(ctx, viewer, id, target); err != nil {
		return err
	}
	f, err := s.Store.RemoveFollow(ctx, id)
	if err != nil {
		return err
	}
	return s.answer(ctx, "Reject", f)
}

// ManualApproval says whether a channel's followers wait for approval.
func (s *Service) ManualApproval(ctx context.Context, channelID int64) (bool, error) {
	return s.Store.ManualFollowers(ctx, channelID)
}

// SetManualApproval sets it, for whoever manages the channel's followers.
func (s *Service) SetManualApproval(ctx context.Context, viewer visibility.Viewer, channelID int64, on bool) error {
	if err := s.may(ctx, viewer, store.FollowTarget{Kind: string(keys.Channel), ID: channelID}); err != nil {
		return err
	}
	return s.Store.SetManualFollowers(ctx, channelID, on)
}
