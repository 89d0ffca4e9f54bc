// Package ratings is the domain service for likes and dislikes: one rating
// per user and video, PeerTube's PUT /videos/{id}/rate and
// users/me/videos/{id}/rating. The counts live on the video row, moved in
// the same transaction as the rating (see app/store/ratings.go): listings
// sort by them and show them for every video of a page.
package ratings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// ErrBadRating: not like, dislike or none (PeerTube: 400 naming "rating").
var ErrBadRating = errors.New("Should have a valid rate type")

// ErrLoginRequired: rating needs a local user.
var ErrLoginRequired = errors.New("authentication required")

// Videos finds the video a reference names, if the viewer may see it.
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// Service rates videos.
type Service struct {
	Store  repo.Ratings
	Videos Videos
	// Federate hears of each rating stored (app/federation/outbox);
	// nil: nothing leaves the box.
	Federate Federator
}

// Federator hears of ratings other servers must learn of.
type Federator interface {
	// RatingChanged hears that a local video's likes or dislikes may
	// have changed. Counts are not worth failing a rating for: it is
	// told after the write.
	RatingChanged(ctx context.Context, videoID int64)
	// RateRemote prepares, before the write, what an account's rating of
	// a remote video sends to its origin; the function it returns runs
	// inside the rating's transaction (the Like and the rating commit
	// together), is given the rating replaced, and returns the activity
	// id to keep with the new one. nil: nothing to send.
	RateRemote(ctx context.Context, v model.Video, accountID int64, rating string) (func(context.Context, *sql.Tx, model.RatingRecord) (string, error), error)
}

// Valid reports whether r is a rating PeerTube accepts.
func Valid(r string) bool {
	return r == model.RatingLike || r == model.RatingDislike || r == model.RatingNone
}

// Counts are a video's likes and dislikes after a rating.
type Counts struct{ Likes, Dislikes int64 }

// Rate sets the viewer's rating of the video ref names. Anyone who may see
// a video may rate it, its owner included, as in PeerTube.
func (s *Service) Rate(ctx context.Context, viewer visibility.Viewer, ref, rating string) (Counts, error) {
	if !viewer.LoggedIn() {
		return Counts{}, ErrLoginRequired
	}
	if !Valid(rating) {
		return Counts{}, ErrBadRating
	}
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return Counts{}, err
	}
	var decide func(context.Context, *sql.Tx, model.RatingRecord) (string, error)
	if s.Federate != nil && v.Channel.Remote() {
		if decide, err = s.Federate.RateRemote(ctx, v, viewer.AccountID, rating); err != nil {
			return Counts{}, fmt.Errorf("rate video %d: %w", v.ID, err)
		}
	}
	l, d, err := s.Store.RateRecorded(ctx, viewer.AccountID, v.ID, rating, decide)
	if err != nil {
		return Counts{}, fmt.Errorf("rate video %d: %w", v.ID, err)
	}
	if s.Federate != nil && !v.Channel.Remote() {
		s.Federate.RatingChanged(ctx, v.ID)
	}
	return Counts{Likes: l, Dislikes: d}, nil
}

// Mine is the viewer's rating of the video ref names, and its numeric id.
func (s *Service) Mine(ctx context.Context, viewer visibility.Viewer, ref string) (int64, string, error) {
	if !viewer.LoggedIn() {
		return 0, "", ErrLoginRequired
	}
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return 0, "", err
	}
	r, err := s.Store.RatingOf(ctx, viewer.AccountID, v.ID)
	if err != nil {
		return 0, "", fmt.Errorf("rating of video %d: %w", v.ID, err)
	}
	return v.ID, r, nil
}
