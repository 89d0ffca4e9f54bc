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

// MovedHere carries the local follows of oldIRI over to a local channel it
// moved to (a remote creator moving to this server; the caller checked
// that the channel lists oldIRI in alsoKnownAs): each user who followed
// it subscribes to the local channel, in the place the old subscription
// had in their list (no Follow to send: the channel is here), and the old
// follow is undone (an Undo). The server actor's follow is only undone:
// it does not follow its own channels. One that fails keeps its old
// follow, for a replay to move; a replay finds nobody left to move.
func (s *Service) MovedHere(ctx context.Context, oldIRI string, channelID int64) error {
	fs, err := s.Store.FollowingOfActor(ctx, oldIRI)
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range fs {
		var who keys.Actor
		switch f.FollowerKind {
		case model.FollowerAccount:
			who = keys.Actor{Kind: keys.Account, ID: f.FollowerID}
			err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
				return tx.SubscribeInPlaceOf(ctx, f.FollowerID, channelID, oldIRI)
			})
		case model.FollowerServer:
			who, err = keys.ServerActor, nil
		default:
			err = fmt.Errorf("unknown follower kind %q", f.FollowerKind)
		}
		if err == nil {
			err = s.unfollow(ctx, who, f)
		}
		if err != nil {
			s.log().Warn("following: move a follow here", "follower", f.FollowerKind, "id", f.FollowerID, "from", oldIRI, "to channel", channelID, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
