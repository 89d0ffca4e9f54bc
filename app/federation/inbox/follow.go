package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/store"
)

// follow handles Follow of a local account, channel or the server actor:
// the follower is fetched (or taken from the store when fresh), the follow
// recorded, accepted at once unless the channel's creator approves
// followers by hand, and the Accept sent back.
func (s *Service) follow(ctx context.Context, a *activity) (Outcome, error) {
	target, ok, err := s.local(ctx, idOf(a.Object))
	if err != nil {
		return 0, err
	}
	if !ok {
		return Dropped, fmt.Errorf("%w: Follow of %q, not an actor here", errUnsupported, idOf(a.Object))
	}
	follower, err := s.remoteActor(ctx, a.actor)
	if err != nil {
		return 0, err
	}
	state := store.FollowAccepted
	if target.Kind == keys.Channel {
		manual, err := s.Store.ManualFollowers(ctx, target.ID)
		if err != nil {
			return 0, err
		}
		if manual {
			state = store.FollowPending
		}
	}
	var f store.Follow
	dup, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		id, err := tx.PutActor(ctx, follower)
		if err != nil {
			return err
		}
		f, err = tx.PutFollow(ctx, id, store.FollowTarget{Kind: string(target.Kind), ID: target.ID}, state, a.ID)
		return err
	})
	if err != nil || dup || f.State != store.FollowAccepted {
		return Processed, err
	}
	if err := s.Answers.SendAccept(ctx, f); err != nil {
		// The follow is stored but its Accept could not even be queued:
		// forget the activity, so that the sender's retry sends it.
		if uerr := s.Store.Unsee(ctx, a.ID); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return 0, err
	}
	return Processed, nil
}

// remoteActor is the stored actor when fetched lately, else fetched now.
func (s *Service) remoteActor(ctx context.Context, iri string) (store.RemoteActor, error) {
	maxAge := s.ActorMaxAge
	if maxAge <= 0 {
		maxAge = 24 * time.Hour
	}
	known, err := s.Store.RemoteActor(ctx, iri)
	if err == nil && s.now().Sub(known.FetchedAt) < maxAge {
		return known, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.RemoteActor{}, err
	}
	a, ferr := s.Actors.Actor(ctx, iri)
	if ferr != nil {
		if err == nil {
			// Its server is down for now: what we knew will do.
			s.log().Warn("inbox: refresh of a remote actor failed; using the stored one", "actor", iri, "err", ferr)
			return known, nil
		}
		return store.RemoteActor{}, ferr
	}
	return a, nil
}
