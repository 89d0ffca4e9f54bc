package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cabane.dev/cabane/app/federation/remotevideo"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// Videos of followed channels: Create and Update from the channel or its
// account (the Video embedded, signed by its own server), Announce by the
// channel or by its instance's server actor (the Video fetched from its
// origin unless embedded by its own server), Delete by its owners. Each is
// stored through remotevideo, which keeps only public videos of channels
// followed here.

// createVideo handles Create (and Update) of a Video.
func (s *Service) createVideo(ctx context.Context, a *activity) (Outcome, error) {
	d, err := remotevideo.Read(a.Object)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if !strings.EqualFold(d.Host(), hostOf(a.actor)) {
		return 0, fmt.Errorf("%w: %s sent a Video of %s", ErrNotSigner, a.actor, d.Host())
	}
	if a.actor != d.Channel && a.actor != d.Account {
		return 0, fmt.Errorf("%w: %s is not in the Video's attributedTo", ErrNotSigner, a.actor)
	}
	return s.storeVideo(ctx, a, d)
}

// announce handles Announce of a Video.
func (s *Service) announce(ctx context.Context, a *activity) (Outcome, error) {
	if typ := typeOf(a.Object); typ != "" && typ != "Video" {
		return Dropped, fmt.Errorf("%w: Announce of %s", errUnsupported, typ)
	}
	iri := idOf(a.Object)
	if !httpURL(iri) {
		return 0, fmt.Errorf("%w: Announce of %q", ErrMalformed, iri)
	}
	body := []byte(a.Object)
	if typeOf(a.Object) == "" || !strings.EqualFold(hostOf(iri), hostOf(a.actor)) {
		// Only the Video's own server speaks for it.
		if s.Objects == nil {
			return Dropped, fmt.Errorf("%w: no fetcher for %s", errUnsupported, iri)
		}
		var err error
		if body, err = s.Objects.Object(ctx, iri); err != nil {
			return 0, err
		}
	}
	d, err := remotevideo.Read(body)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if d.IRI != iri {
		return 0, fmt.Errorf("%w: fetched %s, got %s", ErrMalformed, iri, d.IRI)
	}
	// The announcer is the channel itself, or its server (PeerTube's
	// server actor announces to the instances that follow it).
	if a.actor != d.Channel && a.actor != d.Account {
		// Another channel's video: a followed channel recommends it, or
		// the video's own server (PeerTube's server actor) shares it.
		out, err := s.recommended(ctx, a, d)
		if out == Processed || err != nil && !errors.Is(err, errUnsupported) || !strings.EqualFold(hostOf(a.actor), d.Host()) {
			return out, err
		}
	}
	return s.storeVideo(ctx, a, d)
}

// Recommender keeps what followed remote channels recommend: the videos
// of other channels they announce (following.Service).
type Recommender interface {
	Announced(ctx context.Context, channelIRI string, video model.Video, rv model.RemoteVideo) (bool, error)
	Unannounced(ctx context.Context, channelIRI, videoIRI string) (bool, error)
}

// recommended handles a channel's Announce of another channel's video (as
// Cabane's channels announce what they recommend): kept as that channel's
// recommendation when it is followed here, the video itself fetched from
// its origin (never taken from the announcer) and played from there.
func (s *Service) recommended(ctx context.Context, a *activity, d remotevideo.Doc) (Outcome, error) {
	if s.Recommender == nil || !d.Public {
		return Dropped, fmt.Errorf("%w: %s announced %s's video", errUnsupported, a.actor, d.Channel)
	}
	rv := d.Remote
	rv.IRI = d.IRI
	ok, err := s.Recommender.Announced(ctx, a.actor, d.Video, rv)
	if err != nil {
		return 0, err
	}
	if !ok {
		return Dropped, fmt.Errorf("%w: %s, followed by nobody here, announced %s's video", errUnsupported, a.actor, d.Channel)
	}
	if _, err := s.apply(ctx, a, func(*store.FollowsTx) error { return nil }); err != nil {
		return 0, err
	}
	return Processed, nil
}

func (s *Service) storeVideo(ctx context.Context, a *activity, d remotevideo.Doc) (Outcome, error) {
	put := func(tx *store.FollowsTx) error { return remotevideo.Store(ctx, tx, d) }
	_, err := s.apply(ctx, a, put)
	if errors.Is(err, remotevideo.ErrNotFollowed) && s.Channels != nil {
		// Its channel may be unknown here while its instance is followed
		// by the server actor: then the channel is fetched (the refused
		// attempt rolled back with the activity's id) and the video kept.
		if kerr := s.Channels.KnowChannel(ctx, d.Channel); kerr == nil {
			_, err = s.apply(ctx, a, put)
		} else if !errors.Is(kerr, remotevideo.ErrNotFollowed) {
			s.log().Debug("inbox: channel of a followed instance", "channel", d.Channel, "err", kerr)
		}
	}
	if errors.Is(err, remotevideo.ErrNotFollowed) {
		return Dropped, fmt.Errorf("%w: %w", errUnsupported, err)
	}
	if err != nil {
		return 0, err
	}
	return Processed, nil
}

// deleteVideo handles Delete of a stored remote video by its channel or
// the channel's account. Anything else named by a Delete is not here.
func (s *Service) deleteVideo(ctx context.Context, a *activity) (Outcome, error) {
	iri := idOf(a.Object)
	_, err := s.apply(ctx, a, func(tx *store.FollowsTx) error {
		ch, owners, err := tx.RemoteVideoOwners(ctx, iri)
		if errors.Is(err, store.ErrNotFound) {
			// Rolled back, the activity's id with it: the caller tries
			// it as a comment's Delete next.
			return fmt.Errorf("%w: %s", errNotVideo, iri)
		}
		if err != nil {
			return err
		}
		if !slices.Contains(owners, a.actor) {
			return fmt.Errorf("%w: %s may not delete %s", ErrNotSigner, a.actor, iri)
		}
		return tx.DeleteRemoteVideo(ctx, iri, ch)
	})
	if err != nil {
		return 0, err
	}
	return Processed, nil
}

// errNotVideo: a Delete names no stored remote video.
var errNotVideo = errors.New("inbox: no such remote video")
