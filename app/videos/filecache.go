package videos

import (
	"sync"
	"time"

	"cabane.dev/cabane/app/model"
)

// fileCache remembers, per UUID, the video row that GetFile reads before
// serving one of its files: a player fetches the master playlist, media
// playlists and segments many times a second, and a SQLite lookup (three
// tables joined) was most of what such a request cost, serialised on the
// database's connections. Only the row, and whether the server blocks
// its account, are remembered, never a decision: visibility.File and
// visibility.Blocked still run for every request, with the viewer of that
// request. (Blocklist writes bump the generation too.)
//
// An entry is good while the store's generation (bumped by every write to
// videos: privacy, state, deletion, ... and by every transaction) is the one
// it was read under, and for at most fileCacheTTL, which bounds how long a
// write by another process (the admin command line) can go unseen.
type fileCache struct {
	mu sync.Mutex
	m  map[string]fileEntry
}

type fileEntry struct {
	v             model.Video
	serverBlocked bool // the server blocks the video's account
	gen           uint64
	at            time.Time
}

const (
	fileCacheTTL     = 2 * time.Second
	fileCacheEntries = 512 // videos being watched at once on a home box: far fewer
)

func (c *fileCache) get(uuid string, gen uint64, now time.Time) (fileEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[uuid]
	if !ok || e.gen != gen || now.Sub(e.at) > fileCacheTTL {
		return fileEntry{}, false
	}
	return e, true
}

// put remembers v as read under gen (the generation read before the
// lookup, so a write that lands during it makes the entry stale at once).
func (c *fileCache) put(uuid string, gen uint64, now time.Time, v model.Video, serverBlocked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= fileCacheEntries {
		c.m = make(map[string]fileEntry)
	}
	// The description can be long and no file route needs it.
	v.Description = ""
	c.m[uuid] = fileEntry{v: v, serverBlocked: serverBlocked, gen: gen, at: now}
}
