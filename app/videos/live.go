package videos

import (
	"context"
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
func (s *Service) live(v model.Video, hlsDir string) *media.Live {
	return &media.Live{
		Log: s.Log,
		Ready: func(ctx context.Context, names []string) error {
			rs := make([]model.Rendition, 0, len(names))
			for _, name := range names {
				// Bitrates from the first segments only: the master is
				// rewritten from the whole renditions when they are done.
				vr, err := s.Media.Describe(ctx, hlsDir, name)
				if err != nil {
					return fmt.Errorf("describe growing rendition %s: %w", name, err)
				}
				rs = append(rs, model.Rendition{VideoID: v.ID, Name: name, Width: vr.Width, Height: vr.Height, FPS: vr.FrameRate,
					Bandwidth: vr.Bandwidth, AverageBandwidth: vr.AverageBandwidth, Codecs: vr.Codecs})
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
