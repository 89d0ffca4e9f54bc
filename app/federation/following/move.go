package following

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// Follows reports whether any local actor (a user's account, the server
// actor) follows the remote actor iri: a Move of it concerns this server.
func (s *Service) Follows(ctx context.Context, iri string) (bool, error) {
	fs, err := s.Store.FollowingOfActor(ctx, iri)
	if err != nil {
		return false, err
	}
	return len(fs) > 0, nil
}

// Moved carries the local follows of oldIRI over to newIRI, the actor it
// moved to (the caller checked that newIRI lists oldIRI in alsoKnownAs):
// each follower follows the new actor (a signed Follow, through
// Subscribe for a user, so the channel and its owner are stored as any
// subscription's), its subscription keeps its date (its place in the
// user's list), and the old follow is undone (an Undo). Followers are
// moved one by one, the new follow first: one that fails keeps its old
// follow, and a later Move (or replay) moves it then; those already moved
// follow nothing at oldIRI any more, so a replay changes nothing.
func (s *Service) Moved(ctx context.Context, oldIRI, newIRI string) error {
	fs, err := s.Store.FollowingOfActor(ctx, oldIRI)
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range fs {
		if err := s.moveFollow(ctx, f, newIRI); err != nil {
			s.log().Warn("following: move a follow", "follower", f.FollowerKind, "id", f.FollowerID, "from", oldIRI, "to", newIRI, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) moveFollow(ctx context.Context, f store.Following, newIRI string) error {
	switch f.FollowerKind {
	case model.FollowerAccount:
		if _, err := s.Subscribe(ctx, f.FollowerID, newIRI); err != nil {
			return fmt.Errorf("follow %s: %w", newIRI, err)
		}
		err := s.Store.Write(ctx, func(tx *store.FollowsTx) error {
			return tx.KeepSubscriptionTime(ctx, f.FollowerID, f.Target.IRI, newIRI)
		})
		if err != nil {
			return err
		}
		return s.unfollow(ctx, keys.Actor{Kind: keys.Account, ID: f.FollowerID}, f)
	case model.FollowerServer:
		if err := s.followAsServer(ctx, newIRI); err != nil {
			return fmt.Errorf("follow %s as the server: %w", newIRI, err)
		}
		return s.unfollow(ctx, keys.ServerActor, f)
	}
	return fmt.Errorf("unknown follower kind %q", f.FollowerKind)
}
