// Package redundancy is PeerTube's redundancy on Cabane (#12 points 3 and
// 4). Being mirrored: other servers that copy a local video's HLS files
// announce it with a CacheFile (Create, Update, Undo); the inbox parses
// those and this service decides whether the sender may mirror (the
// admin's policy), records the mirror, and lists mirrors for the REST
// shape, the Video object and the player. Mirroring friends (mirror.go):
// this box copies videos of the instances it follows, within a disk
// budget, and announces them to their origin.
package redundancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// Why a mirror or a setting is refused.
var (
	// ErrNotAllowed: the admin's policy does not let this host mirror
	// (403).
	ErrNotAllowed = errors.New("redundancy: this instance may not mirror videos here")
	// ErrBadURL: the mirror's URL is not https on the announcing actor's
	// host (400).
	ErrBadURL = errors.New("redundancy: the mirror's URL must be https on the actor's own host")
	// ErrForbidden: only admins choose who mirrors and what is mirrored.
	ErrForbidden = errors.New("redundancy: only admins may change this")
	// ErrInvalid: a setting out of range (400).
	ErrInvalid = errors.New("redundancy: invalid setting")
)

// Store keeps the mirrors (store.Redundancy).
type Store interface {
	PutMirror(ctx context.Context, m model.Mirror) (created bool, err error)
	DeleteMirror(ctx context.Context, iri, actorIRI string) error
	MirrorsOf(ctx context.Context, videoID int64, now time.Time) ([]model.Mirror, error)
	Mirrors(ctx context.Context, limit int) ([]model.Mirror, int, error)
	AllMirrors(ctx context.Context, limit int) ([]model.Mirror, error)
	SweepMirrors(ctx context.Context, now time.Time) (int64, error)
}

// Settings keeps the admin's choices (store.Settings).
type Settings interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
}

// Followed says whether the server follows an instance (store.Follows).
type Followed interface {
	ServerFollows(ctx context.Context, host string) (bool, error)
}

// Setting keys.
const (
	keyAcceptFrom = "redundancy.accept_from"
	keyHosts      = "redundancy.accept_hosts"
)

// MaxHosts bounds the admin's list of hosts.
const MaxHosts = 200

// Service is being mirrored (and, mirror.go, mirroring).
type Service struct {
	Store    Store
	Settings Settings
	Followed Followed
	// AllowHTTP are the ranges where a mirror may be plain http: the
	// outbound client's allowed private ranges (--allow-private-fetch),
	// which only tests and closed networks set; only loopback addresses
	// among them count.
	AllowHTTP []netip.Prefix
	Log       *slog.Logger
	Now       func() time.Time
	// Mirror is what mirroring friends needs (mirror.go); nil: this box
	// mirrors nothing.
	Mirror *Mirroring

	tickMu sync.Mutex // one Tick at a time

	failMu sync.Mutex
	failed map[int64]time.Time // video id → when a dropped copy may be tried again
}

// Policy is who may mirror this box's videos; followed instances unless
// the admin chose otherwise.
func (s *Service) Policy(ctx context.Context) (model.MirrorPolicy, error) {
	from, err := s.Settings.Get(ctx, keyAcceptFrom)
	if err != nil {
		return model.MirrorPolicy{}, fmt.Errorf("redundancy policy: %w", err)
	}
	p := model.MirrorPolicy{AcceptFrom: model.MirrorFromFollowed}
	switch from {
	case model.MirrorFromList, model.MirrorFromNobody:
		p.AcceptFrom = from
	}
	hosts, err := s.Settings.Get(ctx, keyHosts)
	if err != nil {
		return model.MirrorPolicy{}, fmt.Errorf("redundancy hosts: %w", err)
	}
	p.Hosts = strings.Fields(hosts)
	return p, nil
}

// SetPolicy stores the admin's choice; hosts are checked and normalised
// (a host, host:port, or a URL whose host is kept). Mirrors from hosts
// the new policy refuses are forgotten at once, so players stop using
// them.
func (s *Service) SetPolicy(ctx context.Context, viewer visibility.Viewer, p model.MirrorPolicy) error {
	if !visibility.ManageRedundancy(viewer) {
		return ErrForbidden
	}
	switch p.AcceptFrom {
	case model.MirrorFromFollowed, model.MirrorFromList, model.MirrorFromNobody:
	default:
		return fmt.Errorf("%w: accept from %q", ErrInvalid, p.AcceptFrom)
	}
	var hosts []string
	for _, h := range p.Hosts {
		n, ok := NormalizeHost(h)
		if !ok {
			return fmt.Errorf("%w: host %q", ErrInvalid, h)
		}
		if !slices.Contains(hosts, n) {
			hosts = append(hosts, n)
		}
	}
	if len(hosts) > MaxHosts {
		return fmt.Errorf("%w: more than %d hosts", ErrInvalid, MaxHosts)
	}
	if err := s.Settings.Set(ctx, keyAcceptFrom, p.AcceptFrom); err != nil {
		return fmt.Errorf("save redundancy policy: %w", err)
	}
	if err := s.Settings.Set(ctx, keyHosts, strings.Join(hosts, " ")); err != nil {
		return fmt.Errorf("save redundancy hosts: %w", err)
	}
	return s.dropRefused(ctx)
}

// dropRefused forgets the mirrors the current policy refuses.
func (s *Service) dropRefused(ctx context.Context) error {
	ms, err := s.Store.AllMirrors(ctx, 100000)
	if err != nil {
		return err
	}
	for _, m := range ms {
		ok, err := s.MayMirror(ctx, m.Host)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		if err := s.Store.DeleteMirror(ctx, m.IRI, ""); err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		s.log().Info("redundancy: mirror dropped, its host is no longer allowed", "host", m.Host, "video", m.VideoUUID)
	}
	return nil
}

// NormalizeHost is h as the policy keeps it: lower-case host[:port], from
// a bare host or a URL; ok is false for anything else.
func NormalizeHost(h string) (string, bool) {
	h = strings.TrimSpace(h)
	if h == "" || len(h) > 255 {
		return "", false
	}
	if !strings.Contains(h, "://") {
		h = "https://" + h
	}
	u, err := url.Parse(h)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Host, "."))
	if strings.ContainsAny(host, " /\\@") {
		return "", false
	}
	return host, true
}

// MayMirror says whether the policy lets an instance (host, with its
// port if any) mirror this box's videos.
func (s *Service) MayMirror(ctx context.Context, host string) (bool, error) {
	p, err := s.Policy(ctx)
	if err != nil {
		return false, err
	}
	host = strings.ToLower(host)
	switch p.AcceptFrom {
	case model.MirrorFromNobody:
		return false, nil
	case model.MirrorFromList:
		return slices.Contains(p.Hosts, host), nil
	}
	if s.Followed == nil {
		return false, nil
	}
	return s.Followed.ServerFollows(ctx, host)
}

// Record stores a mirror a remote actor announced (Create or Update
// CacheFile) of a video the inbox checked may be mirrored (public and
// published: visibility.Mirrorable): a local video, or a remote one this
// box knows (a third server's copy of a followed channel's video, which
// PeerTube records too, so that its players use it). created reports a
// new mirror.
// The actor's host must be allowed (ErrNotAllowed) and the mirror's URL
// https on that host (ErrBadURL); the same CacheFile id stays its first
// actor's and video's (model.ErrConflict).
func (s *Service) Record(ctx context.Context, m model.Mirror) (created bool, err error) {
	actor, err := url.Parse(m.ActorIRI)
	if err != nil || actor.Host == "" {
		return false, fmt.Errorf("%w: actor %q", ErrBadURL, m.ActorIRI)
	}
	m.Host = strings.ToLower(actor.Host)
	ok, err := s.MayMirror(ctx, m.Host)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, fmt.Errorf("%w: %s", ErrNotAllowed, m.Host)
	}
	base, err := s.checkURL(m.BaseURL, m.Host)
	if err != nil {
		return false, err
	}
	m.BaseURL = base
	if !m.ExpiresAt.IsZero() && !m.ExpiresAt.After(s.now()) {
		// Already over: nothing to list; an earlier copy goes with it.
		err := s.Store.DeleteMirror(ctx, m.IRI, m.ActorIRI)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return false, err
		}
		return false, nil
	}
	return s.Store.PutMirror(ctx, m)
}

// checkURL checks a mirror's base URL: https (http only on an allowed
// loopback address) on host, no credentials, query or fragment; returned
// without a trailing slash.
func (s *Service) checkURL(raw, host string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2000 || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: %q", ErrBadURL, raw)
	}
	if !strings.EqualFold(u.Host, host) {
		return "", fmt.Errorf("%w: %s is not on %s", ErrBadURL, raw, host)
	}
	switch u.Scheme {
	case "https":
	case "http":
		ip, err := netip.ParseAddr(u.Hostname())
		if err != nil || !ip.IsLoopback() || !slices.ContainsFunc(s.AllowHTTP, func(p netip.Prefix) bool { return p.Contains(ip) }) {
			return "", fmt.Errorf("%w: %s is not https", ErrBadURL, raw)
		}
	default:
		return "", fmt.Errorf("%w: %q", ErrBadURL, raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// Remove forgets a mirror its actor undid; undoing what is not there, or
// another actor's, changes nothing (removed false).
func (s *Service) Remove(ctx context.Context, iri, actorIRI string) (removed bool, err error) {
	err = s.Store.DeleteMirror(ctx, iri, actorIRI)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Bases are the base URLs of v's current mirrors, for the player and the
// API: none unless v may be mirrored (a video turned private keeps its
// rows until they expire, but nobody is sent to them).
func (s *Service) Bases(ctx context.Context, v model.Video) ([]string, error) {
	if s == nil || !visibility.Mirrorable(v) {
		return nil, nil
	}
	ms, err := s.Store.MirrorsOf(ctx, v.ID, s.now())
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.BaseURL)
	}
	return out, nil
}

// RemoteBases are the base URLs a player of a remote video may fetch its
// HLS files from besides its origin: this box's own copy first (it is
// the nearest), then the copies third servers announced (CacheFiles the
// origin forwarded, or that reached this box directly), which PeerTube's
// players use too. None unless v may be mirrored. The watch page of a
// remote video hands them to the player as its data-mirrors.
func (s *Service) RemoteBases(ctx context.Context, v model.Video) ([]string, error) {
	if s == nil {
		return nil, nil
	}
	var out []string
	if own := s.OwnCopy(ctx, v.UUID); own != "" {
		out = append(out, own)
	}
	bases, err := s.Bases(ctx, v)
	if err != nil {
		return nil, err
	}
	for _, b := range bases {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out, nil
}

// List is every mirror of a local video, newest first, for admins.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, limit int) ([]model.Mirror, int, error) {
	if !visibility.ManageRedundancy(viewer) {
		return nil, 0, ErrForbidden
	}
	return s.Store.Mirrors(ctx, limit)
}

// Sweep forgets expired mirrors.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	return s.Store.SweepMirrors(ctx, s.now())
}

// RunSweep sweeps expired mirrors every interval until ctx ends.
func (s *Service) RunSweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("redundancy: sweep expired mirrors", "err", err)
		} else if n > 0 {
			s.log().Info("redundancy: expired mirrors forgotten", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
