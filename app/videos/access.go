package videos

import (
	"sync"
	"time"
)

// accessLog remembers when each video's access last narrowed in this run:
// a privacy change, passwords replaced or removed. The grants given for a
// password (the watch page's unlock cookie) or by a video file token are
// signed with a key made at each start, so a restart voids them all; what
// must also void them is such a change within the run, so that a creator
// who changes a leaked password, or makes a video private, shuts out whoever
// got in before. A map is enough: nothing needs it after a restart.
type accessLog struct {
	mu      sync.Mutex
	changed map[string]time.Time // UUID → last change
}

func (a *accessLog) mark(uuid string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.changed == nil {
		a.changed = map[string]time.Time{}
	}
	a.changed[uuid] = at
}

// AccessChangedAt is when the video's access last narrowed in this run
// (the zero time if it has not): a grant for it issued before then no
// longer holds.
func (s *Service) AccessChangedAt(uuid string) time.Time {
	s.access.mu.Lock()
	defer s.access.mu.Unlock()
	return s.access.changed[uuid]
}

func (s *Service) accessChanged(uuid string) { s.access.mark(uuid, time.Now()) }
