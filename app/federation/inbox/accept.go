package inbox

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/store"
)

// accept handles the Accept of a Follow that a local actor sent (a user's
// subscription to a remote channel, the server actor's follow of an
// instance): the follow is marked accepted and the followed actor's recent
// videos fetched (in the background). The Follow is named by its id (an
// IRI or the embedded Follow's id), and only the actor it was sent to may
// accept it: the store matches on the Accept's signed actor.
func (s *Service) accept(ctx context.Context, a *activity) (Outcome, error) {
	if typ := typeOf(a.Object); typ != "" && typ != "Follow" {
		return Dropped, fmt.Errorf("%w: Accept of %s", errUnsupported, typ)
	}
	followID := idOf(a.Object)
	if followID == "" {
		return 0, fmt.Errorf("%w: Accept without an object", ErrMalformed)
	}
	known := true
	dup, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		_, err := tx.AcceptFollowing(ctx, a.actor, followID)
		if errors.Is(err, store.ErrNotFound) {
			known = false
			return nil
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	if !known {
		return Dropped, fmt.Errorf("%w: Accept of an unknown follow %s", errUnsupported, followID)
	}
	if !dup && s.Following != nil {
		if err := s.Following.Accepted(ctx, a.actor); err != nil {
			// The follow stands; its videos will come with its next
			// activities.
			s.log().Warn("inbox: backfill after an Accept", "actor", a.actor, "err", err)
		}
	}
	return Processed, nil
}

// reject handles the Reject of a Follow a local actor sent: the follow and
// the subscription it made are removed.
func (s *Service) reject(ctx context.Context, a *activity) (Outcome, error) {
	if typ := typeOf(a.Object); typ != "" && typ != "Follow" {
		return Dropped, fmt.Errorf("%w: Reject of %s", errUnsupported, typ)
	}
	followID := idOf(a.Object)
	if followID == "" {
		return 0, fmt.Errorf("%w: Reject without an object", ErrMalformed)
	}
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		if _, err := tx.RejectFollowing(ctx, a.actor, followID); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	return Processed, err
}
