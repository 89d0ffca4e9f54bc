package store

import (
	"fmt"
	"sync"
)

// counts remembers listing totals between writes to the videos table.
// Counting is the one part of a listing page whose cost grows with the
// instance (it reads every matching index entry), and a home box is read
// far more often than it is written. Every write to videos bumps the
// generation, which empties the cache; this process is the database's only
// writer of videos.
type counts struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]int
	// ranked remembers trending rankings (ids, best first) the same way:
	// they change only when views are written (AddViews invalidates) or
	// a listing changes.
	ranked map[string][]int64
}

func newCounts() *counts { return &counts{m: map[string]int{}, ranked: map[string][]int64{}} }

// getRanked returns a remembered ranking, and the generation to store a
// fresh one under.
func (c *counts) getRanked(key string) (ids []int64, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids, ok = c.ranked[key]
	return ids, c.gen, ok
}

// putRanked remembers a ranking read at generation gen.
func (c *counts) putRanked(key string, gen uint64, ids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.ranked) >= 64 {
		clear(c.ranked)
	}
	c.ranked[key] = ids
}

// invalidate forgets every total; called by each write that can change
// which videos a listing holds.
func (c *counts) invalidate() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	clear(c.m)
	clear(c.ranked)
	c.mu.Unlock()
}

// get returns a remembered total, and the generation to store a fresh one
// under.
func (c *counts) get(key string) (n int, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok = c.m[key]
	return n, c.gen, ok
}

// put remembers a total counted at generation gen, unless a write came in
// between.
func (c *counts) put(key string, gen uint64, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= 512 { // channels × viewer kinds × sorts: bounded anyway
		clear(c.m)
	}
	c.m[key] = n
}

// generation counts the writes that changed listings.
func (c *counts) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func countKey(cond string, args []any) string { return fmt.Sprint(cond, args) }
