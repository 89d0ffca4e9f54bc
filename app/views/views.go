// Package views counts video views by PeerTube's rule: a view counts once
// the viewer has played enough of the video (10 seconds, PeerTube's
// views.videos.count_view_after; half of a video shorter than that), and
// once per viewer and video per hour (views.videos.view_expiration).
//
// Without a tracking cookie and without storing an IP address: a viewer is
// an HMAC of their address, user agent and the video under a random key
// that lives in memory only and is replaced every hour. The previous key is
// kept one more hour, so that "once per hour" holds across a change of key;
// then it is forgotten, and with it any way to tell whose a hash was.
// Nothing of this reaches the disk; a restart forgets it all.
package views

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// PeerTube's defaults.
const (
	// CountAfter is how much playback makes a view.
	CountAfter = 10 * time.Second
	// Expiry is how long one viewer's view of a video stays the only one.
	Expiry = time.Hour
	// sessionIdle forgets a viewer's playback after this long without news
	// (PeerTube's VIEWER_COUNTER lifetime).
	sessionIdle = 2 * time.Minute
	// maxEntries bounds the memory a flood of fake viewers can take.
	maxEntries = 100_000
	// slack is the clock jitter allowed between two reports.
	slack = time.Second
)

// ErrBadTime: currentTime is not a time in the video (400, "currentTime").
var ErrBadTime = errors.New("Should have correct current time")

// Videos is what counting needs of the videos service.
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
	// CountView adds one view (written to the database in batches).
	CountView(id int64)
}

// Client is what tells viewers apart: their address and user agent, never
// stored.
type Client struct {
	IP        string
	UserAgent string
}

// Report is one "still watching" call of the player.
type Report struct {
	CurrentTime float64 // seconds into the video
	Seek        bool    // the viewer jumped since the last report
}

// Federator hears of each view counted (app/federation/outbox): a remote
// video's origin is told of it.
type Federator interface {
	ViewCounted(ctx context.Context, v model.Video)
}

// Service counts views.
type Service struct {
	Videos Videos
	// Federate hears of each local viewer's view once counted, outside
	// the service's lock; nil: nobody is told.
	Federate Federator
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time

	mu       sync.Mutex
	cur      [32]byte
	prev     [32]byte
	hasPrev  bool
	keyAt    time.Time
	sessions map[[32]byte]*session  // viewer hash → playback so far
	viewed   map[[32]byte]time.Time // viewer hash → when their view counted
}

type session struct {
	pos     float64       // last reported position
	at      time.Time     // when it was reported
	watched time.Duration // playback credited so far
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Watching records that client is playing the video ref names at
// r.CurrentTime, and counts a view when the rule says so (counted).
// Playback credited between two reports is bounded by the time that passed
// between them: a script cannot claim ten seconds in one instant.
func (s *Service) Watching(ctx context.Context, viewer visibility.Viewer, ref string, client Client, r Report) (counted bool, err error) {
	v, counted, err := s.watching(ctx, viewer, ref, client, r)
	if counted && s.Federate != nil {
		s.Federate.ViewCounted(ctx, v)
	}
	return counted, err
}

func (s *Service) watching(ctx context.Context, viewer visibility.Viewer, ref string, client Client, r Report) (model.Video, bool, error) {
	if math.IsNaN(r.CurrentTime) || math.IsInf(r.CurrentTime, 0) || r.CurrentTime < 0 {
		return model.Video{}, false, ErrBadTime
	}
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return v, false, err
	}
	if !v.Published() {
		return v, false, nil // nothing to play yet
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate(now)
	hCur, hPrev, hasPrev := s.hash(s.cur, v.ID, client), [32]byte{}, s.hasPrev
	if hasPrev {
		hPrev = s.hash(s.prev, v.ID, client)
	}
	if s.seen(hCur, now) || (hasPrev && s.seen(hPrev, now)) {
		return v, false, nil
	}
	ses := s.sessions[hCur]
	if ses == nil && hasPrev {
		// Playback that began under the previous key carries over.
		if ses = s.sessions[hPrev]; ses != nil {
			delete(s.sessions, hPrev)
			s.sessions[hCur] = ses
		}
	}
	if ses == nil || now.Sub(ses.at) > sessionIdle {
		if ses == nil && !s.room(now) {
			return v, false, nil
		}
		s.sessions[hCur] = &session{pos: r.CurrentTime, at: now}
		return v, false, nil
	}
	if step := r.CurrentTime - ses.pos; !r.Seek && step > 0 {
		played := time.Duration(step * float64(time.Second))
		played = min(played, now.Sub(ses.at)+slack)
		ses.watched += played
	}
	ses.pos, ses.at = r.CurrentTime, now
	if !enough(v.Duration, ses.watched) {
		return v, false, nil
	}
	delete(s.sessions, hCur)
	s.viewed[hCur] = now
	s.Videos.CountView(v.ID)
	return v, true, nil
}

// enough is PeerTube's hasEnoughWatchTime: CountAfter of playback, or more
// than half of a video shorter than that.
func enough(duration, watched time.Duration) bool {
	if duration <= 0 || duration >= CountAfter {
		return watched >= CountAfter
	}
	return watched*2 > duration
}

// seen reports whether viewer hash h's view still counts as recent.
func (s *Service) seen(h [32]byte, now time.Time) bool {
	at, ok := s.viewed[h]
	return ok && now.Sub(at) < Expiry
}

// rotate replaces the key every Expiry, keeping the previous one for one
// more period; older hashes are unlinkable once their key is gone.
func (s *Service) rotate(now time.Time) {
	if s.sessions == nil {
		s.sessions, s.viewed = map[[32]byte]*session{}, map[[32]byte]time.Time{}
	}
	if !s.keyAt.IsZero() && now.Sub(s.keyAt) < Expiry {
		return
	}
	if !s.keyAt.IsZero() && now.Sub(s.keyAt) < 2*Expiry {
		s.prev, s.hasPrev = s.cur, true
	} else {
		s.prev, s.hasPrev = [32]byte{}, false
	}
	if _, err := rand.Read(s.cur[:]); err != nil {
		panic(fmt.Sprintf("views: no randomness for the viewer key: %v", err))
	}
	s.keyAt = now
	s.prune(now)
}

// prune forgets views older than Expiry and idle playback.
func (s *Service) prune(now time.Time) {
	for h, at := range s.viewed {
		if now.Sub(at) >= Expiry {
			delete(s.viewed, h)
		}
	}
	for h, ses := range s.sessions {
		if now.Sub(ses.at) > sessionIdle {
			delete(s.sessions, h)
		}
	}
}

// room makes space for one more viewer if it can.
func (s *Service) room(now time.Time) bool {
	if len(s.sessions)+len(s.viewed) < maxEntries {
		return true
	}
	s.prune(now)
	return len(s.sessions)+len(s.viewed) < maxEntries
}

func (s *Service) hash(key [32]byte, videoID int64, c Client) [32]byte {
	m := hmac.New(sha256.New, key[:])
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(videoID))
	m.Write(id[:])
	// Lengths first, so that no two (IP, agent) pairs write the same bytes.
	var n [8]byte
	binary.BigEndian.PutUint32(n[:4], uint32(len(c.IP)))
	binary.BigEndian.PutUint32(n[4:], uint32(len(c.UserAgent)))
	m.Write(n[:])
	m.Write([]byte(c.IP))
	m.Write([]byte(c.UserAgent))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// Remembered is how many viewers the service holds in memory (tests, and
// the proof that it stays bounded).
func (s *Service) Remembered() (sessions, views int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions), len(s.viewed)
}

// Remote counts a view that another server reports for video v: the View
// activity PeerTube sends, as its server actor, each time one of its own
// viewers passed its player's rule, and which PeerTube's receiving side
// counts every time. So each distinct activity counts once: activityID
// is remembered for Expiry in the same bounded, keyed memory as local
// viewers, and a replay (a retried delivery) counts nothing. Reports with
// an expiry are live viewer counts, not views: the inbox does not bring
// them here.
func (s *Service) Remote(v model.Video, activityID string) (counted bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate(now)
	// "activitypub" is never a client's address: remote and local viewers
	// never share a hash.
	c := Client{IP: "activitypub", UserAgent: activityID}
	h := s.hash(s.cur, v.ID, c)
	if s.seen(h, now) || (s.hasPrev && s.seen(s.hash(s.prev, v.ID, c), now)) || !s.room(now) {
		return false
	}
	s.viewed[h] = now
	s.Videos.CountView(v.ID)
	return true
}
