// Package recommendations is creators recommending other creators: a
// channel's list of videos and channels from anywhere (this server,
// another Cabane, any PeerTube), each with a short note. A target is
// named by URL or handle; a remote one is fetched and stored as a remote
// video or channel without following it (following.Service.Know), so it
// plays from its origin. Recommending a video announces it from the
// channel actor to the channel's followers (a boost), and removing it
// undoes the Announce; the list itself is published as an ActivityPub
// collection linked from the channel's Group (app/federation), which
// other Cabanes read into the remote channel's list here (Sync).
package recommendations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// Max is how many recommendations a channel keeps (and how many of a
// remote list are read).
const Max = 100

var (
	// ErrForbidden: only the channel's owner or an admin (403).
	ErrForbidden = errors.New("only the channel's owner may manage its recommendations")
	// ErrInvalid: an empty or unknown target, a note too long, a full list,
	// or the channel itself (400).
	ErrInvalid = errors.New("invalid recommendation")
	// ErrNotFound: no such recommendation or channel (404).
	ErrNotFound = model.ErrNotFound
)

// Store keeps the lists (store.Recommendations).
type Store interface {
	List(ctx context.Context, channelID int64, limit int) ([]model.Recommendation, error)
	Add(ctx context.Context, r model.Recommendation, max int) (model.Recommendation, bool, error)
	Remove(ctx context.Context, channelID, id int64) (model.Recommendation, error)
	Recent(ctx context.Context, limit int) ([]model.Recommendation, []model.Channel, error)
}

// Channels finds channels (accounts.Service).
type Channels interface {
	Channel(ctx context.Context, viewer visibility.Viewer, name string) (model.Channel, error)
	ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error)
	// Origin is where a remote channel lives (kind "channel").
	Origin(ctx context.Context, kind string, id int64) (model.RemoteActor, bool, error)
}

// Videos finds local videos (videos.Service).
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// Remote stores remote videos and channels without following them, and
// says where stored remote videos live (following.Service).
type Remote interface {
	Know(ctx context.Context, uri string) (following.Known, error)
	RemoteVideos(ctx context.Context, vs []model.Video) (map[int64]model.RemoteVideo, error)
}

// Announcer tells the channel's followers of a recommended video (an
// Announce, or its Undo), and of a changed list (an Update of the Group,
// after which other Cabanes read its collection again) (outbox.Service).
type Announcer interface {
	Recommended(ctx context.Context, ch model.Channel, r model.Recommendation, undo bool) error
	ChannelChanged(ctx context.Context, channelID int64)
}

// Service manages recommendations.
type Service struct {
	Identity federation.Identity
	Store    Store
	Channels Channels
	Videos   Videos
	Remote   Remote    // nil while federation is off: local targets only
	Announce Announcer // nil: nothing federates
	Nearby   *Nearby   // nil: nearby boxes' recommendations are not read
	Log      *slog.Logger
}

// List is a channel's recommendations as anyone may read them (its
// collection): a video of this server that is no longer public is left
// out.
func (s *Service) List(ctx context.Context, channelID int64) ([]model.Recommendation, error) {
	shown, err := s.Show(ctx, visibility.Remote(), channelID)
	if err != nil {
		return nil, err
	}
	out := make([]model.Recommendation, len(shown))
	for i, sh := range shown {
		out[i] = sh.Recommendation
	}
	return out, nil
}

// Add makes channel ch recommend what target (a URL or a handle) names,
// with a note, for viewer (its owner or an admin).
func (s *Service) Add(ctx context.Context, viewer visibility.Viewer, ch model.Channel, target, note string) (model.Recommendation, error) {
	if !visibility.ManageRecommendations(viewer, ch) {
		return model.Recommendation{}, ErrForbidden
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > model.MaxRecommendationNote {
		return model.Recommendation{}, fmt.Errorf("%w: a note has at most %d characters", ErrInvalid, model.MaxRecommendationNote)
	}
	target = strings.TrimSpace(target)
	if target == "" || len(target) > 2000 {
		return model.Recommendation{}, fmt.Errorf("%w: give a URL or a handle", ErrInvalid)
	}
	r, err := s.resolve(ctx, target)
	if err != nil {
		return r, err
	}
	if r.Kind == model.RecommendChannel && r.TargetChannelID == ch.ID {
		return r, fmt.Errorf("%w: a channel does not recommend itself", ErrInvalid)
	}
	r.ChannelID, r.Note = ch.ID, note
	out, ok, err := s.Store.Add(ctx, r, Max)
	if err != nil {
		return out, err
	}
	if !ok {
		return out, fmt.Errorf("%w: at most %d recommendations", ErrInvalid, Max)
	}
	s.federate(ctx, ch, out, false)
	return out, nil
}

// federate boosts a recommended video (or undoes it) and tells the
// channel's followers that its list changed.
func (s *Service) federate(ctx context.Context, ch model.Channel, r model.Recommendation, undo bool) {
	if s.Announce == nil {
		return
	}
	s.Announce.ChannelChanged(ctx, ch.ID)
	if r.Kind == model.RecommendVideo {
		if err := s.Announce.Recommended(ctx, ch, r, undo); err != nil {
			// Stored: the list shows it, and the collection carries it; only
			// the boost (or its undoing) is lost.
			s.log().Warn("announce recommended video", "channel", ch.ID, "iri", r.IRI, "undo", undo, "err", err)
		}
	}
}

// Remove takes a recommendation off channel ch's list, for viewer; a
// video's Announce is undone.
func (s *Service) Remove(ctx context.Context, viewer visibility.Viewer, ch model.Channel, id int64) error {
	if !visibility.ManageRecommendations(viewer, ch) {
		return ErrForbidden
	}
	r, err := s.Store.Remove(ctx, ch.ID, id)
	if err != nil {
		return err
	}
	s.federate(ctx, ch, r, true)
	return nil
}

// resolve turns a URL or handle into the target it names: a local video
// or channel by this server's URLs (or a bare channel name), else a remote
// one, fetched and stored.
func (s *Service) resolve(ctx context.Context, target string) (model.Recommendation, error) {
	r, origin, ok, err := s.resolveLocal(ctx, target)
	if ok || err != nil {
		return r, err
	}
	if origin != "" {
		target = origin // a remote channel's page here: its own IRI
	}
	if s.Remote == nil {
		return model.Recommendation{}, fmt.Errorf("%w: federation is off; only this server's videos and channels", ErrInvalid)
	}
	k, err := s.Remote.Know(ctx, target)
	if err != nil {
		if following.KnownErr(err) {
			return model.Recommendation{}, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if errors.Is(err, model.ErrNotFound) {
			return model.Recommendation{}, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		return model.Recommendation{}, err
	}
	r = model.Recommendation{Kind: k.Kind, IRI: k.IRI, URL: k.URL, Name: k.Name, VideoID: k.VideoID}
	if k.Kind == model.RecommendChannel {
		r.TargetChannelID = k.Channel.ID
		if r.Name == "" {
			r.Name = k.Channel.Name
		}
	}
	return r, nil
}

// resolveLocal reads this server's watch and channel URLs, a bare channel
// name and name@thishost; ok is false for anything else, and origin is
// the IRI of a remote channel that this server's URL shows.
func (s *Service) resolveLocal(ctx context.Context, target string) (r model.Recommendation, origin string, ok bool, err error) {
	u := s.Identity.URIs()
	host := strings.ToLower(u.Host())
	var path string
	switch {
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		pu, err := url.Parse(target)
		if err != nil || host == "" || strings.ToLower(pu.Host) != host {
			return model.Recommendation{}, "", false, nil
		}
		path = pu.Path
	case strings.HasPrefix(target, "/"):
		path = target
	default:
		name := strings.TrimPrefix(strings.TrimPrefix(target, "acct:"), "@")
		if n, h, ok := strings.Cut(name, "@"); ok {
			if host == "" || strings.ToLower(h) != host {
				return model.Recommendation{}, "", false, nil
			}
			name = n
		}
		path = uris.Channel(name)
	}
	anyone := visibility.Remote()
	for _, p := range []string{"/videos/watch/", "/w/"} {
		if ref, ok := strings.CutPrefix(path, p); ok && ref != "" && !strings.Contains(ref, "/") {
			v, err := s.Videos.Get(ctx, anyone, ref)
			if errors.Is(err, model.ErrNotFound) || err == nil && !visibility.Recommendation(v) {
				return model.Recommendation{}, "", true, fmt.Errorf("%w: no public video at %s", ErrInvalid, target)
			}
			if err != nil {
				return model.Recommendation{}, "", true, err
			}
			r := model.Recommendation{Kind: model.RecommendVideo, VideoID: v.ID, Name: v.Name,
				IRI: u.Abs(uris.Watch(v.UUID)), URL: u.Abs(uris.ShortWatch(v.ShortUUID))}
			if v.Channel.Remote() && s.Remote != nil {
				// A remote video stored here: it is its origin's IRI that
				// federates.
				rv, err := s.Remote.RemoteVideos(ctx, []model.Video{v})
				if err != nil {
					return r, "", true, err
				}
				r.IRI, r.URL = rv[v.ID].IRI, rv[v.ID].WatchURL
			}
			return r, "", true, nil
		}
	}
	for _, p := range []string{"/video-channels/", "/c/"} {
		if name, ok := strings.CutPrefix(path, p); ok && name != "" {
			name, _, _ = strings.Cut(name, "/")
			if n, err := url.PathUnescape(name); err == nil {
				name = n
			}
			ch, err := s.Channels.Channel(ctx, anyone, name)
			if errors.Is(err, model.ErrNotFound) {
				return model.Recommendation{}, "", true, fmt.Errorf("%w: no channel %s", ErrInvalid, name)
			}
			if err != nil {
				return model.Recommendation{}, "", true, err
			}
			if ch.Remote() {
				// A remote channel known here: resolve it at its origin.
				a, ok, err := s.Channels.Origin(ctx, model.RecommendChannel, ch.ID)
				if err != nil || !ok {
					return model.Recommendation{}, "", true, fmt.Errorf("%w: origin of channel %s: %w", ErrInvalid, ch.Name, err)
				}
				return model.Recommendation{}, a.IRI, false, nil
			}
			return model.Recommendation{Kind: model.RecommendChannel, TargetChannelID: ch.ID, Name: displayName(ch),
				IRI: u.Abs(uris.Channel(ch.Name)), URL: u.Abs(uris.ChannelPage(ch.Name))}, "", true, nil
		}
	}
	return model.Recommendation{}, "", false, nil
}

func displayName(ch model.Channel) string {
	if ch.DisplayName != "" {
		return ch.DisplayName
	}
	return ch.Name
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Shown is a recommendation as pages and the API show it: with its
// video or channel here when there is one (a remote one plays from its
// origin through its row here).
type Shown struct {
	model.Recommendation
	Video   *model.Video   // nil: not here, or not for this viewer
	Channel *model.Channel // nil: not here
}

// Show is a channel's recommendations with their rows here, for viewer;
// a video here that viewer may not see (made private since) is left out.
func (s *Service) Show(ctx context.Context, viewer visibility.Viewer, channelID int64) ([]Shown, error) {
	rs, err := s.Store.List(ctx, channelID, Max)
	if err != nil {
		return nil, err
	}
	out := make([]Shown, 0, len(rs))
	for _, r := range rs {
		sh := Shown{Recommendation: r}
		if r.VideoID != 0 {
			v, err := s.Videos.Get(ctx, viewer, strconv.FormatInt(r.VideoID, 10))
			if errors.Is(err, model.ErrNotFound) || errors.Is(err, videos.ErrPasswordRequired) {
				continue
			}
			if err != nil {
				return nil, err
			}
			sh.Video = &v
		}
		if r.TargetChannelID != 0 {
			ch, err := s.Channels.ChannelByID(ctx, viewer, r.TargetChannelID)
			if err == nil {
				sh.Channel = &ch
			} else if !errors.Is(err, model.ErrNotFound) {
				return nil, err
			}
		}
		out = append(out, sh)
	}
	return out, nil
}
