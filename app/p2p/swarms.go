package p2p

import (
	"encoding/hex"
	"strings"
	"sync"
)

// Swarms maps the info hashes the box has handed out to the videos they
// belong to, so that the tracker can tell which video an announce is for
// and ask whether the announcing viewer may see it. An info hash cannot be
// turned back into a video: the pages and the API that give a swarm id to
// a player (and so its hashes) record them here first.
//
// It lives in memory, bounded: after a restart a player that reloads its
// page is known again. When full, the oldest entries go first; their
// viewers' next page load records them again.
type Swarms struct {
	mu    sync.Mutex
	max   int
	video map[string]string // hex info hash -> video UUID
	order []string          // hex info hashes, oldest first
}

// DefaultSwarms is how many info hashes Swarms keeps by default: a few
// thousand videos of a few renditions, some hundred kilobytes.
const DefaultSwarms = 20000

// NewSwarms is an empty index of at most max info hashes.
func NewSwarms(max int) *Swarms {
	if max <= 0 {
		max = DefaultSwarms
	}
	return &Swarms{max: max, video: map[string]string{}}
}

// Remember records that the hex info hashes belong to video uuid.
func (s *Swarms) Remember(uuid string, hexHashes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hexHashes {
		if _, ok := s.video[h]; ok {
			s.video[h] = uuid
			continue
		}
		s.video[h] = uuid
		s.order = append(s.order, h)
	}
	for len(s.order) > s.max {
		delete(s.video, s.order[0])
		s.order = s.order[1:]
	}
	// Reslicing keeps the array's dropped head alive: copy now and then.
	if cap(s.order) > 4*s.max {
		s.order = append(make([]string, 0, s.max), s.order...)
	}
}

// Video is the UUID of the video whose stream announces infoHash, as a
// tracker receives it (20 bytes) or in hex; false when the box did not
// hand it out.
func (s *Swarms) Video(infoHash string) (string, bool) {
	h := NormalizeInfoHash(infoHash)
	if h == "" {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uuid, ok := s.video[h]
	return uuid, ok
}

// NormalizeInfoHash is an info hash in hex (lower case), given as its 20
// bytes or as 40 hex digits; "" for anything else.
func NormalizeInfoHash(infoHash string) string {
	switch len(infoHash) {
	case 20:
		return hex.EncodeToString([]byte(infoHash))
	case 40:
		h := strings.ToLower(infoHash)
		if _, err := hex.DecodeString(h); err == nil {
			return h
		}
	}
	return ""
}
