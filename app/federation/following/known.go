package following

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"cabane.dev/cabane/app/federation/remotevideo"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// Known is a remote video or channel stored here without anyone following
// it (a creator's recommendation): its row, which plays or lists from its
// origin.
type Known struct {
	Kind    string // model.RecommendVideo or model.RecommendChannel
	IRI     string
	URL     string // its page on its origin
	Name    string
	VideoID int64         // a video's row
	Channel model.Channel // a channel's row, or the video's channel
}

// ErrNotRecommendable: the URL names neither a Video nor a Group, or a
// video that is not public.
var ErrNotRecommendable = fmt.Errorf("%w: neither a public video nor a channel", ErrBadURI)

// Know fetches what uri (a handle, or the URL of a remote video or
// channel) names, signed as the server actor, and stores it as a remote
// video (with its channel) or a remote channel (with its owner), without
// following it: the server-follow path's storing, minus the follow.
func (s *Service) Know(ctx context.Context, uri string) (Known, error) {
	if !s.Identity.On() {
		return Known{}, ErrOff
	}
	iri, err := s.ResolveActor(ctx, uri)
	if err != nil {
		return Known{}, err
	}
	if hostOf(iri) == strings.ToLower(s.Identity.URIs().Host()) {
		return Known{}, fmt.Errorf("%w: %s is on this server", ErrBadURI, iri)
	}
	iri = activityPubURL(iri)
	body, err := s.Fetch.Object(ctx, iri)
	if err != nil {
		return Known{}, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var head struct{ ID, Type string }
	if err := json.Unmarshal(body, &head); err != nil {
		return Known{}, fmt.Errorf("%w: %w", ErrNotRecommendable, err)
	}
	switch head.Type {
	case "Group":
		ch, err := s.knowChannel(ctx, head.ID)
		if err != nil {
			return Known{}, err
		}
		a, _ := s.Store.RemoteActor(ctx, head.ID)
		k := Known{Kind: model.RecommendChannel, IRI: head.ID, URL: a.URL, Name: ch.DisplayName, Channel: ch}
		if k.URL == "" {
			k.URL = head.ID
		}
		return k, nil
	case "Video":
		return s.knowVideo(ctx, iri, body)
	}
	return Known{}, ErrNotRecommendable
}

// knowChannel fetches and stores a channel and its owner (again is a
// refresh).
func (s *Service) knowChannel(ctx context.Context, iri string) (model.Channel, error) {
	g, o, err := s.fetchChannel(ctx, iri)
	if err != nil {
		return model.Channel{}, fmt.Errorf("channel %s: %w", iri, err)
	}
	var ch model.Channel
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		if _, err := s.putActor(ctx, tx, g, o); err != nil {
			return err
		}
		ch, err = tx.ChannelOfActor(ctx, g.IRI)
		return err
	})
	return ch, err
}

func (s *Service) knowVideo(ctx context.Context, fetched string, body []byte) (Known, error) {
	d, err := remotevideo.Read(body)
	if err != nil {
		return Known{}, err
	}
	if !sameHost(d.IRI, fetched) {
		return Known{}, fmt.Errorf("%w: fetched %s, got %s", remotevideo.ErrInvalid, fetched, d.IRI)
	}
	if !d.Public {
		return Known{}, ErrNotRecommendable
	}
	ch, err := s.knowChannel(ctx, d.Channel)
	if err != nil {
		return Known{}, err
	}
	var id int64
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		d.Video.ChannelID = ch.ID
		id, err = tx.PutRemoteVideo(ctx, d.Video, d.Remote)
		return err
	})
	if err != nil {
		return Known{}, fmt.Errorf("store video %s: %w", d.IRI, err)
	}
	u := d.Remote.WatchURL
	if u == "" {
		u = d.IRI
	}
	return Known{Kind: model.RecommendVideo, IRI: d.IRI, URL: u, Name: d.Video.Name, VideoID: id, Channel: ch}, nil
}

// KnownErr says whether err is one of Know's refusals of the input (400)
// rather than a failure.
func KnownErr(err error) bool {
	return errors.Is(err, ErrBadURI) || errors.Is(err, remotevideo.ErrInvalid) || errors.Is(err, ErrNotChannel)
}

// activityPubURL is where a page people share serves ActivityPub: a
// PeerTube (or Cabane) short watch link /w/<id> is /videos/watch/<id>,
// and a channel page /c/<name> is /video-channels/<name>.
func activityPubURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	for from, to := range map[string]string{"/w/": "/videos/watch/", "/c/": "/video-channels/"} {
		if rest, ok := strings.CutPrefix(pu.Path, from); ok && rest != "" && !strings.HasPrefix(rest, "p/") {
			rest, _, _ = strings.Cut(rest, "/")
			pu.Path, pu.RawPath, pu.RawQuery, pu.Fragment = to+rest, "", "", ""
			return pu.String()
		}
	}
	return u
}
