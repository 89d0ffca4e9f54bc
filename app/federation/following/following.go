// Package following is Cabane following others, PeerTube's way: a user
// subscribes to a remote channel (its account sends the Follow), or the
// admin makes the server actor follow a remote instance. The remote actor
// is found by WebFinger or its URL, fetched with a GET signed as the
// server actor, stored as an account and a channel (store's remote rows),
// followed with a signed Follow through delivery, and, once its Accept
// comes (app/federation/inbox), its recent videos are fetched from its
// outbox (a job) and kept as videos of the remote channel
// (app/federation/remotevideo). Unfollowing sends the Undo.
package following

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
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/subscriptions"
)

// Errors wrap the subscriptions service's (and model's), so the API
// answers them as PeerTube does without knowing this package.
var (
	// ErrOff: federation is off (no public URL) (400).
	ErrOff = fmt.Errorf("%w: federation is off (no public URL)", subscriptions.ErrRemote)
	// ErrBadURI: neither a handle (name@host) nor an http(s) URL (400).
	ErrBadURI = subscriptions.ErrBadHandle
	// ErrNotFound: WebFinger or the actor's server does not know it (404).
	ErrNotFound = fmt.Errorf("remote actor: %w", model.ErrNotFound)
	// ErrNotChannel: the actor is not a channel (a Group) (400).
	ErrNotChannel = fmt.Errorf("%w: this actor is not a channel", subscriptions.ErrBadHandle)
	// ErrNotFollowing: no such follow (404).
	ErrNotFollowing = subscriptions.ErrNotSubscribed
)

// Store is what the service keeps (store.Follows).
type Store interface {
	Write(ctx context.Context, fn func(tx *store.FollowsTx) error) error
	RemoteActor(ctx context.Context, iri string) (store.RemoteActor, error)
	FollowingOf(ctx context.Context, kind string, followerID int64, actorIRI string) (store.Following, error)
	FollowingByHandle(ctx context.Context, kind string, followerID int64, name, host string) (store.Following, error)
	ListFollowing(ctx context.Context, kind string, followerID int64, offset, limit int) ([]store.Following, int, error)
	RemoteVideos(ctx context.Context, ids []int64) (map[int64]model.RemoteVideo, error)
	QueryFollowing(ctx context.Context, kind string, followerID int64, q store.FollowingQuery) ([]store.Following, int, error)
	ServerFollows(ctx context.Context, host string) (bool, error)
	FollowingOfActor(ctx context.Context, actorIRI string) ([]store.Following, error) // move.go
}

// Fetcher fetches remote documents signed as the server actor
// (inbox.Actors).
type Fetcher interface {
	Actor(ctx context.Context, iri string) (store.RemoteActor, error)
	Object(ctx context.Context, iri string) ([]byte, error)
}

// JSONGetter fetches WebFinger's JRD (httpclient.Client).
type JSONGetter interface {
	GetJSON(ctx context.Context, url, accept string, v any) error
}

// Locals names local actors as they sign (follows.Service).
type Locals interface {
	LocalActor(ctx context.Context, a keys.Actor) (federation.LocalActor, error)
}

// Queue runs the backfill jobs (jobs.Queue).
type Queue interface {
	Enqueue(ctx context.Context, kind string, payload any, opts ...jobs.EnqueueOption) (int64, error)
}

// Service follows remote actors.
type Service struct {
	Identity federation.Identity
	Store    Store
	Fetch    Fetcher
	Web      JSONGetter
	Locals   Locals
	Sender   federation.Sender
	Jobs     Queue
	Log      *slog.Logger
	// Scheme is how WebFinger is asked: "https" (the default, as every
	// server federates); "http" only where the public URL is http itself
	// (tests, closed networks).
	Scheme string
	// Recent is how many of a newly followed actor's latest activities are
	// read (default 20).
	Recent int
	Now    func() time.Time
}

// ResolveActor turns a handle (name@host, @name@host, acct:name@host) or
// an http(s) URL into an actor IRI, by WebFinger for a handle.
func (s *Service) ResolveActor(ctx context.Context, uri string) (string, error) {
	uri = strings.TrimSpace(uri)
	if strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "http://") {
		u, err := url.Parse(uri)
		if err != nil || u.Host == "" || u.User != nil || len(uri) > 2000 {
			return "", ErrBadURI
		}
		return uri, nil
	}
	h := strings.TrimPrefix(strings.TrimPrefix(uri, "acct:"), "@")
	name, host, ok := strings.Cut(h, "@")
	if !ok || name == "" || host == "" || strings.ContainsAny(name, "/?# ") || strings.ContainsAny(host, "@/?# ") || len(h) > 255 {
		return "", ErrBadURI
	}
	scheme := s.Scheme
	if scheme == "" {
		scheme = "https"
	}
	var jrd struct {
		Links []struct {
			Rel  string `json:"rel"`
			Type string `json:"type"`
			Href string `json:"href"`
		} `json:"links"`
	}
	wf := scheme + "://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+name+"@"+host)
	if err := s.Web.GetJSON(ctx, wf, "application/jrd+json, application/json", &jrd); err != nil {
		return "", fmt.Errorf("%w: WebFinger of %s@%s: %w", ErrNotFound, name, host, err)
	}
	for _, l := range jrd.Links {
		mt := strings.TrimSpace(strings.Split(l.Type, ";")[0])
		if l.Rel == "self" && (mt == "application/activity+json" || mt == "application/ld+json") {
			if u, err := url.Parse(l.Href); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
				return l.Href, nil
			}
		}
	}
	return "", fmt.Errorf("%w: WebFinger of %s@%s names no ActivityPub actor", ErrNotFound, name, host)
}

// group is what is read of a Group beyond inbox.ReadActor: its owner.
type group struct {
	AttributedTo json.RawMessage `json:"attributedTo"`
}

// owner is the first Person (or, for lack of one, the first actor) a
// Group's attributedTo names.
func owner(raw json.RawMessage) string {
	var refs []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		_ = json.Unmarshal(raw, &refs)
	} else if len(raw) > 0 {
		refs = []json.RawMessage{raw}
	}
	first := ""
	for _, r := range refs {
		var o struct{ ID, Type string }
		if r[0] == '"' {
			_ = json.Unmarshal(r, &o.ID)
		} else {
			_ = json.Unmarshal(r, &o)
		}
		if o.Type == "Person" {
			return o.ID
		}
		if first == "" {
			first = o.ID
		}
	}
	return first
}

// fetchChannel fetches a Group and its owner.
func (s *Service) fetchChannel(ctx context.Context, iri string) (groupActor, ownerActor store.RemoteActor, err error) {
	body, err := s.Fetch.Object(ctx, iri)
	if err != nil {
		return groupActor, ownerActor, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if groupActor, err = inbox.ReadActor(body, s.now()); err != nil {
		return groupActor, ownerActor, err
	}
	if groupActor.IRI != iri {
		return groupActor, ownerActor, fmt.Errorf("%w: fetched %s, document is %s", inbox.ErrBadActor, iri, groupActor.IRI)
	}
	if groupActor.Type != "Group" {
		return groupActor, ownerActor, ErrNotChannel
	}
	var g group
	_ = json.Unmarshal(body, &g)
	ownerIRI := owner(g.AttributedTo)
	if ownerIRI == "" || hostOf(ownerIRI) != hostOf(iri) {
		// PeerTube's rule: a Group is attributed to an account of its server.
		return groupActor, ownerActor, fmt.Errorf("%w: Group %s without an owner on its server", inbox.ErrBadActor, iri)
	}
	ownerActor, err = s.Fetch.Actor(ctx, ownerIRI)
	return groupActor, ownerActor, err
}

// Subscribe makes a local account follow the remote channel uri names:
// the channel is stored (with its owner), subscribed to, and followed; the
// Follow is sent while the follow is pending. Again is harmless.
func (s *Service) Subscribe(ctx context.Context, accountID int64, uri string) (model.Channel, error) {
	if !s.Identity.On() {
		return model.Channel{}, ErrOff
	}
	iri, err := s.ResolveActor(ctx, uri)
	if err != nil {
		return model.Channel{}, err
	}
	if hostOf(iri) == strings.ToLower(s.Identity.URIs().Host()) {
		return model.Channel{}, fmt.Errorf("%w: %s is on this server", ErrBadURI, iri)
	}
	me, err := s.Locals.LocalActor(ctx, keys.Actor{Kind: keys.Account, ID: accountID})
	if err != nil {
		return model.Channel{}, err
	}
	g, o, err := s.fetchChannel(ctx, iri)
	if err != nil {
		return model.Channel{}, err
	}
	var ch model.Channel
	var f store.Following
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		oid, err := tx.PutActor(ctx, o)
		if err != nil {
			return err
		}
		accID, err := tx.PutRemoteAccount(ctx, oid, o)
		if err != nil {
			return err
		}
		gid, err := tx.PutActor(ctx, g)
		if err != nil {
			return err
		}
		chID, err := tx.PutRemoteChannel(ctx, gid, accID, g)
		if err != nil {
			return err
		}
		if f, err = tx.PutFollowing(ctx, model.FollowerAccount, accountID, gid, followID(me.IRI)); err != nil {
			return err
		}
		if err := tx.Subscribe(ctx, accountID, chID); err != nil {
			return err
		}
		ch, err = tx.ChannelOfActor(ctx, g.IRI)
		return err
	})
	if err != nil {
		return model.Channel{}, fmt.Errorf("subscribe to %s: %w", iri, err)
	}
	if f.State == store.FollowPending {
		if err := s.send(ctx, me, "Follow", f); err != nil {
			return ch, err
		}
	}
	return ch, nil
}

// Unsubscribe undoes a local account's follow of a remote channel (by
// its stored handle): the follow and subscription go, and the Undo is
// sent.
func (s *Service) Unsubscribe(ctx context.Context, accountID int64, ch model.Channel) error {
	name, host := ch.Handle()
	f, err := s.Store.FollowingByHandle(ctx, model.FollowerAccount, accountID, name, host)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFollowing
	}
	if err != nil {
		return err
	}
	return s.unfollow(ctx, keys.Actor{Kind: keys.Account, ID: accountID}, f)
}

func (s *Service) unfollow(ctx context.Context, who keys.Actor, f store.Following) error {
	me, err := s.Locals.LocalActor(ctx, who)
	if err != nil {
		return err
	}
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		_, err := tx.Unfollow(ctx, f.FollowerKind, f.FollowerID, f.Target.IRI)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFollowing
	}
	if err != nil {
		return fmt.Errorf("unfollow %s: %w", f.Target.IRI, err)
	}
	return s.send(ctx, me, "Undo", f)
}

// followID makes a Follow's id as PeerTube does: <follower>/follows/<id>.
func followID(actorIRI string) func(int64) string {
	return func(id int64) string { return actorIRI + "/follows/" + strconv.FormatInt(id, 10) }
}

// Follow is the Follow activity; Undo embeds it.
type Follow struct {
	Context string `json:"@context,omitempty"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	Actor   string `json:"actor"`
	Object  string `json:"object"`
}

// Undo is the Undo of a Follow, embedding it as PeerTube and Mastodon do.
type Undo struct {
	Context string `json:"@context"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	Actor   string `json:"actor"`
	Object  Follow `json:"object"`
}

// send delivers a Follow, or the Undo of it, to the followed actor.
func (s *Service) send(ctx context.Context, me federation.LocalActor, typ string, f store.Following) error {
	follow := Follow{Type: "Follow", ID: f.ActivityID, Actor: me.IRI, Object: f.Target.IRI}
	var v any
	if typ == "Undo" {
		v = Undo{Context: "https://www.w3.org/ns/activitystreams", Type: "Undo", ID: f.ActivityID + "/undo", Actor: me.IRI, Object: follow}
	} else {
		follow.Context = "https://www.w3.org/ns/activitystreams"
		v = follow
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	to := []federation.Recipient{{Actor: f.Target.IRI, Inbox: f.Target.Inbox, SharedInbox: f.Target.SharedInbox}}
	if err := s.Sender.Send(ctx, me, body, to); err != nil {
		return fmt.Errorf("send %s of %s: %w", typ, f.Target.IRI, err)
	}
	return nil
}

// RemoteVideos says where the remote ones among vs live, by video id.
func (s *Service) RemoteVideos(ctx context.Context, vs []model.Video) (map[int64]model.RemoteVideo, error) {
	var ids []int64
	for _, v := range vs {
		if v.Channel.Remote() {
			ids = append(ids, v.ID)
		}
	}
	if len(ids) == 0 {
		return map[int64]model.RemoteVideo{}, nil
	}
	return s.Store.RemoteVideos(ctx, ids)
}

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

func hostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
