package search

import (
	"context"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// PeerTube's overview (OVERVIEWS.VIDEOS): samples of the categories,
// channels and tags that at least SampleThreshold videos have; page n
// shows the n-th of each, with its newest videos.
const (
	SampleThreshold = 6
	SamplesCount    = 20
	overviewVideos  = 12
)

// Overview is GET /api/v1/overviews/videos: each section is present only
// when it has videos.
type Overview struct {
	Categories []CategorySection
	Channels   []ChannelSection
	Tags       []TagSection
}

// CategorySection is one category and its newest videos.
type CategorySection struct {
	Category int
	Videos   []model.Video
}

// ChannelSection is one channel and its newest videos.
type ChannelSection struct {
	Channel model.Channel
	Videos  []model.Video
}

// TagSection is one tag and its newest videos.
type TagSection struct {
	Tag    string
	Videos []model.Video
}

// Overview builds page (1-based) of the overview for viewer. PeerTube
// picks its samples at random; Cabane takes the most used first, so a
// family's box shows its main subjects on the first page.
func (s *Service) Overview(ctx context.Context, viewer visibility.Viewer, page int) (Overview, error) {
	var out Overview
	if page < 1 || page > SamplesCount {
		return out, &ErrBadQuery{"page", fmt.Sprintf("page must be an integer from 1 to %d", SamplesCount)}
	}
	privs := visibility.List(viewer, 0).Privacies
	cats, chans, tags, err := s.Store.Samples(ctx, privs, SampleThreshold, SamplesCount)
	if err != nil {
		return out, fmt.Errorf("overview samples: %w", err)
	}
	i := page - 1
	list := func(f repo.VideoFilter) ([]model.Video, error) {
		f.Privacies, f.Count, f.Sort, f.SkipCount = privs, overviewVideos, "-createdAt", true
		vs, _, err := s.Store.Videos(ctx, f)
		return vs, err
	}
	if i < len(cats) {
		vs, err := list(repo.VideoFilter{CategoryOneOf: []int{cats[i]}})
		if err != nil {
			return out, err
		}
		if len(vs) > 0 {
			out.Categories = append(out.Categories, CategorySection{Category: cats[i], Videos: vs})
		}
	}
	if i < len(chans) {
		vs, err := list(repo.VideoFilter{ChannelID: chans[i]})
		if err != nil {
			return out, err
		}
		if len(vs) > 0 {
			out.Channels = append(out.Channels, ChannelSection{Channel: vs[0].Channel, Videos: vs})
		}
	}
	if i < len(tags) {
		vs, err := list(repo.VideoFilter{TagsOneOf: []string{tags[i]}})
		if err != nil {
			return out, err
		}
		if len(vs) > 0 {
			out.Tags = append(out.Tags, TagSection{Tag: tags[i], Videos: vs})
		}
	}
	return out, nil
}
