package inbox

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/store"
)

// delete handles Delete of an actor by itself: the actor, its follows
// and its keys are forgotten, its ratings taken off the counters and its
// comments left as placeholders. Delete of anything else is of a followed
// channel's video (video.go) or, when no such video is stored, of a
// remote comment (a Tombstone or the Note's IRI, note.go); other objects
// are dropped there.
func (s *Service) delete(ctx context.Context, a *activity) (Outcome, error) {
	if id := idOf(a.Object); id != a.actor {
		if id == "" {
			return 0, fmt.Errorf("%w: Delete without an object", ErrMalformed)
		}
		out, err := s.deleteVideo(ctx, a)
		if !errors.Is(err, errNotVideo) {
			return out, err
		}
		return s.deleteNote(ctx, a, id)
	}
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		if err := tx.ForgetActivity(ctx, a.actor); err != nil {
			return err
		}
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
