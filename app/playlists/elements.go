package playlists

import (
	"context"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// Element is a playlist element as one viewer sees it: Kind says whether
// its video shows (visibility.ElementRegular) or why not; Video is zero
// unless it shows.
type Element struct {
	model.PlaylistElement
	Kind visibility.ElementKind
}

// seen hides from viewer what they may not see of each element's video.
func seen(viewer visibility.Viewer, es []model.PlaylistElement) []Element {
	out := make([]Element, 0, len(es))
	for _, e := range es {
		k := visibility.ElementVideo(viewer, e.Video, e.VideoID == 0)
		if k != visibility.ElementRegular {
			e.Video = model.Video{}
		}
		out = append(out, Element{PlaylistElement: e, Kind: k})
	}
	return out
}

// Elements is a page of the playlist's elements, in order, as viewer sees
// them, and how many there are.
func (s *Service) Elements(ctx context.Context, viewer visibility.Viewer, ref string, start, count int) (model.Playlist, []Element, int, error) {
	p, err := s.Get(ctx, viewer, ref)
	if err != nil {
		return p, nil, 0, err
	}
	es, total, err := s.Store.Elements(ctx, p.ID, max(0, start), count)
	if err != nil {
		return p, nil, 0, fmt.Errorf("elements of playlist %d: %w", p.ID, err)
	}
	return p, seen(viewer, es), total, nil
}

// Times are an element's start and stop, in seconds; nil is unset.
type Times struct{ Start, Stop *int }

func (t Times) check() error {
	if t.Start != nil && *t.Start < 0 {
		return fieldErr("startTimestamp", "Should have a valid start timestamp")
	}
	if t.Stop != nil && *t.Stop < 0 {
		return fieldErr("stopTimestamp", "Should have a valid stop timestamp")
	}
	return nil
}

// AddVideo appends the video videoRef names (one viewer may see) to the
// playlist ref names.
func (s *Service) AddVideo(ctx context.Context, viewer visibility.Viewer, ref, videoRef string, t Times) (model.Playlist, Element, error) {
	if err := t.check(); err != nil {
		return model.Playlist{}, Element{}, err
	}
	p, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return p, Element{}, err
	}
	return s.add(ctx, viewer, p, videoRef, t)
}

func (s *Service) add(ctx context.Context, viewer visibility.Viewer, p model.Playlist, videoRef string, t Times) (model.Playlist, Element, error) {
	v, err := s.Videos.Get(ctx, viewer, videoRef)
	if errors.Is(err, model.ErrNotFound) {
		return p, Element{}, fieldErr("videoId", "Video not found")
	} else if err != nil {
		return p, Element{}, err
	}
	e := model.PlaylistElement{PlaylistID: p.ID, VideoID: v.ID, Start: t.Start, Stop: t.Stop, Video: v}
	if err := s.Store.AddElement(ctx, &e); err != nil {
		return p, Element{}, fmt.Errorf("add video %d to playlist %d: %w", v.ID, p.ID, err)
	}
	return p, seen(viewer, []model.PlaylistElement{e})[0], nil
}

// AddToWatchLater appends a video to the viewer's "watch later".
func (s *Service) AddToWatchLater(ctx context.Context, viewer visibility.Viewer, videoRef string) (model.Playlist, Element, error) {
	p, err := s.WatchLater(ctx, viewer)
	if err != nil {
		return p, Element{}, err
	}
	return s.add(ctx, viewer, p, videoRef, Times{})
}

// SetTimes changes where an element starts and stops.
func (s *Service) SetTimes(ctx context.Context, viewer visibility.Viewer, ref string, elementID int64, t Times) error {
	if err := t.check(); err != nil {
		return err
	}
	p, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if err := s.Store.SetTimestamps(ctx, p.ID, elementID, t.Start, t.Stop); err != nil {
		return fmt.Errorf("element %d of playlist %d: %w", elementID, p.ID, err)
	}
	return nil
}

// Remove takes an element out of a playlist.
func (s *Service) Remove(ctx context.Context, viewer visibility.Viewer, ref string, elementID int64) error {
	p, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if err := s.Store.RemoveElement(ctx, p.ID, elementID); err != nil {
		return fmt.Errorf("remove element %d of playlist %d: %w", elementID, p.ID, err)
	}
	return nil
}

// Move is PeerTube's reorder: the Length elements from position Start go
// just after the element at position After (0: to the top).
type Move struct{ Start, After, Length int }

// Reorder moves elements of a playlist.
func (s *Service) Reorder(ctx context.Context, viewer visibility.Viewer, ref string, m Move) error {
	switch {
	case m.Start < 1:
		return fieldErr("startPosition", "Should have a valid start position")
	case m.After < 0:
		return fieldErr("insertAfterPosition", "Should have a valid insert after position")
	case m.Length < 1:
		return fieldErr("reorderLength", "Should have a valid reorder length")
	}
	p, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if m.Start > p.Length || m.After > p.Length {
		return fieldErr("startPosition", "Start position or insert after position exceed the playlist limits (max: %d)", p.Length)
	}
	err = s.Store.Reorder(ctx, p.ID, m.Start, m.After, m.Length)
	if errors.Is(err, model.ErrConflict) {
		// Elements were removed meanwhile.
		return fieldErr("startPosition", "Start position or insert after position exceed the playlist limits")
	} else if err != nil {
		return fmt.Errorf("reorder playlist %d: %w", p.ID, err)
	}
	return nil
}

// VideosExist says, for each video id, which of the viewer's playlists hold
// it (PeerTube's users/me/video-playlists/videos-exist); every asked id has
// an entry, empty when in none.
func (s *Service) VideosExist(ctx context.Context, viewer visibility.Viewer, videoIDs []int64) (map[int64][]model.PlaylistElement, error) {
	if !viewer.LoggedIn() {
		return nil, ErrLoginRequired
	}
	es, err := s.Store.Containing(ctx, viewer.AccountID, videoIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]model.PlaylistElement, len(videoIDs))
	for _, id := range videoIDs {
		out[id] = []model.PlaylistElement{}
	}
	for _, e := range es {
		out[e.VideoID] = append(out[e.VideoID], e)
	}
	return out, nil
}
