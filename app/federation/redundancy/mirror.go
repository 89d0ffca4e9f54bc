package redundancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Mirroring friends (#12 point 4): the admin lets this box copy videos of
// the instances it follows, within a disk budget, with one of PeerTube's
// strategies. Tick (every few minutes, and when the admin saves) keeps
// the set right: it evicts what must go (mirroring off, an instance no
// longer followed, a disk running low, a budget exceeded), renews what
// stays past its minimum lifetime, and picks at most one new video, whose
// copy runs as a durable job (JobKind, copy.go). Each finished copy is
// announced to the video's origin with a Create CacheFile; each eviction
// with an Undo.

// JobKind copies one mirrored video's HLS files.
const JobKind = "redundancy-mirror"

// MirrorStore keeps what this box mirrors (store.Redundancy).
type MirrorStore interface {
	MirrorCandidates(ctx context.Context, strategy string, minViews int64, trendingSince time.Time, limit int) ([]model.MirrorCandidate, error)
	PutMirrored(ctx context.Context, m model.MirroredVideo) error
	SetMirrored(ctx context.Context, m model.MirroredVideo) error
	DeleteMirrored(ctx context.Context, videoID int64) error
	Mirrored(ctx context.Context) ([]model.MirroredVideo, error)
	MirroredByUUID(ctx context.Context, uuid string) (model.MirroredVideo, error)
	MirrorTarget(ctx context.Context, ref string) (model.MirrorTarget, error)
}

// Queue is the durable job queue (jobs.Queue).
type Queue interface {
	Enqueue(ctx context.Context, kind string, payload any, opts ...jobs.EnqueueOption) (int64, error)
	Register(kind string, h jobs.Handler)
}

// ObjectFetcher GETs an ActivityPub object signed as the server actor
// (inbox.Actors).
type ObjectFetcher interface {
	Object(ctx context.Context, iri string) ([]byte, error)
}

// Mirroring is what mirroring friends needs beside the Service's store
// and settings; nil fields turn it off.
type Mirroring struct {
	Store MirrorStore
	Jobs  Queue
	Fetch ObjectFetcher
	// Origin finds where a remote actor receives activities.
	Origin func(ctx context.Context, actorIRI string) (federation.Recipient, error)
	// HTTP downloads the files: the SSRF-safe outbound client.
	HTTP   Doer
	Sender federation.Sender
	// URIs builds this box's IRIs (its public URL).
	URIs uris.Builder
	// Dir is where copies live (config.Layout.Redundancy).
	Dir string
	// Free reports the bytes left on Dir's file system (ok false: unknown).
	Free func(dir string) (n int64, ok bool)
	// LowDisk: below this many free bytes, mirrors are evicted first, and
	// no copy starts that would go below it (default DefaultLowDisk; the
	// admin sets it with --mirror-low-disk).
	LowDisk int64
	// TrendingDays is the window of the trending strategy (default 7).
	TrendingDays int
}

// Setting keys of mirroring friends.
const (
	keyStrategy    = "redundancy.strategy"
	keyBudget      = "redundancy.budget"
	keyMinLifetime = "redundancy.min_lifetime_s"
	keyMinViews    = "redundancy.min_views"
	// keyRefused: followed instances whose videos the admin does not want
	// copied (PeerTube's PUT /server/redundancy/{host} with
	// redundancyAllowed false).
	keyRefused = "redundancy.copy_refused"
)

// PeerTube's defaults (config/default.yaml): keep a copy at least 25
// hours; recently-added looks at videos with 10 views or more.
const (
	// DefaultLowDisk is the free space under which mirrors give way: 2
	// GiB, the admin overview's warning.
	DefaultLowDisk     = 2 << 30
	DefaultMinLifetime = 25 * time.Hour
	DefaultMinViews    = 10
	// MaxBudget bounds the budget (a typo of units must not ask for a
	// petabyte).
	MaxBudget = 16 << 40
	// candidatesPerTick is how many candidates one tick looks at.
	candidatesPerTick = 20
	// staleCopy: a copy still "copying" this long after its last change
	// lost its job (a crash between the row and the job): it is dropped.
	staleCopy = 24 * time.Hour
)

// MirroringConfig is the admin's choice; off by default.
func (s *Service) MirroringConfig(ctx context.Context) (model.MirroringConfig, error) {
	c := model.MirroringConfig{MinLifetime: DefaultMinLifetime, MinViews: DefaultMinViews}
	get := func(k string) (string, error) {
		v, err := s.Settings.Get(ctx, k)
		if err != nil {
			return "", fmt.Errorf("mirroring setting %s: %w", k, err)
		}
		return v, nil
	}
	strategy, err := get(keyStrategy)
	if err != nil {
		return c, err
	}
	switch strategy {
	case model.StrategyMostViews, model.StrategyTrending, model.StrategyRecentlyAdded:
		c.Strategy = strategy
	}
	for k, dst := range map[string]*int64{keyBudget: &c.Budget, keyMinViews: &c.MinViews} {
		v, err := get(k)
		if err != nil {
			return c, err
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			*dst = n
		}
	}
	v, err := get(keyMinLifetime)
	if err != nil {
		return c, err
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		c.MinLifetime = time.Duration(n) * time.Second
	}
	return c, nil
}

// SetMirroring stores the admin's choice and applies it at once (Tick):
// turning mirroring off or lowering the budget evicts what no longer
// fits, each eviction announced with an Undo.
func (s *Service) SetMirroring(ctx context.Context, viewer visibility.Viewer, c model.MirroringConfig) error {
	if !visibility.ManageRedundancy(viewer) {
		return ErrForbidden
	}
	switch c.Strategy {
	case "", model.StrategyMostViews, model.StrategyTrending, model.StrategyRecentlyAdded:
	default:
		return fmt.Errorf("%w: strategy %q", ErrInvalid, c.Strategy)
	}
	if c.Budget < 0 || c.Budget > MaxBudget {
		return fmt.Errorf("%w: budget %d", ErrInvalid, c.Budget)
	}
	if c.MinLifetime < time.Hour || c.MinLifetime > 366*24*time.Hour {
		return fmt.Errorf("%w: minimum lifetime %s", ErrInvalid, c.MinLifetime)
	}
	if c.MinViews < 0 {
		return fmt.Errorf("%w: minimum views %d", ErrInvalid, c.MinViews)
	}
	for k, v := range map[string]string{keyStrategy: c.Strategy, keyBudget: strconv.FormatInt(c.Budget, 10),
		keyMinLifetime: strconv.FormatInt(int64(c.MinLifetime/time.Second), 10), keyMinViews: strconv.FormatInt(c.MinViews, 10)} {
		if err := s.Settings.Set(ctx, k, v); err != nil {
			return fmt.Errorf("save mirroring: %w", err)
		}
	}
	if err := s.Tick(ctx); err != nil {
		s.log().Warn("redundancy: mirroring after the admin's change", "err", err)
	}
	return nil
}

// MirroredList is what this box mirrors and the bytes it holds, for
// admins.
func (s *Service) MirroredList(ctx context.Context, viewer visibility.Viewer) ([]model.MirroredVideo, int64, error) {
	if !visibility.ManageRedundancy(viewer) {
		return nil, 0, ErrForbidden
	}
	if !s.mirroringOn() {
		return nil, 0, nil
	}
	ms, err := s.Mirror.Store.Mirrored(ctx)
	if err != nil {
		return nil, 0, err
	}
	var used int64
	for i := range ms {
		ms[i].Host = hostOf(ms[i].IRI)
		used += ms[i].Size
	}
	return ms, used, nil
}

// Unmirror drops one of this box's copies (by its video's id), with an
// Undo to its origin, as the admin asks (PeerTube's DELETE
// /server/redundancy/videos/{id}); model.ErrNotFound when there is none.
func (s *Service) Unmirror(ctx context.Context, viewer visibility.Viewer, videoID int64) error {
	if !visibility.ManageRedundancy(viewer) {
		return ErrForbidden
	}
	if !s.mirroringOn() {
		return model.ErrNotFound
	}
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	ms, err := s.Mirror.Store.Mirrored(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.VideoID == videoID {
			return s.evict(ctx, m, "the admin removed it")
		}
	}
	return model.ErrNotFound
}

// Why the admin's request to mirror a video by hand is refused
// (PeerTube's addVideoRedundancyValidator).
var (
	// ErrLocalVideo: the video is this box's own (400).
	ErrLocalVideo = errors.New("redundancy: cannot create a redundancy on a local video")
	// ErrNotCopyable: a remote video this box cannot copy: not public, not
	// published, without an HLS playlist, or of an instance whose videos
	// the admin refused to copy (400).
	ErrNotCopyable = errors.New("redundancy: this video cannot be mirrored")
	// ErrAlreadyMirrored: this box mirrors it already (409).
	ErrAlreadyMirrored = errors.New("redundancy: this video is already duplicated by this instance")
)

// MirrorByHand starts a copy of one remote video the admin chose
// (PeerTube's POST /server/redundancy/videos, a "manual" redundancy):
// ref is its id, UUID or short UUID. Such a copy does not expire, is not
// counted in the strategies' budget and stays when mirroring is turned
// off; the admin removes it (Unmirror), a low disk evicts it after the
// strategies' copies, and refusing its instance's videos evicts it.
// Unlike the strategies' candidates, its instance need not be followed:
// the admin asked. The copy runs as a job and is announced when done.
func (s *Service) MirrorByHand(ctx context.Context, viewer visibility.Viewer, ref string) error {
	if !visibility.ManageRedundancy(viewer) {
		return ErrForbidden
	}
	if !s.mirroringOn() {
		return model.ErrNotFound // no federation: no remote video either
	}
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	t, err := s.Mirror.Store.MirrorTarget(ctx, ref)
	if err != nil {
		return err
	}
	switch {
	case !t.Remote:
		return ErrLocalVideo
	case t.Privacy != model.PrivacyPublic || t.State != model.StatePublished || !t.HLS:
		return fmt.Errorf("%w: %s is not a published public video with an HLS playlist", ErrNotCopyable, t.UUID)
	case t.Mirrored:
		return ErrAlreadyMirrored
	}
	refused, err := s.refusedHosts(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(refused, hostOf(t.IRI)) {
		return fmt.Errorf("%w: the admin refused copies of %s's videos", ErrNotCopyable, hostOf(t.IRI))
	}
	m := model.MirroredVideo{VideoID: t.VideoID, UUID: t.UUID, Name: t.Name, IRI: t.IRI, Strategy: model.StrategyManual,
		State: model.MirrorCopying, Size: t.Size, CreatedAt: s.now()}
	if err := s.Mirror.Store.PutMirrored(ctx, m); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return ErrAlreadyMirrored
		}
		return err
	}
	if _, err := s.Mirror.Jobs.Enqueue(ctx, JobKind, copyJob{UUID: t.UUID}, jobs.WithVideo(t.VideoID), jobs.WithMaxAttempts(3)); err != nil {
		s.Mirror.Store.DeleteMirrored(context.WithoutCancel(ctx), t.VideoID)
		return err
	}
	s.log().Info("redundancy: mirroring a video the admin chose", "video", t.UUID, "size", t.Size)
	return nil
}

func manual(m model.MirroredVideo) bool { return m.Strategy == model.StrategyManual }

// FreeDisk gives back the room of this box's copies, oldest first, until
// the disk is no longer low (all of them when the free space cannot be
// read): the videos service calls it when a job finds the disk full, as
// the creator's own videos come before other servers'.
func (s *Service) FreeDisk(ctx context.Context) {
	if !s.mirroringOn() {
		return
	}
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	ms, err := s.Mirror.Store.Mirrored(ctx)
	if err != nil {
		s.log().Warn("redundancy: free the disk", "err", err)
		return
	}
	for _, m := range ms {
		if s.Mirror.Free != nil && !s.lowDisk(0) {
			if _, ok := s.Mirror.Free(s.Mirror.Dir); ok {
				return
			}
		}
		if err := s.evict(ctx, m, "the disk is full"); err != nil {
			s.log().Warn("redundancy: free the disk", "video", m.UUID, "err", err)
		}
	}
}

// OwnCopy is the base URL of this box's ready copy of a remote video
// ("" when there is none): PeerTube lists its own copies among a remote
// video's redundancies, and the player may use it.
func (s *Service) OwnCopy(ctx context.Context, uuid string) string {
	if _, err := s.MirrorDir(ctx, uuid); err != nil {
		return ""
	}
	return MirrorBase(s.Mirror.URIs, uuid)
}

// CacheFileOf is this box's CacheFile of a ready copy, as its IRI serves
// it (PeerTube's /redundancy/streaming-playlists/hls/<uuid>);
// model.ErrNotFound otherwise.
func (s *Service) CacheFileOf(ctx context.Context, uuid string) (vocab.CacheFile, error) {
	if !s.mirroringOn() {
		return vocab.CacheFile{}, model.ErrNotFound
	}
	m, err := s.Mirror.Store.MirroredByUUID(ctx, uuid)
	if err != nil {
		return vocab.CacheFile{}, err
	}
	if m.State != model.MirrorReady {
		return vocab.CacheFile{}, model.ErrNotFound
	}
	cf := s.cacheFile(m)
	cf.Context = vocab.CacheFileContext
	return cf, nil
}

// MirrorDir is the folder of a ready copy, for the static route
// (/static/redundancy/hls/<uuid>/...); model.ErrNotFound otherwise.
func (s *Service) MirrorDir(ctx context.Context, uuid string) (string, error) {
	if !s.mirroringOn() {
		return "", model.ErrNotFound
	}
	m, err := s.Mirror.Store.MirroredByUUID(ctx, uuid)
	if err != nil {
		return "", err
	}
	if m.State != model.MirrorReady {
		return "", model.ErrNotFound
	}
	return filepath.Join(s.Mirror.Dir, m.UUID), nil
}

func (s *Service) mirroringOn() bool {
	return s != nil && s.Mirror != nil && s.Mirror.Store != nil && s.Mirror.Dir != ""
}

// RunMirroring ticks every interval until ctx ends, the first time at once.
func (s *Service) RunMirroring(ctx context.Context, every time.Duration) {
	if !s.mirroringOn() {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("redundancy: mirroring", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick brings what this box mirrors in line with the admin's choice, the
// instances it follows, the budget and the disk; then starts at most one
// new copy (one at a time: the budget check and the copy see the same
// total).
func (s *Service) Tick(ctx context.Context) error {
	if !s.mirroringOn() {
		return nil
	}
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	cfg, err := s.MirroringConfig(ctx)
	if err != nil {
		return err
	}
	all, err := s.Mirror.Store.Mirrored(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	s.sweepFolders(all)
	var kept []model.MirroredVideo
	for _, m := range all {
		why := ""
		switch {
		case cfg.Strategy == "" && !manual(m):
			why = "mirroring is off"
		case m.State == model.MirrorCopying && now.Sub(m.CreatedAt) > staleCopy:
			why = "its copy never finished"
		case m.State == model.MirrorReady && !isDir(filepath.Join(s.Mirror.Dir, m.UUID)):
			why = "its files are gone" // a restored backup holds none
		case manual(m):
			// The admin's own choice: only refusing its instance ends it.
			if refused, err := s.refusedHosts(ctx); err != nil {
				return err
			} else if slices.Contains(refused, hostOf(m.IRI)) {
				why = "the admin refused copies of its instance's videos"
			}
		default:
			if ok, err := s.followed(ctx, m.IRI); err != nil {
				return err
			} else if !ok {
				why = "its instance is no longer followed"
			}
		}
		if why != "" {
			if err := s.evict(ctx, m, why); err != nil {
				return err
			}
			continue
		}
		kept = append(kept, m)
	}
	// The disk first: mirrors are the first thing this box gives back,
	// the strategies' copies before those the admin asked for.
	for len(kept) > 0 && s.lowDisk(0) {
		i := max(0, slices.IndexFunc(kept, func(m model.MirroredVideo) bool { return !manual(m) }))
		if err := s.evict(ctx, kept[i], "the disk is running low"); err != nil {
			return err
		}
		kept = slices.Delete(kept, i, i+1)
	}
	// A budget the admin lowered: the oldest go first.
	for used(kept) > cfg.Budget {
		i := slices.IndexFunc(kept, func(m model.MirroredVideo) bool { return !manual(m) })
		if i < 0 {
			break
		}
		if err := s.evict(ctx, kept[i], "over the budget"); err != nil {
			return err
		}
		kept = slices.Delete(kept, i, i+1)
	}
	if cfg.Strategy == "" {
		return nil
	}
	copying := false
	for _, m := range kept {
		copying = copying || m.State == model.MirrorCopying
	}
	if !copying {
		if kept, err = s.startOne(ctx, cfg, kept); err != nil {
			return err
		}
	}
	// What stays past its minimum lifetime is renewed (PeerTube extends
	// the expiry and sends Update CacheFile).
	for _, m := range kept {
		if m.State != model.MirrorReady || manual(m) || m.ExpiresAt.After(now) {
			continue
		}
		m.ExpiresAt = now.Add(cfg.MinLifetime)
		if err := s.Mirror.Store.SetMirrored(ctx, m); err != nil {
			return err
		}
		if err := s.announce(ctx, "Update", m); err != nil {
			return err
		}
	}
	return nil
}

// startOne picks the best candidate that fits the budget and the disk,
// making room by evicting copies past their minimum lifetime (oldest
// first), and queues its copy.
func (s *Service) startOne(ctx context.Context, cfg model.MirroringConfig, kept []model.MirroredVideo) ([]model.MirroredVideo, error) {
	if cfg.Budget <= 0 {
		return kept, nil
	}
	days := s.Mirror.TrendingDays
	if days <= 0 {
		days = 7
	}
	now := s.now()
	cands, err := s.Mirror.Store.MirrorCandidates(ctx, cfg.Strategy, cfg.MinViews, now.AddDate(0, 0, -(days-1)), candidatesPerTick)
	if err != nil {
		return kept, err
	}
	for _, c := range cands {
		if c.Size > cfg.Budget || s.lowDisk(c.Size) || s.recentlyFailed(c.VideoID) {
			continue // can never fit, not now, or its copy just failed
		}
		if ok, err := s.followed(ctx, c.IRI); err != nil {
			return kept, err
		} else if !ok {
			continue
		}
		// Room: copies past their minimum lifetime give way, oldest first.
		for used(kept)+max(c.Size, 1) > cfg.Budget {
			i := oldestExpired(kept, now)
			if i < 0 {
				break
			}
			if err := s.evict(ctx, kept[i], "room for a new mirror"); err != nil {
				return kept, err
			}
			kept = append(kept[:i:i], kept[i+1:]...)
		}
		if used(kept)+max(c.Size, 1) > cfg.Budget {
			return kept, nil // the best candidate waits for room
		}
		m := model.MirroredVideo{VideoID: c.VideoID, UUID: c.UUID, Name: c.Name, IRI: c.IRI, Strategy: cfg.Strategy,
			State: model.MirrorCopying, Size: c.Size, ExpiresAt: now.Add(cfg.MinLifetime), CreatedAt: now}
		if err := s.Mirror.Store.PutMirrored(ctx, m); err != nil {
			return kept, err
		}
		if _, err := s.Mirror.Jobs.Enqueue(ctx, JobKind, copyJob{UUID: c.UUID}, jobs.WithVideo(c.VideoID), jobs.WithMaxAttempts(3)); err != nil {
			s.Mirror.Store.DeleteMirrored(context.WithoutCancel(ctx), c.VideoID)
			return kept, err
		}
		s.log().Info("redundancy: mirroring a video", "video", c.UUID, "strategy", cfg.Strategy, "size", c.Size)
		return append(kept, m), nil
	}
	return kept, nil
}

// sweepFolders removes the copies no row knows (a crash between the files
// and the row); staging folders are their jobs' to clean.
func (s *Service) sweepFolders(all []model.MirroredVideo) {
	entries, err := os.ReadDir(s.Mirror.Dir)
	if err != nil {
		return
	}
	known := map[string]bool{}
	for _, m := range all {
		known[m.UUID] = true
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !known[e.Name()] {
			s.log().Info("redundancy: removing a copy nothing refers to", "dir", e.Name())
			os.RemoveAll(filepath.Join(s.Mirror.Dir, e.Name()))
		}
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// used is what the strategies' copies take of the budget (the admin's
// own choices are not counted, as in PeerTube).
func used(ms []model.MirroredVideo) int64 {
	var n int64
	for _, m := range ms {
		if !manual(m) {
			n += m.Size
		}
	}
	return n
}

func oldestExpired(ms []model.MirroredVideo, now time.Time) int {
	for i, m := range ms { // oldest first already
		if m.State == model.MirrorReady && !manual(m) && !m.ExpiresAt.After(now) {
			return i
		}
	}
	return -1
}

// lowDisk says whether writing extra bytes would leave less than LowDisk
// free (false when the free space is unknown).
func (s *Service) lowDisk(extra int64) bool {
	if s.Mirror.Free == nil {
		return false
	}
	free, ok := s.Mirror.Free(s.Mirror.Dir)
	if !ok {
		free, ok = s.Mirror.Free(filepath.Dir(s.Mirror.Dir))
	}
	low := s.Mirror.LowDisk
	if low == 0 {
		low = DefaultLowDisk
	}
	return ok && free-extra < low
}

// followed says whether this box may copy the videos of a remote IRI's
// instance: the server follows it, and the admin did not refuse it.
func (s *Service) followed(ctx context.Context, iri string) (bool, error) {
	if s.Followed == nil {
		return false, nil
	}
	host := hostOf(iri)
	refused, err := s.refusedHosts(ctx)
	if err != nil {
		return false, err
	}
	if slices.Contains(refused, host) {
		return false, nil
	}
	return s.Followed.ServerFollows(ctx, host)
}

func (s *Service) refusedHosts(ctx context.Context) ([]string, error) {
	v, err := s.Settings.Get(ctx, keyRefused)
	if err != nil {
		return nil, fmt.Errorf("mirroring refused hosts: %w", err)
	}
	return strings.Fields(v), nil
}

// AllowCopiesFrom says whether this box may copy the videos of a followed
// instance (PeerTube's PUT /server/redundancy/{host}); every followed
// instance may until the admin says otherwise. model.ErrNotFound for an
// instance the server does not follow. Refusing one evicts its copies.
func (s *Service) AllowCopiesFrom(ctx context.Context, viewer visibility.Viewer, host string, allowed bool) error {
	if !visibility.ManageRedundancy(viewer) {
		return ErrForbidden
	}
	h, ok := NormalizeHost(host)
	if !ok {
		return fmt.Errorf("%w: host %q", ErrInvalid, host)
	}
	if s.Followed == nil {
		return model.ErrNotFound
	}
	if ok, err := s.Followed.ServerFollows(ctx, h); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: %s is not followed", model.ErrNotFound, h)
	}
	refused, err := s.refusedHosts(ctx)
	if err != nil {
		return err
	}
	refused = slices.DeleteFunc(refused, func(x string) bool { return x == h })
	if !allowed {
		refused = append(refused, h)
	}
	if err := s.Settings.Set(ctx, keyRefused, strings.Join(refused, " ")); err != nil {
		return fmt.Errorf("save mirroring refused hosts: %w", err)
	}
	if err := s.Tick(ctx); err != nil {
		s.log().Warn("redundancy: mirroring after the admin's change", "err", err)
	}
	return nil
}

// CopiesAllowed says whether this box copies the videos of a followed
// instance (PeerTube's hostRedundancyAllowed).
func (s *Service) CopiesAllowed(ctx context.Context, host string) bool {
	if !s.mirroringOn() {
		return false
	}
	refused, err := s.refusedHosts(ctx)
	return err == nil && !slices.Contains(refused, strings.ToLower(host))
}

// evict removes a mirror: its files, its row, and, once it was announced,
// an Undo to its origin.
func (s *Service) evict(ctx context.Context, m model.MirroredVideo, why string) error {
	if m.State == model.MirrorReady {
		if err := s.announce(ctx, "Undo", m); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(filepath.Join(s.Mirror.Dir, m.UUID)); err != nil {
		return fmt.Errorf("remove mirror %s: %w", m.UUID, err)
	}
	if err := s.Mirror.Store.DeleteMirrored(ctx, m.VideoID); err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	s.log().Info("redundancy: mirror removed", "video", m.UUID, "why", why)
	return nil
}

// cacheFileIRI is a mirror's CacheFile id, PeerTube's
// /redundancy/streaming-playlists/hls/<uuid>.
func (s *Service) cacheFileIRI(uuid string) string {
	return s.Mirror.URIs.Abs("/redundancy/streaming-playlists/hls/" + url.PathEscape(uuid))
}

// MirrorBase is the folder where a mirror is served, PeerTube's
// /static/redundancy/hls/<uuid>.
func MirrorBase(u uris.Builder, uuid string) string {
	return u.Abs("/static/redundancy/hls/" + url.PathEscape(uuid))
}

// announce sends a Create, Update or Undo of m's CacheFile to its origin,
// from the server actor, through the durable delivery queue.
func (s *Service) announce(ctx context.Context, typ string, m model.MirroredVideo) error {
	if s.Mirror.Sender == nil || m.OriginInbox == "" {
		return nil
	}
	var to federation.Recipient
	if err := json.Unmarshal([]byte(m.OriginInbox), &to); err != nil || to.Inbox == "" {
		return nil // nothing to tell: the copy was never announced
	}
	actor := s.Mirror.URIs.Abs(uris.ServerActor)
	cf := s.cacheFile(m)
	stamp := strconv.FormatInt(s.now().UnixNano(), 36)
	a := vocab.CacheFileActivity{Context: vocab.CacheFileContext, Type: typ, Actor: actor, Object: cf,
		To: []string{vocab.Public}, Cc: []string{to.Actor}}
	switch typ {
	case "Create", "Update":
		a.ID = cf.ID + "/" + strings.ToLower(typ) + "/" + stamp
	case "Undo":
		a.ID = cf.ID + "/undo/" + stamp
		a.Object = vocab.CacheFileActivity{Type: "Create", ID: cf.ID + "/create/" + stamp, Actor: actor, Object: cf,
			To: []string{vocab.Public}, Cc: []string{to.Actor}}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("%s CacheFile: %w", typ, err)
	}
	from := federation.LocalActor{Key: keys.ServerActor, IRI: actor}
	if err := s.Mirror.Sender.Send(ctx, from, b, []federation.Recipient{to}); err != nil {
		return fmt.Errorf("send %s CacheFile of %s: %w", typ, m.UUID, err)
	}
	return nil
}

func (s *Service) cacheFile(m model.MirroredVideo) vocab.CacheFile {
	var exp *string // none: a copy the admin asked for (PeerTube sends null)
	if !m.ExpiresAt.IsZero() {
		e := m.ExpiresAt.UTC().Format(time.RFC3339)
		exp = &e
	}
	return vocab.CacheFile{ID: s.cacheFileIRI(m.UUID), Type: "CacheFile", Object: m.IRI, Expires: exp,
		URL: vocab.CacheFileLink{Type: "Link", MediaType: vocab.MediaHLS, Href: MirrorBase(s.Mirror.URIs, m.UUID)}}
}

func hostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
