package outbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// counter debounces view-count Updates: per video, at most one queued and
// one sent per interval. It lives in memory: after a restart the next
// count change sends at once, which costs one early Update, nothing more.
type counter struct {
	mu      sync.Mutex
	pending map[int64]bool      // a counts job is queued
	last    map[int64]time.Time // when the last one ran
}

// plan reports whether a counts Update of video id must be queued, and
// after how long; it marks it pending.
func (c *counter) plan(id int64, now time.Time, every time.Duration) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending, c.last = map[int64]bool{}, map[int64]time.Time{}
	}
	if c.pending[id] {
		return 0, false
	}
	// Forget what is older than the interval: it no longer delays
	// anything, and the map stays as small as the recently viewed.
	for k, t := range c.last {
		if now.Sub(t) >= every {
			delete(c.last, k)
		}
	}
	c.pending[id] = true
	if t, ok := c.last[id]; ok {
		return t.Add(every).Sub(now), true
	}
	return 0, true
}

// sent records that video id's counts job ran.
func (c *counter) sent(id int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, id)
	if c.last != nil {
		c.last[id] = now
	}
}

// dropped forgets a plan that was not queued after all.
func (c *counter) dropped(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, id)
}

// ViewsCounted hears of videos whose view counts were just stored, and
// queues for each one that federates an Update with its new counts, at
// most one per video per CountsEvery: PeerTube's followers read a local
// video's views from its Update, not from a View each. Counts are not
// worth a lost write: the job is queued on its own, after the counts.
func (s *Service) ViewsCounted(ctx context.Context, ids []int64) {
	if !s.On() {
		return
	}
	every := s.CountsEvery
	if every <= 0 {
		every = CountsEvery
	}
	ctx = context.WithoutCancel(ctx)
	for _, id := range ids {
		now := s.now()
		delay, ok := s.counts.plan(id, now, every)
		if !ok {
			continue
		}
		if !s.countsWanted(ctx, id) {
			s.counts.dropped(id)
			continue
		}
		j := videoJob{Video: id, Act: actCounts, Version: now.Add(delay).UnixMilli()}
		if _, err := s.Jobs.Enqueue(ctx, JobVideo, j, jobs.WithDelay(delay), jobs.WithMaxAttempts(3)); err != nil {
			s.log().Warn("federate counts", "video", id, "err", err)
			s.counts.dropped(id)
		}
	}
}

// countsWanted reports whether video id federates and someone follows it:
// most boxes have no remote follower, and a job every few minutes per
// watched video would only wear their SD card.
func (s *Service) countsWanted(ctx context.Context, id int64) bool {
	v, err := s.Videos.ByID(ctx, id)
	if err != nil || !visibility.Federates(v) || v.Channel.Remote() {
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			s.log().Warn("federate counts", "video", id, "err", err)
		}
		return false
	}
	to, err := s.Audience.Followers(ctx, accountKey(v.Channel.AccountID), channelKey(v.ChannelID))
	if err != nil {
		s.log().Warn("federate counts", "video", id, "err", err)
		return false
	}
	return len(to) > 0
}
