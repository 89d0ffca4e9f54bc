package profile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"cabane.dev/cabane/app/repo"
)

// avatarTTL bounds how long the avatars are kept without a change made
// here: a deleted account's id that SQLite hands to a new account (rowid
// reuse) shows no stale picture for longer than this.
const avatarTTL = 30 * time.Second

// avatarCache keeps every account's avatar, loaded in one query, so that
// a listing of videos by many accounts costs no query per video (most
// requests: none at all). A box has few accounts; the map is small.
// SetAvatar and DeleteAvatar drop it (invalidate), and a load that
// started before a change is not kept (gen).
type avatarCache struct {
	mu  sync.Mutex
	gen uint64
	at  time.Time
	all map[int64]repo.Avatar // nil: not loaded; read-only once loaded
}

func (c *avatarCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.all = nil
}

// Avatars are the avatars of every account that has one, by account id
// (the map is shared: callers only read it).
func (s *Service) Avatars(ctx context.Context) (map[int64]repo.Avatar, error) {
	c := &s.avatars
	c.mu.Lock()
	if c.all != nil && time.Since(c.at) < avatarTTL {
		m := c.all
		c.mu.Unlock()
		return m, nil
	}
	gen := c.gen
	c.mu.Unlock()
	m, err := s.Store.Avatars(ctx)
	if err != nil {
		return nil, fmt.Errorf("load avatars: %w", err)
	}
	c.mu.Lock()
	if c.gen == gen {
		c.all, c.at = m, time.Now()
	}
	c.mu.Unlock()
	return m, nil
}
