// Package bandwidth treats the box's upload capacity as the scarce
// resource it is (#12 point 5). A box at home sends every byte of every
// remote viewer through a connection that is often 10-50 Mb/s up: the
// service knows that capacity (the admin's setting, or a measured upload),
// counts the viewers who are not on the home network from the HLS
// segments they fetch within a sliding window, and says what bitrate a
// new viewer can be started at so that everyone keeps playing. Viewers on
// the home network never count: their bytes do not leave the house.
//
// Nothing about a viewer is stored: a viewer is a keyed hash of their
// address and browser, with a key made at start-up and never written
// anywhere, kept in memory only while they fetch segments.
package bandwidth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Settings stores the admin's settings (repo.Settings).
type Settings interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
}

// settingsKey holds Config as JSON: one row, written whole.
const settingsKey = "bandwidth.upstream"

// Defaults.
const (
	// DefaultWindow is how long a viewer counts after their last
	// segment: a player fetches one every few seconds while it plays
	// and stops fetching when its buffer is full (hls.js keeps about
	// 30 s ahead), so a shorter window would forget viewers who are
	// still watching.
	DefaultWindow = 45 * time.Second
	// DefaultHeadroom is the share of the capacity given to video: the
	// rest is for pages, federation, and the capacity's own error.
	DefaultHeadroom = 0.8
	// maxTracked bounds the memory a crowd (or a client inventing
	// browsers) can make the counter use.
	maxTracked = 20000
)

// MaxCapacityKbps is the largest capacity the admin may set: 10 Gb/s.
const MaxCapacityKbps = 10_000_000

// ErrForbidden refuses a change by anyone but an administrator.
var ErrForbidden = errors.New("only administrators may change the upload capacity")

// Config is what the admin said, and what the last measurement found.
type Config struct {
	// CapacityKbps is the box's upstream in kilobits per second; 0: not
	// set, nobody's start is capped.
	CapacityKbps int64 `json:"capacityKbps"`
	// Measured is the last measured upload (nil: none).
	Measured *Measurement `json:"measured,omitempty"`
}

// Key is one viewer within this process: a keyed hash, not an address.
type Key uint64

// Service counts remote viewers and computes what they can be sent.
type Service struct {
	Settings Settings
	// Window and Headroom: zero takes the defaults.
	Window   time.Duration
	Headroom float64
	// Uploader sends the measured upload (the outbound HTTP client);
	// nil: measuring is not offered.
	Uploader Uploader

	secret [32]byte // the viewer hash's key: random, in memory only

	mu      sync.Mutex
	loaded  bool
	cfg     Config
	viewers map[string]map[Key]time.Time // video UUID -> viewer -> last segment
	tracked int
	bytes   [buckets]bucket // remote bytes sent, per second, for "used upstream"
	lanB    [buckets]bucket // home network bytes, shown beside them
}

// buckets is the length of the byte counters' ring, in seconds: longer
// than any window, so a window always finds its seconds.
const buckets = 128

type bucket struct {
	sec int64
	n   int64
}

// New is a Service on settings.
func New(settings Settings) *Service {
	s := &Service{Settings: settings, viewers: map[string]map[Key]time.Time{}}
	if _, err := rand.Read(s.secret[:]); err != nil {
		// crypto/rand does not fail on Linux; a zero key still hashes.
		panic(fmt.Sprintf("bandwidth: random key: %v", err))
	}
	return s
}

func (s *Service) window() time.Duration {
	if s.Window > 0 {
		return min(s.Window, (buckets-2)*time.Second)
	}
	return DefaultWindow
}

func (s *Service) headroom() float64 {
	if s.Headroom > 0 && s.Headroom <= 1 {
		return s.Headroom
	}
	return DefaultHeadroom
}

// ViewerKey is the viewer behind addr with that browser, as a number that
// cannot be turned back into the address.
func (s *Service) ViewerKey(addr netip.Addr, userAgent string) Key {
	m := hmac.New(sha256.New, s.secret[:])
	b, _ := addr.MarshalBinary()
	m.Write(b)
	m.Write([]byte{0})
	m.Write([]byte(userAgent))
	return Key(binary.BigEndian.Uint64(m.Sum(nil)))
}

// Served records n bytes of a segment of video sent to viewer at now.
// A viewer on the home network (home) is not counted as a viewer, and
// their bytes are counted apart.
func (s *Service) Served(now time.Time, video string, viewer Key, home bool, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if home {
		add(&s.lanB, now, n)
		return
	}
	add(&s.bytes, now, n)
	vs := s.viewers[video]
	if vs == nil {
		if s.viewers == nil {
			s.viewers = map[string]map[Key]time.Time{}
		}
		vs = map[Key]time.Time{}
		s.viewers[video] = vs
	}
	if _, ok := vs[viewer]; !ok {
		if s.tracked >= maxTracked {
			s.pruneLocked(now)
			if s.tracked >= maxTracked {
				return // the bytes count; this viewer is beyond what is kept
			}
		}
		s.tracked++
	}
	vs[viewer] = now
}

func add(ring *[buckets]bucket, now time.Time, n int64) {
	sec := now.Unix()
	b := &ring[sec%buckets]
	if b.sec != sec {
		*b = bucket{sec: sec}
	}
	b.n += n
}

// sum is the bytes of the ring's seconds within (now-w, now].
func sum(ring *[buckets]bucket, now time.Time, w time.Duration) int64 {
	last := now.Unix()
	first := last - int64(w/time.Second) + 1
	var t int64
	for i := range ring {
		if b := ring[i]; b.sec >= first && b.sec <= last {
			t += b.n
		}
	}
	return t
}

// pruneLocked forgets the viewers whose last segment is older than the
// window.
func (s *Service) pruneLocked(now time.Time) {
	cut := now.Add(-s.window())
	for video, vs := range s.viewers {
		for k, at := range vs {
			if !at.After(cut) {
				delete(vs, k)
				s.tracked--
			}
		}
		if len(vs) == 0 {
			delete(s.viewers, video)
		}
	}
}

// VideoViewers is one video's current remote viewers.
type VideoViewers struct {
	UUID    string
	Viewers int
}

// Usage is the state the admin page shows.
type Usage struct {
	Config
	Headroom float64
	Window   time.Duration
	// Viewers is the number of remote viewers now; Videos, per video,
	// most watched first.
	Viewers int
	Videos  []VideoViewers
	// UsedKbps is what went to remote viewers over the window; LANKbps
	// what went to the home network (not counted).
	UsedKbps, LANKbps int64
	// PerViewerKbps is what a new remote viewer may be started at (0: no
	// capacity set).
	PerViewerKbps int64
}

// Usage is the current state.
func (s *Service) Usage(ctx context.Context, now time.Time) (Usage, error) {
	cfg, err := s.Config(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	u := Usage{Config: cfg, Headroom: s.headroom(), Window: s.window()}
	for video, vs := range s.viewers {
		u.Videos = append(u.Videos, VideoViewers{UUID: video, Viewers: len(vs)})
		u.Viewers += len(vs)
	}
	slices.SortFunc(u.Videos, func(a, b VideoViewers) int {
		if a.Viewers != b.Viewers {
			return b.Viewers - a.Viewers
		}
		return cmpString(a.UUID, b.UUID)
	})
	secs := int64(u.Window / time.Second)
	u.UsedKbps = sum(&s.bytes, now, u.Window) * 8 / 1000 / secs
	u.LANKbps = sum(&s.lanB, now, u.Window) * 8 / 1000 / secs
	u.PerViewerKbps = Affordable(cfg.CapacityKbps, u.Headroom, u.Viewers)
	return u, err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Viewers is the number of remote viewers of video now.
func (s *Service) Viewers(now time.Time, video string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	return len(s.viewers[video])
}

// Affordable is the bitrate, in kb/s, that the box can send one more
// viewer when others already watch: capacity x headroom shared by all of
// them and the newcomer. 0 when no capacity is set.
func Affordable(capacityKbps int64, headroom float64, others int) int64 {
	if capacityKbps <= 0 {
		return 0
	}
	return int64(float64(capacityKbps) * headroom / float64(others+1))
}

// Cap is what a viewer's player is told.
type Cap struct {
	// MaxBitrate is the highest rendition bitrate to start at, bits/s;
	// 0: no cap.
	MaxBitrate int64
	// Saturated: the remote viewers already use the share of the
	// capacity given to video, so the player should also stay at or
	// below MaxBitrate rather than climb.
	Saturated bool
}

// StartCap is the cap for viewer's player at now. A viewer on the home
// network (home) gets none; a remote viewer shares capacity x headroom
// with the other remote viewers (they are not counted twice when they
// reload the page).
func (s *Service) StartCap(ctx context.Context, now time.Time, viewer Key, home bool) (Cap, error) {
	if home {
		return Cap{}, nil
	}
	cfg, err := s.Config(ctx)
	if err != nil || cfg.CapacityKbps <= 0 {
		return Cap{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	others := 0
	for _, vs := range s.viewers {
		others += len(vs)
		if _, ok := vs[viewer]; ok {
			others--
		}
	}
	h := s.headroom()
	budget := float64(cfg.CapacityKbps) * h
	usedKbps := float64(sum(&s.bytes, now, s.window())*8/1000) / s.window().Seconds()
	return Cap{MaxBitrate: Affordable(cfg.CapacityKbps, h, others) * 1000, Saturated: usedKbps >= budget}, nil
}

// StartLevel is the index in bitrates (bits/s, any order) of the highest
// one within maxBitrate, or of the lowest when none fits (a viewer gets a
// picture, however small); -1 when bitrates is empty. maxBitrate 0 means
// no cap: the highest.
func StartLevel(bitrates []int64, maxBitrate int64) int {
	best, lowest := -1, -1
	for i, b := range bitrates {
		if lowest < 0 || b < bitrates[lowest] {
			lowest = i
		}
		if (maxBitrate <= 0 || b <= maxBitrate) && (best < 0 || b > bitrates[best]) {
			best = i
		}
	}
	if best < 0 {
		return lowest
	}
	return best
}

// Config is the admin's settings.
func (s *Service) Config(ctx context.Context) (Config, error) {
	s.mu.Lock()
	if s.loaded {
		defer s.mu.Unlock()
		return s.cfg, nil
	}
	s.mu.Unlock()
	raw, err := s.Settings.Get(ctx, settingsKey)
	if err != nil {
		return Config{}, fmt.Errorf("read the upload capacity: %w", err)
	}
	var c Config
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return Config{}, fmt.Errorf("read the upload capacity: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		s.cfg, s.loaded = c, true
	}
	return s.cfg, nil
}

// Admin is what the service needs to know of who changes it.
type Admin interface{ Admin() bool }

// SetCapacity stores the box's upstream capacity (0: none).
func (s *Service) SetCapacity(ctx context.Context, who Admin, kbps int64) error {
	if !who.Admin() {
		return ErrForbidden
	}
	if kbps < 0 || kbps > MaxCapacityKbps {
		return fmt.Errorf("%w: %d kb/s", ErrBadCapacity, kbps)
	}
	return s.update(ctx, func(c *Config) { c.CapacityKbps = kbps })
}

// ErrBadCapacity is a capacity outside 0..MaxCapacityKbps.
var ErrBadCapacity = errors.New("the upload capacity must be between 0 and 10,000 Mb/s")

func (s *Service) update(ctx context.Context, change func(*Config)) error {
	c, err := s.Config(ctx)
	if err != nil {
		return err
	}
	change(&c)
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store the upload capacity: %w", err)
	}
	if err := s.Settings.Set(ctx, settingsKey, string(raw)); err != nil {
		return fmt.Errorf("store the upload capacity: %w", err)
	}
	s.mu.Lock()
	s.cfg, s.loaded = c, true
	s.mu.Unlock()
	return nil
}
