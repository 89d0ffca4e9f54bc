package following

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/remotevideo"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// The server actor's follows (PeerTube's /api/v1/server/following): the
// admin follows a whole instance by its host (its server actor,
// "peertube@host", an Application, found by WebFinger as PeerTube's own
// follow job does), or any actor by handle. Once the instance accepts,
// whatever it announces is wanted here even when no user follows the
// channel (store's Followed rule, and KnowChannel for a channel never
// seen before).

var (
	// ErrForbidden: only admins manage the server's follows (403).
	ErrForbidden = errors.New("only administrators may manage the server's follows")
	// ErrNothing: neither a host nor a handle given (400, PeerTube's
	// "You must provide at least one handle or one host").
	ErrNothing = fmt.Errorf("%w: give at least one host or handle", ErrBadURI)
)

// ServerActorName is the name of PeerTube's server actor
// (SERVER_ACTOR_NAME), which a host stands for.
const ServerActorName = federation.ServerName

// MaxFollowsAtOnce bounds one request's hosts and handles: each costs a
// WebFinger and a fetch or two, done before the answer.
const MaxFollowsAtOnce = 20

// FollowServers makes the server actor follow each host's server actor
// and each handle's actor, for an admin. Each is resolved, stored and sent
// its Follow in turn; the first that fails stops the rest, with its error.
func (s *Service) FollowServers(ctx context.Context, viewer visibility.Viewer, hosts, handles []string) error {
	if !viewer.Admin() {
		return ErrForbidden
	}
	if !s.Identity.On() {
		return ErrOff
	}
	if len(hosts)+len(handles) == 0 {
		return ErrNothing
	}
	if len(hosts)+len(handles) > MaxFollowsAtOnce {
		return fmt.Errorf("%w: at most %d at once", ErrBadURI, MaxFollowsAtOnce)
	}
	var uris []string
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if !validHost(h) {
			return fmt.Errorf("%w: %q is not a host", ErrBadURI, h)
		}
		uris = append(uris, ServerActorName+"@"+h)
	}
	for _, h := range handles {
		uris = append(uris, strings.TrimSpace(h))
	}
	for _, u := range uris {
		if err := s.followAsServer(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// validHost is a host name or address with an optional port, nothing
// else (no scheme, path or user).
func validHost(h string) bool {
	if h == "" || len(h) > 255 || strings.ContainsAny(h, "/?#@ \\") {
		return false
	}
	name := h
	if hh, port, err := net.SplitHostPort(h); err == nil {
		if port == "" {
			return false
		}
		name = hh
	}
	return name != "" && !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".")
}

func (s *Service) followAsServer(ctx context.Context, uri string) error {
	iri, err := s.ResolveActor(ctx, uri)
	if err != nil {
		return err
	}
	if hostOf(iri) == strings.ToLower(s.Identity.URIs().Host()) {
		return fmt.Errorf("%w: %s is this server", ErrBadURI, uri)
	}
	me, err := s.Locals.LocalActor(ctx, keys.ServerActor)
	if err != nil {
		return err
	}
	target, err := s.Fetch.Actor(ctx, iri)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var owner store.RemoteActor
	if target.Type == "Group" {
		// A channel is kept with its owner, as a user's subscription keeps it.
		if target, owner, err = s.fetchChannel(ctx, iri); err != nil {
			return err
		}
	}
	var f store.Following
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		id, err := s.putActor(ctx, tx, target, owner)
		if err != nil {
			return err
		}
		f, err = tx.PutFollowing(ctx, model.FollowerServer, 0, id, followID(me.IRI))
		return err
	})
	if err != nil {
		return fmt.Errorf("follow %s: %w", iri, err)
	}
	if f.State == store.FollowPending {
		return s.send(ctx, me, "Follow", f)
	}
	return nil
}

// putActor stores a remote actor, as the account or channel it is
// (a channel with its owner), and returns its row id.
func (s *Service) putActor(ctx context.Context, tx *store.FollowsTx, a, owner store.RemoteActor) (int64, error) {
	switch a.Type {
	case "Group":
		oid, err := tx.PutActor(ctx, owner)
		if err != nil {
			return 0, err
		}
		accID, err := tx.PutRemoteAccount(ctx, oid, owner)
		if err != nil {
			return 0, err
		}
		gid, err := tx.PutActor(ctx, a)
		if err != nil {
			return 0, err
		}
		_, err = tx.PutRemoteChannel(ctx, gid, accID, a)
		return gid, err
	case "Person":
		id, err := tx.PutActor(ctx, a)
		if err != nil {
			return 0, err
		}
		_, err = tx.PutRemoteAccount(ctx, id, a)
		return id, err
	}
	return tx.PutActor(ctx, a)
}

// UnfollowServer undoes the server actor's follow of hostOrHandle (a
// host: its server actor), for an admin: the follow goes and the Undo is
// sent. The videos already here stay (PeerTube keeps them too); no new
// ones come.
func (s *Service) UnfollowServer(ctx context.Context, viewer visibility.Viewer, hostOrHandle string) error {
	if !viewer.Admin() {
		return ErrForbidden
	}
	h := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(hostOrHandle), "acct:"), "@")
	name, host, ok := strings.Cut(h, "@")
	if !ok {
		name, host = ServerActorName, h
	}
	if name == "" || !validHost(strings.ToLower(host)) {
		return ErrNotFollowing
	}
	f, err := s.Store.FollowingByHandle(ctx, model.FollowerServer, 0, name, host)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFollowing
	}
	if err != nil {
		return err
	}
	return s.unfollow(ctx, keys.ServerActor, f)
}

// Query filters the server's follows (GET /api/v1/server/following).
type Query struct {
	State     string // "", model.FollowPending or model.FollowAccepted
	ActorType string
	Search    string
	Ascending bool
	Start     int
	Count     int
}

// ServerFollowingQuery lists the server actor's follows (anyone may).
func (s *Service) ServerFollowingQuery(ctx context.Context, viewer visibility.Viewer, q Query) ([]model.Following, int, error) {
	if !visibility.ListServerFollowing(viewer) {
		return nil, 0, ErrForbidden
	}
	return s.Store.QueryFollowing(ctx, model.FollowerServer, 0, store.FollowingQuery{State: q.State, ActorType: q.ActorType,
		Search: q.Search, Ascending: q.Ascending, Offset: max(0, q.Start), Limit: q.Count})
}

// ServerFollowing is the newest of the server's follows, for an admin's
// federation page.
func (s *Service) ServerFollowing(ctx context.Context, viewer visibility.Viewer, start, count int) ([]model.Following, int, error) {
	return s.ServerFollowingQuery(ctx, viewer, Query{Start: start, Count: count})
}

// KnowChannel stores the channel iri names, and its owner, when the
// server actor follows its instance and the channel is not known here
// yet: a video it announces is then wanted though no user follows the
// channel (inbox.ChannelFinder). Any other channel is
// remotevideo.ErrNotFollowed.
func (s *Service) KnowChannel(ctx context.Context, iri string) error {
	ok, err := s.Store.ServerFollows(ctx, hostOf(iri))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", remotevideo.ErrNotFollowed, iri)
	}
	g, o, err := s.fetchChannel(ctx, iri)
	if err != nil {
		return fmt.Errorf("channel %s: %w", iri, err)
	}
	return s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		_, err := s.putActor(ctx, tx, g, o)
		return err
	})
}
