package videos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
)

// An upload that must be encoded is playable while its ladder encodes:
// media.Live lists each rendition's finished segments in EVENT playlists,
// and once every rendition has one, the master playlist names them and the
// video is "growing".
//
// The video's state stays "to transcode" (PeerTube's 2) until the encode
// ends, and growing is told to Cabane's own pages only (watch page, its
// event stream). PeerTube's clients take a published video for a finished
// VOD: yt-dlp and the apps' downloads would fetch a truncated file from
// files[], PeerTube's player checks every range against
// segments-sha256.json (written at the end), and ExoPlayer (NewPipe,
// Thorium) starts an EVENT playlist at its live edge. PeerTube shows them
// such a video as processing; so does Cabane's API.

// growingSet is the videos whose live playlists are in place now.
type growingSet struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (g *growingSet) set(id int64, on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ids == nil {
		g.ids = map[int64]bool{}
	}
	if on {
		g.ids[id] = true
	} else {
		delete(g.ids, id)
	}
}

func (g *growingSet) has(id int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ids[id]
}

// Growing reports whether v, still encoding, can already be played from
// the beginning up to what is encoded (its master playlist lists growing
// EVENT playlists). A published video is not growing.
func (s *Service) Growing(v model.Video) bool {
	return !v.Published() && s.growing.has(v.ID)
}

// Playable reports whether the watch page can play v now.
func (s *Service) Playable(v model.Video) bool {
	return v.Published() || s.Growing(v)
}

// live is how the encode of v publishes while it runs.
func (s *Service) live(v model.Video, hlsDir string, thumbs *thumbnailOnce) *media.Live {
	return &media.Live{
		Log: s.Log,
		Ready: func(ctx context.Context, names []string) error {
			rs, err := s.describeGrowing(ctx, v, hlsDir, names)
			if err != nil {
				return err
			}
			// Made beside the encode's first seconds (process.go), and
			// there before the video plays: the published event names
			// the preview as the player's poster. A failure here is tried
			// again after the encode, where it fails the job.
			if err := thumbs.make(ctx); err != nil {
				s.Log.Warn("thumbnails while encoding", "video", v.UUID, "err", err)
			}
			if err := s.writeMaster(v, rs); err != nil {
				return err
			}
			s.growing.set(v.ID, true)
			s.Log.Info("video playable while it encodes", "video", v.UUID, "renditions", names)
			return nil
		},
		Withdrawn: func() {
			s.growing.set(v.ID, false)
			os.Remove(filepath.Join(hlsDir, MasterName))
		},
	}
}

// describeGrowing describes the first segments of every rendition at once:
// one ffprobe each, run side by side (one after the other they were 0.6 s
// of the wait for a three-rung ladder on 2 cores).
func (s *Service) describeGrowing(ctx context.Context, v model.Video, hlsDir string, names []string) ([]model.Rendition, error) {
	rs := make([]model.Rendition, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			// Bitrates from the first segments only: the master is
			// rewritten from the whole renditions when they are done.
			vr, err := s.Media.Describe(ctx, hlsDir, name)
			if err != nil {
				errs[i] = fmt.Errorf("describe growing rendition %s: %w", name, err)
				return
			}
			rs[i] = model.Rendition{VideoID: v.ID, Name: name, Width: vr.Width, Height: vr.Height, FPS: vr.FrameRate,
				Bandwidth: vr.Bandwidth, AverageBandwidth: vr.AverageBandwidth, Codecs: vr.Codecs}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rs, nil
}

// thumbnailOnce makes a video's thumbnails once, whichever of the encode's
// milestones asks first.
type thumbnailOnce struct {
	mu   sync.Mutex
	done bool
	run  func(context.Context) error
	bg   sync.WaitGroup
}

func (s *Service) deferredThumbnails(v model.Video, in string, info *media.Info) *thumbnailOnce {
	return &thumbnailOnce{run: func(ctx context.Context) error { return s.thumbnails(ctx, v, in, info) }}
}

// start makes them beside what the caller does next; wait returns once
// that is over.
func (t *thumbnailOnce) start(ctx context.Context) {
	t.bg.Go(func() { _ = t.make(ctx) }) // an error is met again by the next make
}

func (t *thumbnailOnce) wait() { t.bg.Wait() }

func (t *thumbnailOnce) make(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return nil
	}
	if err := t.run(ctx); err != nil {
		return err
	}
	t.done = true
	return nil
}
