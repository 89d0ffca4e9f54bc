package inbox

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/store"
)

// delete handles Delete of an actor by itself: the actor, its follows
// and its keys are forgotten. Delete of a video (an IRI or a Tombstone)
// is deleteVideo's (video.go); other objects are not handled yet.
func (s *Service) delete(ctx context.Context, a *activity) (Outcome, error) {
	if idOf(a.Object) != a.actor && typeOf(a.Object) != "Tombstone" && typeOf(a.Object) != "" {
		return Dropped, fmt.Errorf("%w: Delete of %s", errUnsupported, idOf(a.Object))
	}
	if idOf(a.Object) != a.actor { // following (#10): a followed channel's video
		return s.deleteVideo(ctx, a)
	}
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		if err := tx.DeleteActor(ctx, a.actor); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Its keys go too, after the commit (another table, another writer):
	// should this fail, a later signature by the deleted actor would find
	// no key to fetch anyway.
	if s.Keys != nil {
		if err := s.Keys.Forget(ctx, a.actor); err != nil {
			s.log().Warn("inbox: forget a deleted actor's keys", "actor", a.actor, "err", err)
		}
	}
	return Processed, nil
}
