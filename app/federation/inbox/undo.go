package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/store"
)

// undone is the activity an Undo embeds.
type undone struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Actor  json.RawMessage `json:"actor"`
	Object json.RawMessage `json:"object"`
}

// undo handles Undo of a Follow (the follow is removed) and of a Like or
// Dislike (the rating is removed, like.go). The activity is found by
// what it named when the Undo embeds it (Mastodon, PeerTube), else by its
// id. Undo of a Create of a CacheFile removes a mirror (cachefile.go).
// Undoing what is not there changes nothing. Only the actor's own
// activity can be undone: the store matches on the Undo's (signed) actor.
func (s *Service) undo(ctx context.Context, a *activity) (Outcome, error) {
	typ := typeOf(a.Object)
	objectID := idOf(a.Object)
	switch typ {
	case "", "Follow", "Like", "Dislike", "Create", "CacheFile":
	case "Announce":
		return s.undoAnnounce(ctx, a)
	default:
		return Dropped, fmt.Errorf("%w: Undo of %s", errUnsupported, typ)
	}
	if objectID == "" {
		return 0, fmt.Errorf("%w: Undo without an object", ErrMalformed)
	}
	var inner undone
	if typ != "" {
		if err := json.Unmarshal(a.Object, &inner); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if who := idOf(inner.Actor); who != "" && who != a.actor {
			return 0, fmt.Errorf("%w: Undo of %s's %s by %s", ErrNotSigner, who, typ, a.actor)
		}
	}
	switch typ {
	case "Like", "Dislike":
		return s.undoRate(ctx, a, inner)
	case "Create", "CacheFile": // redundancy (#12): PeerTube undoes the Create of a CacheFile
		return s.undoCacheFile(ctx, a, inner)
	}
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		var err error
		if target, ok, lerr := s.local(ctx, idOf(inner.Object)); lerr != nil {
			return lerr
		} else if ok {
			err = tx.DeleteFollow(ctx, a.actor, store.FollowTarget{Kind: string(target.Kind), ID: target.ID})
		} else {
			err = tx.DeleteFollowByActivity(ctx, a.actor, objectID)
			if errors.Is(err, store.ErrNotFound) && typ == "" {
				// A bare id may name a Like or Dislike too.
				err = tx.UnrateByActivity(ctx, a.actor, objectID)
			}
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	return Processed, err
}

// undoAnnounce handles Undo of an Announce: a followed channel no longer
// recommends a video (video.go). Anything else an Announce brought stays
// (a video of the channel itself goes with its Delete).
func (s *Service) undoAnnounce(ctx context.Context, a *activity) (Outcome, error) {
	var inner undone
	if err := json.Unmarshal(a.Object, &inner); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if who := idOf(inner.Actor); who != "" && who != a.actor {
		return 0, fmt.Errorf("%w: Undo of %s's Announce by %s", ErrNotSigner, who, a.actor)
	}
	video := idOf(inner.Object)
	if s.Recommender == nil || !httpURL(video) {
		return Dropped, fmt.Errorf("%w: Undo of an Announce of %q", errUnsupported, video)
	}
	ok, err := s.Recommender.Unannounced(ctx, a.actor, video)
	if err != nil {
		return 0, err
	}
	if !ok {
		return Dropped, fmt.Errorf("%w: Undo of an Announce of %s, which %s does not recommend here", errUnsupported, video, a.actor)
	}
	if _, err := s.apply(ctx, a, func(*store.FollowsTx) error { return nil }); err != nil {
		return 0, err
	}
	return Processed, nil
}
