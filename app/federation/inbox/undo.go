package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/store"
)

// undo handles Undo of a Follow: the follow is removed. The Follow is
// found by what it followed when the Undo embeds it (Mastodon, PeerTube),
// else by its id. Undoing a follow that is not there changes nothing.
// Only the actor's own follow can be undone: the store matches on the
// Undo's (signed) actor.
func (s *Service) undo(ctx context.Context, a *activity) (Outcome, error) {
	typ := typeOf(a.Object)
	followID := idOf(a.Object)
	if typ != "Follow" && typ != "" {
		return Dropped, fmt.Errorf("%w: Undo of %s", errUnsupported, typ)
	}
	if followID == "" {
		return 0, fmt.Errorf("%w: Undo without an object", ErrMalformed)
	}
	var inner struct {
		Actor  json.RawMessage `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if typ == "Follow" {
		if err := json.Unmarshal(a.Object, &inner); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if who := idOf(inner.Actor); who != "" && who != a.actor {
			return 0, fmt.Errorf("%w: Undo of %s's Follow by %s", ErrNotSigner, who, a.actor)
		}
	}
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		var err error
		if target, ok, lerr := s.local(ctx, idOf(inner.Object)); lerr != nil {
			return lerr
		} else if ok {
			err = tx.DeleteFollow(ctx, a.actor, store.FollowTarget{Kind: string(target.Kind), ID: target.ID})
		} else {
			err = tx.DeleteFollowByActivity(ctx, a.actor, followID)
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	return Processed, err
}
