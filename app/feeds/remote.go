package feeds

import (
	"context"
	"fmt"
	"slices"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// RemoteVideos finds what is known of followed channels' videos on their
// origin (following.Service.RemoteVideos).
type RemoteVideos interface {
	RemoteVideos(ctx context.Context, vs []model.Video) (map[int64]model.RemoteVideo, error)
}

// remoteOf looks up the remote videos among vs, if any.
func (s *Service) remoteOf(ctx context.Context, vs []model.Video) (map[int64]model.RemoteVideo, error) {
	if s.Remote == nil {
		return nil, nil
	}
	var remote []model.Video
	for _, v := range vs {
		if v.Channel.Remote() {
			remote = append(remote, v)
		}
	}
	if len(remote) == 0 {
		return nil, nil
	}
	m, err := s.Remote.RemoteVideos(ctx, remote)
	if err != nil {
		return nil, fmt.Errorf("feed remote videos: %w", err)
	}
	return m, nil
}

// remoteItem is a followed channel's video: read on this box's watch page
// (which plays it from its origin, as PeerTube's feeds link their own),
// its files, playlist and thumbnail where the origin serves them.
func remoteItem(u uris.Builder, v model.Video, rv model.RemoteVideo, order fileOrder) Item {
	watch := u.Abs(uris.Watch(v.UUID))
	it := Item{ID: watch, Title: v.Name, Link: watch, Summary: summary(v.Description), ContentHTML: descriptionHTML(v.Description),
		Published: published(v), Author: Person{Name: v.Channel.DisplayName, URL: u.Abs(uris.ChannelPage(v.Channel.Name))},
		HLS: rv.HLSURL, EmbedURL: u.Abs(uris.Embed(v.UUID)), Views: v.Views, Duration: v.Duration}
	it.Updated = it.Published
	if v.UpdatedAt.After(it.Updated) {
		it.Updated = v.UpdatedAt
	}
	if rv.ThumbnailURL != "" {
		it.Thumbnails = []Image{{URL: rv.ThumbnailURL, Width: ThumbnailWidth, Height: ThumbnailHeight}}
	}
	for _, r := range rv.Renditions {
		if r.Height == 0 || r.Href == "" {
			continue // the audio alone, or nothing to fetch
		}
		it.Files = append(it.Files, File{URL: r.Href, Type: MP4Type, Length: r.Size, Height: r.Height, FPS: float64(r.FPS),
			Label: fmt.Sprintf("%dp", r.Height), Duration: v.Duration})
	}
	// Best first, as local renditions come.
	slices.SortStableFunc(it.Files, func(a, b File) int { return b.Height - a.Height })
	if len(it.Files) > 0 {
		e := it.Files[0]
		if order == smallestFirst {
			e = it.Files[len(it.Files)-1]
		}
		it.Enclosure = &e
	}
	return it
}
