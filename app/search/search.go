// Package search is the domain service that finds things (#9 point 5):
// videos and channels by full-text search (FTS5: accent- and
// case-insensitive, prefixes as people type), PeerTube's filters, the
// overview page's sections, and URLs or handles of this instance's own
// objects. What a viewer may find is visibility's answer: searches list
// what listings list (never unlisted or private videos of others).
package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// VideoGetter finds one video by id as a viewer may see it (the videos
// service): a URL pasted in the search box resolves through it.
type VideoGetter interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// Service searches.
type Service struct {
	Store  repo.Search
	Lookup VideoGetter
	// TrendingDays is how many days of views "trending" counts.
	TrendingDays int
}

// ErrBadQuery is a query the service refuses (an unknown sort, a bad
// range); the field says which parameter.
type ErrBadQuery struct{ Field, Msg string }

func (e *ErrBadQuery) Error() string { return e.Field + ": " + e.Msg }

// AsBadQuery unwraps an ErrBadQuery.
func AsBadQuery(err error) (*ErrBadQuery, bool) {
	var b *ErrBadQuery
	ok := errors.As(err, &b)
	return b, ok
}

// maxTerms bounds the terms of one search: each is a lookup in the index.
const maxTerms = 12

// MatchExpr turns what a person typed into an FTS5 query: each word (a run
// of letters and digits: punctuation and FTS5's operators are dropped, so
// nothing typed can be a syntax error) must appear, as a word or the start
// of one ("vac" finds "vacances"). Case and accents are the tokenizer's
// (unicode61 remove_diacritics 2). "" when nothing searchable was typed.
func MatchExpr(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) })
	if len(words) > maxTerms {
		words = words[:maxTerms]
	}
	parts := make([]string, 0, len(words))
	for _, w := range words {
		if len(w) > 64 {
			w = w[:64]
		}
		parts = append(parts, `"`+w+`"*`)
	}
	return strings.Join(parts, " ")
}

// VideoQuery is PeerTube's search and listing filters (GET
// /api/v1/search/videos, /api/v1/videos and the account and channel
// listings).
type VideoQuery struct {
	Search string
	// LocalHost is the host this instance answers to: URLs and handles
	// with it are ours (resolved here); other hosts are remote, which
	// Cabane does not fetch yet (no federation).
	LocalHost string
	ChannelID int64
	AccountID int64
	UUIDs     []string

	CategoryOneOf, LicenceOneOf []int
	LanguageOneOf               []string
	TagsOneOf, TagsAllOf        []string
	NSFW                        *bool
	IsLocal                     *bool
	Host                        string
	DurationMin, DurationMax    time.Duration
	StartDate, EndDate          time.Time
	OriginallyPublishedStart    time.Time
	OriginallyPublishedEnd      time.Time

	// Nothing: a filter nothing here can match (isLive=true).
	Nothing bool

	Start, Count int
	Sort         string
	SkipCount    bool
	// Summary: only what a list's JSON shows (repo.VideoQuery.Summary);
	// pages, which may show whole descriptions, leave it false.
	Summary bool
}

// Filtered reports whether q filters more than a plain listing does (so
// a listing must go through the search store).
func (q VideoQuery) Filtered() bool {
	return q.Nothing || q.Search != "" || len(q.UUIDs) > 0 || len(q.CategoryOneOf) > 0 || len(q.LicenceOneOf) > 0 || len(q.LanguageOneOf) > 0 ||
		len(q.TagsOneOf) > 0 || len(q.TagsAllOf) > 0 || q.NSFW != nil || q.IsLocal != nil || q.Host != "" ||
		q.DurationMin > 0 || q.DurationMax > 0 || !q.StartDate.IsZero() || !q.EndDate.IsZero() ||
		!q.OriginallyPublishedStart.IsZero() || !q.OriginallyPublishedEnd.IsZero()
}

// VideoSorts are the sorts a search accepts: every listing sort
// (repo.VideoSorts, which has "match" and "-match").
var VideoSorts = repo.VideoSorts

// Videos returns the page of published videos that q finds and viewer may
// see in a listing, and how many there are.
func (s *Service) Videos(ctx context.Context, viewer visibility.Viewer, q VideoQuery) ([]model.Video, int, error) {
	if q.Sort != "" && !contains(VideoSorts, q.Sort) {
		return nil, 0, &ErrBadQuery{"sort", fmt.Sprintf("unknown sort %q", q.Sort)}
	}
	if q.DurationMin > 0 && q.DurationMax > 0 && q.DurationMin > q.DurationMax {
		return nil, 0, &ErrBadQuery{"durationMax", "durationMax is below durationMin"}
	}
	if q.Nothing {
		return nil, 0, nil
	}
	if v, ok, err := s.videoByURL(ctx, viewer, q); ok {
		if err != nil || !v.Published() {
			return nil, 0, err
		}
		return []model.Video{v}, 1, nil
	}
	listing := visibility.List(viewer, 0)
	f := repo.VideoFilter{
		Privacies: listing.Privacies, HideServerBlocked: listing.HideServerBlocked, MutedByAccountID: listing.MutedBy,
		ChannelID: q.ChannelID, AccountID: q.AccountID, UUIDs: q.UUIDs,
		CategoryOneOf: q.CategoryOneOf, LicenceOneOf: q.LicenceOneOf, LanguageOneOf: q.LanguageOneOf,
		TagsOneOf: q.TagsOneOf, TagsAllOf: q.TagsAllOf, NSFW: q.NSFW,
		DurationMin: q.DurationMin, DurationMax: q.DurationMax,
		PublishedAfter: q.StartDate, PublishedBefore: q.EndDate,
		OriginallyPublishedAfter: q.OriginallyPublishedStart, OriginallyPublishedBefore: q.OriginallyPublishedEnd,
		Start: max(0, q.Start), Count: q.Count, Sort: q.Sort, TrendingDays: s.TrendingDays, SkipCount: q.SkipCount,
		Summary: q.Summary, Local: q.IsLocal,
	}
	// PeerTube's isLocal and host: this server's videos, or those of the
	// remote channels followed here (all of them, or one host's).
	if q.Host != "" {
		if sameHost(q.Host, q.LocalHost) {
			local := true
			if q.IsLocal != nil && !*q.IsLocal {
				return nil, 0, nil
			}
			f.Local = &local
		} else {
			if q.IsLocal != nil && *q.IsLocal {
				return nil, 0, nil
			}
			f.RemoteHost = q.Host
		}
	}
	if strings.TrimSpace(q.Search) != "" {
		f.Match = MatchExpr(q.Search)
		if f.Match == "" {
			return nil, 0, nil // only punctuation: nothing to find
		}
	}
	vs, total, err := s.Store.Videos(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("search videos: %w", err)
	}
	return vs, total, nil
}

// videoByURL resolves a search that is the URL of one of this instance's
// videos (/w/<id>, /videos/watch/<id>, /videos/embed/<id>), as PeerTube
// does: ok is false when the search is no such URL. A remote URL finds
// nothing (ok, no video) until Cabane federates.
func (s *Service) videoByURL(ctx context.Context, viewer visibility.Viewer, q VideoQuery) (model.Video, bool, error) {
	host, path, ok := splitURL(q.Search)
	if !ok {
		return model.Video{}, false, nil
	}
	if !sameHost(host, q.LocalHost) || s.Lookup == nil {
		return model.Video{}, true, nil
	}
	var id string
	for _, prefix := range []string{"/w/", "/videos/watch/", "/videos/embed/"} {
		if rest, found := strings.CutPrefix(path, prefix); found {
			id = strings.Trim(rest, "/")
		}
	}
	if id == "" || strings.Contains(id, "/") {
		return model.Video{}, true, nil
	}
	v, err := s.Lookup.Get(ctx, viewer, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Video{}, true, nil
	}
	return v, true, err
}

// ByURL reports whether a search is a URL, which Videos resolves to the
// one video it names as the viewer may see it (visibility.Video: its
// owner and the moderators see more than others), not a listing.
func ByURL(search string) bool {
	_, _, ok := splitURL(search)
	return ok
}

// splitURL splits an http(s) URL into its host and path.
func splitURL(s string) (host, path string, ok bool) {
	s = strings.TrimSpace(s)
	rest, found := strings.CutPrefix(s, "https://")
	if !found {
		if rest, found = strings.CutPrefix(s, "http://"); !found {
			return "", "", false
		}
	}
	host, path, _ = strings.Cut(rest, "/")
	path, _, _ = strings.Cut("/"+path, "?")
	path, _, _ = strings.Cut(path, "#")
	return host, path, host != ""
}

// sameHost compares hosts without case; an empty local host (unknown)
// matches nothing.
func sameHost(a, b string) bool { return b != "" && strings.EqualFold(a, b) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
