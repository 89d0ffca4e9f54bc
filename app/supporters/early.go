package supporters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// ErrPastDate: early access must end in the future.
var ErrPastDate = errors.New("supporter: the public date must be in the future")

// SetEarlyAccess says when a supporter-only video turns public (zero: it
// stays supporter-only). The caller has checked that the viewer may edit
// video (videos.Service.Update returned it); a video of another privacy
// has no date.
func (s *Service) SetEarlyAccess(ctx context.Context, video model.Video, at time.Time) error {
	if video.Privacy != model.PrivacySupporters {
		at = time.Time{}
	}
	if !at.IsZero() && !at.After(s.now()) {
		return ErrPastDate
	}
	return s.Store.Supporters().SetEarlyAccess(ctx, video.ID, at)
}

// EarlyAccess is when a video turns public (zero: not scheduled).
func (s *Service) EarlyAccess(ctx context.Context, videoID int64) (time.Time, error) {
	return s.Store.Supporters().EarlyAccess(ctx, videoID)
}

// PublishDue turns public the early-access videos whose date has come
// (those that came while the box was off too: the dates are stored), each
// in one transaction with the news of it for the outbox, which federates
// it then as a new public video. It returns how many turned public.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := s.Store.Supporters().DueEarlyAccess(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
			before, err := tx.Videos.ByID(ctx, id)
			if err != nil {
				return err
			}
			changed, err := tx.Supporters().MakePublic(ctx, id, now)
			if err != nil || !changed {
				return err // another privacy since: the date just goes
			}
			after, err := tx.Videos.ByID(ctx, id)
			if err != nil {
				return err
			}
			if s.Federate != nil {
				return s.Federate.VideoChanged(ctx, tx.SQL(), before, after)
			}
			return nil
		})
		if errors.Is(err, model.ErrNotFound) {
			continue // deleted meanwhile: its row went with it
		}
		if err != nil {
			return n, fmt.Errorf("early access of video %d: %w", id, err)
		}
		n++
		s.log().Info("early access ended: video public", "video", id)
	}
	return n, nil
}

// Run publishes what comes due, once at start (what came due while the
// box was off) and then every interval, until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.PublishDue(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("publish early-access videos", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
