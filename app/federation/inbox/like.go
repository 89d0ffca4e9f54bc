package inbox

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// rate handles Like and Dislike of a local video, as PeerTube's
// process-like and process-dislike: the rater's account rates the video
// as a local account does (a Like replaces a Dislike, and the counters
// move with it), keeping the activity's id for an Undo that names only
// it. A video a remote server may not see is not rated.
func (s *Service) rate(ctx context.Context, a *activity) (Outcome, error) {
	rating := model.RatingLike
	if a.Type == "Dislike" {
		rating = model.RatingDislike
	}
	v, err := s.localVideo(ctx, idOf(a.Object))
	if err != nil {
		return 0, err
	}
	rater, err := s.remoteActor(ctx, a.actor)
	if err != nil {
		return 0, err
	}
	_, err = s.apply(ctx, a, func(tx *store.FollowsTx) error {
		accountID, err := putAccount(ctx, tx, rater)
		if err != nil {
			return err
		}
		return tx.RateVideo(ctx, accountID, v.ID, rating, a.ID)
	})
	return Processed, err
}

// undoRate handles Undo of a Like or Dislike embedded in the Undo
// (PeerTube, Mastodon): the actor's rating of that video goes if it is
// still of that kind; undoing what is not there changes nothing.
func (s *Service) undoRate(ctx context.Context, a *activity, inner undone) (Outcome, error) {
	rating := model.RatingLike
	if inner.Type == "Dislike" {
		rating = model.RatingDislike
	}
	v, err := s.localVideo(ctx, idOf(inner.Object))
	if err != nil {
		return 0, err
	}
	_, err = s.apply(ctx, a, func(tx *store.FollowsTx) error {
		err := tx.Unrate(ctx, a.actor, v.ID, rating)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("undo %s of video %d: %w", inner.Type, v.ID, err)
		}
		return nil
	})
	return Processed, err
}
