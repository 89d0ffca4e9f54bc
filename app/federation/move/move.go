// Package move is a local creator moving an account or a channel to
// another server (#11), Mastodon's way: the creator first lists the new
// actor among the old one's aliases (alsoKnownAs, so that each side names
// the other), then, once the new actor lists the old one in its own
// alsoKnownAs, moves: the old actor records movedTo (its pages redirect,
// its documents say so), sends Move{actor: old, object: old, target: new}
// to its followers (who follow the new actor by themselves) and an Update
// of itself, and the local subscribers of a moved channel are made to
// follow the new one. The other direction, a remote actor's Move, is the
// inbox's (app/federation/inbox/move.go).
package move

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

var (
	// ErrNotAlias: the target does not list the moving actor in its
	// alsoKnownAs (400): the creator adds it there first.
	ErrNotAlias = errors.New("the new account does not list this one among its aliases (alsoKnownAs)")
	// ErrSelf: an actor cannot move to, or be an alias of, itself (400).
	ErrSelf = errors.New("an account cannot move to itself")
	// ErrForbidden: not the viewer's account or channel (403).
	ErrForbidden = errors.New("only its owner moves an account or a channel")
	// ErrOff: federation is off (400).
	ErrOff = errors.New("federation is off (no public URL)")
	// ErrTooMany: too many aliases (400).
	ErrTooMany = errors.New("too many aliases")
	// ErrLocal: the target is on this server (400): moving between two
	// local actors is not handled.
	ErrLocal = errors.New("the new account is on this server")
)

// MaxAliases bounds an actor's alsoKnownAs (Mastodon allows a few too).
const MaxAliases = 10

// Store keeps aliases and moves (store.Moves).
type Store interface {
	Aliases(ctx context.Context, kind string, id int64) ([]string, error)
	AddAlias(ctx context.Context, kind string, id int64, iri string) error
	RemoveAlias(ctx context.Context, kind string, id int64, iri string) error
	MovedTo(ctx context.Context, kind string, id int64) (store.Moved, error)
	SetMoved(ctx context.Context, kind string, id int64, iri, url string) error
}

// Following resolves and follows remote actors (following.Service).
type Following interface {
	ResolveActor(ctx context.Context, uri string) (string, error)
	Subscribe(ctx context.Context, accountID int64, uri string) (model.Channel, error)
	// MovedHere moves the local follows of a remote actor to a local
	// channel (a remote creator moving here).
	MovedHere(ctx context.Context, oldIRI string, channelID int64) error
}

// Objects fetches remote documents signed as the server actor
// (inbox.Actors).
type Objects interface {
	Object(ctx context.Context, iri string) ([]byte, error)
}

// Locals names local actors as they sign (follows.Service).
type Locals interface {
	LocalActor(ctx context.Context, a keys.Actor) (federation.LocalActor, error)
}

// Channels finds a local channel by id (accounts.Service).
type Channels interface {
	ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error)
	ChannelsOf(ctx context.Context, accountID int64) ([]model.Channel, error)
}

// Subscribers are the local subscriptions of a local channel
// (store.Subscriptions).
type Subscribers interface {
	Subscribers(ctx context.Context, channelID int64) ([]int64, error)
	SubscriptionTime(ctx context.Context, accountID, channelID int64) (time.Time, error)
	SetSubscriptionTime(ctx context.Context, accountID, channelID int64, at time.Time) error
	Unsubscribe(ctx context.Context, accountID, channelID int64) error
}

// Service moves local actors.
type Service struct {
	Identity    federation.Identity
	Store       Store
	Following   Following
	Fetch       Objects
	Locals      Locals
	Channels    Channels
	Subscribers Subscribers
	Audience    federation.Audience
	Sender      federation.Sender
	// Changed queues an Update of the actor (outbox.Service's
	// AccountChanged or ChannelChanged); nil: none is sent.
	Changed func(ctx context.Context, a keys.Actor)
	Log     *slog.Logger
	Now     func() time.Time
}

// State is what the settings page shows of an actor.
type State struct {
	Actor       keys.Actor
	IRI         string
	AlsoKnownAs []string
	MovedTo     string // "" when it has not moved
	MovedURL    string
}

// ActorMove is a local actor's alsoKnownAs and movedTo, for its document
// (federation.Service's Moves).
func (s *Service) ActorMove(ctx context.Context, kind string, id int64) ([]string, string, error) {
	aka, err := s.Store.Aliases(ctx, kind, id)
	if err != nil {
		return nil, "", err
	}
	m, err := s.Store.MovedTo(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return aka, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	return aka, m.IRI, nil
}

// MovedURL is the page a moved local actor's pages redirect to; ok is
// false when it has not moved.
func (s *Service) MovedURL(ctx context.Context, a keys.Actor) (string, bool, error) {
	m, err := s.Store.MovedTo(ctx, string(a.Kind), a.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return m.URL, true, nil
}

// State is an actor's aliases and move, for its owner.
func (s *Service) State(ctx context.Context, viewer visibility.Viewer, a keys.Actor) (State, error) {
	me, err := s.own(ctx, viewer, a)
	if err != nil {
		return State{}, err
	}
	st := State{Actor: a, IRI: me.IRI}
	if st.AlsoKnownAs, err = s.Store.Aliases(ctx, string(a.Kind), a.ID); err != nil {
		return State{}, err
	}
	m, err := s.Store.MovedTo(ctx, string(a.Kind), a.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return State{}, err
	}
	st.MovedTo, st.MovedURL = m.IRI, m.URL
	return st, nil
}

// own checks that a is the viewer's account or one of its channels, and
// names it.
func (s *Service) own(ctx context.Context, viewer visibility.Viewer, a keys.Actor) (federation.LocalActor, error) {
	if !s.Identity.On() {
		return federation.LocalActor{}, ErrOff
	}
	if !viewer.LoggedIn() {
		return federation.LocalActor{}, ErrForbidden
	}
	switch a.Kind {
	case keys.Account:
		if a.ID != viewer.AccountID {
			return federation.LocalActor{}, ErrForbidden
		}
	case keys.Channel:
		ch, err := s.Channels.ChannelByID(ctx, viewer, a.ID)
		if errors.Is(err, model.ErrNotFound) {
			return federation.LocalActor{}, ErrForbidden
		}
		if err != nil {
			return federation.LocalActor{}, err
		}
		if ch.Remote() || ch.AccountID != viewer.AccountID {
			return federation.LocalActor{}, ErrForbidden
		}
	default:
		return federation.LocalActor{}, ErrForbidden
	}
	return s.Locals.LocalActor(ctx, a)
}

// fetch resolves uri (a handle or a URL) and fetches the actor, signed;
// it returns the actor and its document.
func (s *Service) fetch(ctx context.Context, me federation.LocalActor, uri string) (store.RemoteActor, []byte, error) {
	iri, err := s.Following.ResolveActor(ctx, uri)
	if err != nil {
		return store.RemoteActor{}, nil, err
	}
	if iri == me.IRI {
		return store.RemoteActor{}, nil, ErrSelf
	}
	if u, err := url.Parse(iri); err != nil || strings.EqualFold(u.Host, s.Identity.URIs().Host()) {
		return store.RemoteActor{}, nil, ErrLocal
	}
	body, err := s.Fetch.Object(ctx, iri)
	if err != nil {
		return store.RemoteActor{}, nil, fmt.Errorf("%w: %w", model.ErrNotFound, err)
	}
	a, err := inbox.ReadActor(body, s.now())
	if err != nil {
		return store.RemoteActor{}, nil, err
	}
	if a.IRI != iri {
		return store.RemoteActor{}, nil, fmt.Errorf("%w: fetched %s, document is %s", inbox.ErrBadActor, iri, a.IRI)
	}
	return a, body, nil
}

// AddAlias lists the actor uri names (a handle or a URL, resolved and
// fetched: it must exist) in a's alsoKnownAs, and tells a's followers.
func (s *Service) AddAlias(ctx context.Context, viewer visibility.Viewer, a keys.Actor, uri string) (string, error) {
	me, err := s.own(ctx, viewer, a)
	if err != nil {
		return "", err
	}
	aka, err := s.Store.Aliases(ctx, string(a.Kind), a.ID)
	if err != nil {
		return "", err
	}
	if len(aka) >= MaxAliases {
		return "", ErrTooMany
	}
	target, _, err := s.fetch(ctx, me, uri)
	if err != nil {
		return "", err
	}
	if err := s.Store.AddAlias(ctx, string(a.Kind), a.ID, target.IRI); err != nil {
		return "", err
	}
	s.changed(ctx, a)
	return target.IRI, nil
}

// RemoveAlias takes iri out of a's alsoKnownAs.
func (s *Service) RemoveAlias(ctx context.Context, viewer visibility.Viewer, a keys.Actor, iri string) error {
	if _, err := s.own(ctx, viewer, a); err != nil {
		return err
	}
	if err := s.Store.RemoveAlias(ctx, string(a.Kind), a.ID, iri); err != nil {
		return err
	}
	s.changed(ctx, a)
	return nil
}

// Activity is the Move, as Mastodon sends it: the old actor moves itself
// to target, addressed to its followers.
type Activity struct {
	Context string   `json:"@context"`
	ID      string   `json:"id"`
	Type    string   `json:"type"`
	Actor   string   `json:"actor"`
	Object  string   `json:"object"`
	Target  string   `json:"target"`
	To      []string `json:"to"`
}

// MoveTo moves a to the actor uri names, which must list a in its
// alsoKnownAs: a records movedTo, its followers get the Move and an
// Update, and its local subscribers (a channel's) follow the new actor.
// Moving again (to the same or another actor) sends the Move again.
func (s *Service) MoveTo(ctx context.Context, viewer visibility.Viewer, a keys.Actor, uri string) (string, error) {
	me, err := s.own(ctx, viewer, a)
	if err != nil {
		return "", err
	}
	target, body, err := s.fetch(ctx, me, uri)
	if err != nil {
		return "", err
	}
	if !inbox.Lists(inbox.AlsoKnownAs(body), me.IRI) {
		return "", ErrNotAlias
	}
	page := target.URL
	if page == "" {
		page = target.IRI
	}
	if err := s.Store.SetMoved(ctx, string(a.Kind), a.ID, target.IRI, page); err != nil {
		return "", err
	}
	s.changed(ctx, a)
	to, err := s.Audience.Followers(ctx, a)
	if err != nil {
		return "", fmt.Errorf("followers of %s: %w", me.IRI, err)
	}
	if len(to) > 0 {
		mv := Activity{Context: "https://www.w3.org/ns/activitystreams", Type: "Move",
			ID:    me.IRI + "/moves/" + strconv.FormatInt(s.now().UnixMilli(), 10),
			Actor: me.IRI, Object: me.IRI, Target: target.IRI, To: []string{followersOf(me.IRI)}}
		b, err := json.Marshal(mv)
		if err != nil {
			return "", err
		}
		if err := s.Sender.Send(ctx, me, b, to); err != nil {
			return "", fmt.Errorf("send Move of %s: %w", me.IRI, err)
		}
	}
	if a.Kind == keys.Channel {
		s.moveSubscribers(ctx, a.ID, target)
	}
	return target.IRI, nil
}

// moveSubscribers makes this server's subscribers of a moved channel
// follow its new actor (a signed Follow, as any subscription), in the
// place the old subscription had in their lists. One that fails keeps
// its subscription to the old channel (logged).
func (s *Service) moveSubscribers(ctx context.Context, channelID int64, target store.RemoteActor) {
	if target.Type != "Group" {
		return // a subscription is to a channel
	}
	ids, err := s.Subscribers.Subscribers(ctx, channelID)
	if err != nil {
		s.log().Warn("move: subscribers", "channel", channelID, "err", err)
		return
	}
	for _, accountID := range ids {
		at, err := s.Subscribers.SubscriptionTime(ctx, accountID, channelID)
		if err != nil {
			continue
		}
		ch, err := s.Following.Subscribe(ctx, accountID, target.IRI)
		if err != nil {
			s.log().Warn("move: resubscribe", "account", accountID, "to", target.IRI, "err", err)
			continue
		}
		if err := s.Subscribers.SetSubscriptionTime(ctx, accountID, ch.ID, at); err != nil {
			s.log().Warn("move: date subscription", "account", accountID, "err", err)
		}
		if err := s.Subscribers.Unsubscribe(ctx, accountID, channelID); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log().Warn("move: unsubscribe", "account", accountID, "err", err)
		}
	}
}

// MovedHere is the other side of a move (inbox.LocalMover): a remote
// actor oldIRI moved to local actor to, which must list it in its
// alsoKnownAs (its owner added it on the settings page first), else
// inbox.ErrNotAlias. The users here who followed the old actor then
// subscribe to the local channel: to itself, or an account's first
// channel (a subscription is to a channel).
func (s *Service) MovedHere(ctx context.Context, oldIRI string, to keys.Actor) error {
	if to.Kind != keys.Account && to.Kind != keys.Channel {
		return fmt.Errorf("%w: %s moving to the server actor", inbox.ErrNotAlias, oldIRI)
	}
	aka, err := s.Store.Aliases(ctx, string(to.Kind), to.ID)
	if err != nil {
		return err
	}
	if !inbox.Lists(aka, oldIRI) {
		return fmt.Errorf("%w: %s moving to local %s %d", inbox.ErrNotAlias, oldIRI, to.Kind, to.ID)
	}
	channelID := to.ID
	if to.Kind == keys.Account {
		chs, err := s.Channels.ChannelsOf(ctx, to.ID)
		if err != nil {
			return err
		}
		if len(chs) == 0 {
			return fmt.Errorf("move %s here: account %d has no channel to subscribe to", oldIRI, to.ID)
		}
		channelID = chs[0].ID
	}
	return s.Following.MovedHere(ctx, oldIRI, channelID)
}

func (s *Service) changed(ctx context.Context, a keys.Actor) {
	if s.Changed != nil {
		s.Changed(ctx, a)
	}
}

// followersOf is a local actor's followers collection (its IRI is its
// path made absolute).
func followersOf(iri string) string { return uris.Followers(iri) }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
