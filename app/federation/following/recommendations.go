package following

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// Reading the recommendations of remote channels known here: Cabane's
// Group links them as "recommendations", an OrderedCollection of Video
// and Group references with notes (vocab.RecommendationCollection). They
// are read when a follow of the channel is accepted (Backfill) and when
// the channel sends an Update of itself (GroupUpdated, a job), and kept
// as the remote channel's list (store.Recommendations.Replace).

// ListsJobKind is the reading of a remote channel's recommendations.
const ListsJobKind = "federation-recommendations"

// MaxRemoteRecommendations bounds what is kept of a remote list.
const MaxRemoteRecommendations = 100

// Lists keeps remote channels' lists (store.Recommendations).
type Lists interface {
	Replace(ctx context.Context, channelID int64, rs []model.Recommendation, localBase string) error
	Append(ctx context.Context, channelID int64, r model.Recommendation, localBase string, max int) (bool, error)
	RemoveIRI(ctx context.Context, channelID int64, iri string) error
}

type listsJob struct {
	Actor string `json:"actor"`
}

// GroupUpdated queues the reading of a remote channel's list
// (inbox.GroupWatcher).
func (s *Service) GroupUpdated(ctx context.Context, iri string) {
	if s.Jobs == nil || s.Lists == nil {
		return
	}
	if _, err := s.Jobs.Enqueue(context.WithoutCancel(ctx), ListsJobKind, listsJob{Actor: iri}); err != nil {
		s.log().Warn("queue reading of recommendations", "actor", iri, "err", err)
	}
}

// HandleLists runs a ListsJobKind job.
func (s *Service) HandleLists(ctx context.Context, j *jobs.Job) error {
	var p listsJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	_, err := s.ReadRecommendations(ctx, p.Actor)
	return err
}

// ReadRecommendations fetches the Group iri names and its recommendations
// collection, and keeps the list as the stored channel's; a channel not
// stored here, or one without a list, is left alone. It returns how many
// were kept.
func (s *Service) ReadRecommendations(ctx context.Context, iri string) (int, error) {
	if s.Lists == nil {
		return 0, nil
	}
	var ch model.Channel
	err := s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		var err error
		ch, err = tx.ChannelOfActor(ctx, iri)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	body, err := s.Fetch.Object(ctx, iri)
	if err != nil {
		return 0, fmt.Errorf("group %s: %w", iri, err)
	}
	var g struct {
		ID              string `json:"id"`
		Recommendations string `json:"recommendations"`
	}
	if err := json.Unmarshal(body, &g); err != nil || g.ID != iri {
		return 0, fmt.Errorf("group %s: not the document asked for", iri)
	}
	if g.Recommendations == "" || !sameHost(g.Recommendations, iri) {
		return 0, nil
	}
	if body, err = s.Fetch.Object(ctx, g.Recommendations); err != nil {
		return 0, fmt.Errorf("recommendations of %s: %w", iri, err)
	}
	rs, err := ReadRecommendationCollection(body, iri)
	if err != nil {
		return 0, err
	}
	if err := s.Lists.Replace(ctx, ch.ID, rs, s.Identity.URIs().Base()); err != nil {
		return 0, err
	}
	return len(rs), nil
}

// ReadRecommendationCollection reads a Group's recommendations collection
// (attributed to group), leaving out items that are not a Video or Group
// with an http(s) id; names and notes are bounded.
func ReadRecommendationCollection(body []byte, group string) ([]model.Recommendation, error) {
	var c struct {
		Type         string `json:"type"`
		AttributedTo string `json:"attributedTo"`
		OrderedItems []struct {
			Type    string `json:"type"`
			ID      string `json:"id"`
			Name    string `json:"name"`
			URL     string `json:"url"`
			Summary string `json:"summary"`
		} `json:"orderedItems"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("recommendations of %s: %w", group, err)
	}
	if c.Type != "OrderedCollection" || c.AttributedTo != group {
		return nil, fmt.Errorf("recommendations of %s: not its OrderedCollection", group)
	}
	var out []model.Recommendation
	for _, it := range c.OrderedItems {
		kind := ""
		switch it.Type {
		case "Video":
			kind = model.RecommendVideo
		case "Group":
			kind = model.RecommendChannel
		}
		if kind == "" || !webURL(it.ID) {
			continue
		}
		u := it.URL
		if !webURL(u) {
			u = it.ID
		}
		out = append(out, model.Recommendation{Kind: kind, IRI: it.ID, URL: u, Name: clip(it.Name, 120),
			Note: clip(it.Summary, model.MaxRecommendationNote)})
		if len(out) == MaxRemoteRecommendations {
			break
		}
	}
	return out, nil
}

func webURL(s string) bool {
	if s == "" || len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// clip keeps the first n characters of s.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// A followed remote channel that announces another channel's video
// recommends it (Cabane's channels announce what they recommend, #11):
// the video joins that channel's list here at once, without waiting for
// the next reading of its collection, and its Undo takes it off.

// followedChannel is the stored remote channel iri names, if anyone here
// follows it; ok is false otherwise.
func (s *Service) followedChannel(ctx context.Context, iri string) (model.Channel, bool, error) {
	fs, err := s.Store.FollowingOfActor(ctx, iri)
	if err != nil || len(fs) == 0 {
		return model.Channel{}, false, err
	}
	var ch model.Channel
	err = s.Store.Write(ctx, func(tx *store.FollowsTx) error {
		var err error
		ch, err = tx.ChannelOfActor(ctx, iri)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return ch, false, nil
	}
	return ch, err == nil, err
}

// Announced adds video (read from its origin) to the list of the followed
// remote channel channelIRI, unless listed already or the list is full;
// ok is false when nobody here follows that channel.
func (s *Service) Announced(ctx context.Context, channelIRI string, video model.Video, rv model.RemoteVideo) (bool, error) {
	if s.Lists == nil {
		return false, nil
	}
	ch, ok, err := s.followedChannel(ctx, channelIRI)
	if err != nil || !ok {
		return false, err
	}
	u := rv.WatchURL
	if !webURL(u) {
		u = rv.IRI
	}
	if _, err = s.Lists.Append(ctx, ch.ID, model.Recommendation{Kind: model.RecommendVideo, IRI: rv.IRI, URL: u,
		Name: clip(video.Name, 120)}, s.Identity.URIs().Base(), MaxRemoteRecommendations); err != nil {
		return false, err
	}
	return true, nil // already listed (its collection was read first) is kept too
}

// Unannounced takes videoIRI off the followed remote channel's list (the
// Undo of its Announce); ok is false when it was not there.
func (s *Service) Unannounced(ctx context.Context, channelIRI, videoIRI string) (bool, error) {
	if s.Lists == nil {
		return false, nil
	}
	ch, ok, err := s.followedChannel(ctx, channelIRI)
	if err != nil || !ok {
		return false, err
	}
	err = s.Lists.RemoveIRI(ctx, ch.ID, videoIRI)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
