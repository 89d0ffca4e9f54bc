package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// ErrNotAllowedMirror: a CacheFile from an instance the admin does not let
// mirror this box's videos (403).
var ErrNotAllowedMirror = errors.New("inbox: this instance may not mirror videos here")

// Mirrors records the mirrors other servers announce of local videos and
// of the remote videos this box knows (redundancy.Service).
type Mirrors interface {
	Record(ctx context.Context, m model.Mirror) (created bool, err error)
	Remove(ctx context.Context, iri, actorIRI string) (removed bool, err error)
}

// cacheFile is PeerTube's CacheFile object: a server's copy of a video's
// files. Only HLS copies (url a Link of application/x-mpegURL whose href
// is the folder of the copy) are kept; PeerTube stopped mirroring web
// videos.
type cacheFile struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Object  json.RawMessage `json:"object"`
	Expires *string         `json:"expires"`
	URL     json.RawMessage `json:"url"`
}

type cacheLink struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType"`
	Href      string `json:"href"`
}

// readCacheFile checks a CacheFile as PeerTube's isCacheFileObjectValid
// does, and that its id is on the actor's server; it returns the video's
// IRI and the mirror (base URL, expiry).
func readCacheFile(raw json.RawMessage, actor string) (videoIRI string, m model.Mirror, err error) {
	var cf cacheFile
	if err := json.Unmarshal(raw, &cf); err != nil {
		return "", m, fmt.Errorf("%w: CacheFile: %w", ErrMalformed, err)
	}
	if cf.Type != "CacheFile" {
		return "", m, fmt.Errorf("%w: %q is not a CacheFile", ErrMalformed, cf.Type)
	}
	if !httpURL(cf.ID) || !strings.EqualFold(hostOf(cf.ID), hostOf(actor)) {
		return "", m, fmt.Errorf("%w: CacheFile id %q not on the actor's server", ErrMalformed, cf.ID)
	}
	videoIRI = idOf(cf.Object)
	if !httpURL(videoIRI) {
		return "", m, fmt.Errorf("%w: CacheFile object %q", ErrMalformed, videoIRI)
	}
	m = model.Mirror{IRI: cf.ID, ActorIRI: actor}
	if cf.Expires != nil && *cf.Expires != "" {
		t, err := time.Parse(time.RFC3339, *cf.Expires)
		if err != nil {
			return "", m, fmt.Errorf("%w: CacheFile expires %q", ErrMalformed, *cf.Expires)
		}
		m.ExpiresAt = t
	}
	var links []cacheLink
	if len(cf.URL) > 0 && cf.URL[0] == '[' {
		if err := json.Unmarshal(cf.URL, &links); err != nil {
			return "", m, fmt.Errorf("%w: CacheFile url: %w", ErrMalformed, err)
		}
	} else {
		var l cacheLink
		if err := json.Unmarshal(cf.URL, &l); err != nil {
			return "", m, fmt.Errorf("%w: CacheFile url: %w", ErrMalformed, err)
		}
		links = []cacheLink{l}
	}
	for _, l := range links {
		if l.Type == "Link" && l.MediaType == "application/x-mpegURL" && httpURL(l.Href) {
			m.BaseURL = l.Href
			return videoIRI, m, nil
		}
	}
	return "", m, fmt.Errorf("%w: CacheFile of no HLS playlist", errUnsupported)
}

// createCacheFile handles Create and Update of a CacheFile: another
// server mirrors a public video, a local one or a remote one this box
// knows (a third server's copy of a followed channel's video, which its
// origin forwards: PeerTube records those too, so that its players use
// them). The actor's server must be one the admin lets mirror
// (redundancy.ErrNotAllowed, 403), the copy's URL https on that server;
// an Update changes the URL and expiry of the actor's own CacheFile, and
// creates it when it is not known (PeerTube). A CacheFile of any other
// video is dropped. One of a local video is forwarded to the video's
// followers, as PeerTube does, so that the servers that follow this one
// learn of the mirror.
func (s *Service) createCacheFile(ctx context.Context, a *activity) (Outcome, error) {
	if s.Mirrors == nil {
		return Dropped, fmt.Errorf("%w: CacheFile without mirrors", errUnsupported)
	}
	videoIRI, m, err := readCacheFile(a.Object, a.actor)
	if err != nil {
		return 0, err
	}
	v, local, err := s.mirrorable(ctx, videoIRI)
	if err != nil {
		return 0, err
	}
	m.VideoID, m.VideoUUID = v.ID, v.UUID
	dup, err := s.apply(ctx, a, func(*store.FollowsTx) error { return nil })
	if err != nil || dup {
		return Processed, err
	}
	if _, err := s.Mirrors.Record(ctx, m); err != nil {
		// Not seen after all: the same activity, sent again once the
		// admin allows the host, must be taken.
		if uerr := s.Store.Unsee(ctx, a.ID); uerr != nil {
			s.log().Warn("inbox: forget a refused CacheFile", "id", a.ID, "err", uerr)
		}
		return 0, cacheFileError(err)
	}
	if local {
		s.relay(ctx, a, v)
	}
	return Processed, nil
}

// undoCacheFile handles Undo of a Create CacheFile (PeerTube embeds the
// Create) or of the CacheFile itself: the actor's mirror goes; undoing
// what is not there, or another actor's, changes nothing.
func (s *Service) undoCacheFile(ctx context.Context, a *activity, inner undone) (Outcome, error) {
	if s.Mirrors == nil {
		return Dropped, fmt.Errorf("%w: CacheFile without mirrors", errUnsupported)
	}
	raw := inner.Object
	if inner.Type == "CacheFile" {
		raw = a.Object
	}
	if typeOf(raw) != "CacheFile" {
		return Dropped, fmt.Errorf("%w: Undo of a Create of %q", errUnsupported, typeOf(raw))
	}
	var cf cacheFile
	if err := json.Unmarshal(raw, &cf); err != nil || !httpURL(cf.ID) {
		return 0, fmt.Errorf("%w: CacheFile id", ErrMalformed)
	}
	removed, err := s.Mirrors.Remove(ctx, cf.ID, a.actor)
	if err != nil {
		return 0, fmt.Errorf("undo CacheFile %s: %w", cf.ID, err)
	}
	// PeerTube forwards the Undo of a mirror of its own video that it had.
	if removed && s.localPath(idOf(cf.Object)) != "" {
		if v, err := s.localVideo(ctx, idOf(cf.Object)); err == nil {
			s.relay(ctx, a, v)
		}
	}
	return Processed, nil
}

// mirrorable is the video a CacheFile names, if it may be mirrored: a
// local one (local true), or a remote one stored here; errNotHere for
// any other.
func (s *Service) mirrorable(ctx context.Context, iri string) (v model.Video, local bool, err error) {
	if s.localPath(iri) != "" {
		v, err = s.localVideo(ctx, iri)
		local = true
	} else {
		uuid, lerr := s.Store.RemoteVideoUUID(ctx, iri)
		if errors.Is(lerr, store.ErrNotFound) {
			return v, false, fmt.Errorf("%w: %q is no video known here", errNotHere, iri)
		}
		if lerr != nil {
			return v, false, lerr
		}
		v, err = s.federatedVideo(ctx, uuid)
	}
	if err != nil {
		return v, local, err
	}
	if !visibility.Mirrorable(v) {
		return v, local, fmt.Errorf("%w: video %s may not be mirrored", errNotHere, v.UUID)
	}
	return v, local, nil
}

// cacheFileOf is the CacheFile a Create, Update or Undo (of the Create,
// or of the CacheFile itself) carries; ok false for any other activity.
func cacheFileOf(a *activity) (json.RawMessage, bool) {
	switch a.Type {
	case "Create", "Update":
		return a.Object, typeOf(a.Object) == "CacheFile"
	case "Undo":
		switch typeOf(a.Object) {
		case "CacheFile":
			return a.Object, true
		case "Create":
			var inner undone
			if json.Unmarshal(a.Object, &inner) == nil && typeOf(inner.Object) == "CacheFile" {
				return inner.Object, true
			}
		}
	}
	return nil, false
}

func cacheFileError(err error) error {
	switch {
	case errors.Is(err, redundancy.ErrNotAllowed):
		return fmt.Errorf("%w: %w", ErrNotAllowedMirror, err)
	case errors.Is(err, redundancy.ErrBadURL):
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	case errors.Is(err, model.ErrConflict):
		return fmt.Errorf("%w: %w", ErrNotAuthor, err)
	}
	return err
}
