package inbox

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/store"
)

// update handles Update of an actor by that actor itself: what Cabane
// knows of it (names, inbox, icon) is replaced by the object, which the
// actor signed. An actor Cabane does not keep is not stored by it. Update
// of a Note edits a remote comment (note.go).
func (s *Service) update(ctx context.Context, a *activity) (Outcome, error) {
	typ := typeOf(a.Object)
	switch typ {
	case "Note":
		return s.updateNote(ctx, a)
	case "Video": // following (#10)
		return s.createVideo(ctx, a)
	case "CacheFile": // redundancy (#12)
		return s.createCacheFile(ctx, a)
	}
	if !IsActorType(typ) {
		return Dropped, fmt.Errorf("%w: Update of %q", errUnsupported, typ)
	}
	if idOf(a.Object) != a.actor {
		return 0, fmt.Errorf("%w: Update of actor %s by %s", ErrNotSigner, idOf(a.Object), a.actor)
	}
	actor, err := ReadActor(a.Object, s.now())
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	_, err = s.apply(ctx, a, func(tx *store.FollowsTx) error {
		if err := tx.UpdateActor(ctx, actor); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err == nil && actor.Type == "Group" && s.Lists != nil {
		s.Lists.GroupUpdated(ctx, actor.IRI)
	}
	return Processed, err
}

// GroupWatcher is told that a remote Group sent an Update of itself.
type GroupWatcher interface {
	GroupUpdated(ctx context.Context, iri string)
}
