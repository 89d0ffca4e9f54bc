package web

import (
	"context"
	"strconv"

	"cabane.dev/cabane/app/model"
)

// Videos of followed remote channels (app/federation/following): rows of
// videos whose files stay on their origin. The API and the watch page give
// the origin's URLs: its watch page, its HLS master playlist (the player
// loads it from there; the page's CSP sets no media-src, so nothing blocks
// it), its thumbnail (the local thumbnail path redirects there: hot-linked,
// not copied).

// remoteOf is where v lives when it is remote; ok false for a local video
// or when following is not wired.
func (s *Server) remoteOf(ctx context.Context, v model.Video) (model.RemoteVideo, bool) {
	if !v.Channel.Remote() || s.Following == nil {
		return model.RemoteVideo{}, false
	}
	m, err := s.Following.RemoteVideos(ctx, []model.Video{v})
	if err != nil {
		s.Log.Warn("remote video", "video", v.UUID, "err", err)
		return model.RemoteVideo{}, false
	}
	rv, ok := m[v.ID]
	return rv, ok
}

// remoteList marks the remote videos of a listing as PeerTube lists them:
// not local, their url the origin's watch page.
func (s *Server) remoteList(ctx context.Context, vs []model.Video, out []apiVideo) {
	if s.Following == nil {
		return
	}
	m, err := s.Following.RemoteVideos(ctx, vs)
	if err != nil {
		s.Log.Warn("remote videos of a listing", "err", err)
		return
	}
	var accs, chs []int64
	for i := range out {
		if rv, ok := m[out[i].ID]; ok {
			out[i].IsLocal, out[i].URL = false, rv.WatchURL
			accs, chs = append(accs, out[i].Account.ID), append(chs, out[i].Channel.ID)
		}
	}
	if len(chs) == 0 {
		return
	}
	// Their account and channel are the origin's too: PeerTube gives
	// their pages there.
	au, err := s.Accounts.OriginURLs(ctx, "account", accs)
	if err != nil {
		s.Log.Warn("origin of remote accounts", "err", err)
		return
	}
	cu, err := s.Accounts.OriginURLs(ctx, "channel", chs)
	if err != nil {
		s.Log.Warn("origin of remote channels", "err", err)
		return
	}
	for i := range out {
		if u, ok := au[out[i].Account.ID]; ok {
			out[i].Account.URL = u
		}
		if u, ok := cu[out[i].Channel.ID]; ok {
			out[i].Channel.URL = u
		}
	}
}

// remoteDetails fills a remote video's details: its origin's HLS
// playlist and files, no torrent, nothing served from here.
func remoteDetails(out *apiVideoDetails, rv model.RemoteVideo) {
	out.IsLocal, out.URL = false, rv.WatchURL
	out.Channel.IsLocal = false
	if rv.HLSURL == "" {
		return
	}
	pl := apiPlaylist{ID: out.ID, Type: 1, PlaylistURL: rv.HLSURL, Files: []apiFile{}, P2PMediaLoaderInfohashes: []string{}}
	pl.Redundancies = []struct {
		BaseURL string `json:"baseUrl"`
	}{}
	for _, r := range rv.Renditions {
		pl.Files = append(pl.Files, apiFile{Resolution: il(r.Height, strconv.Itoa(r.Height)+"p"), Size: r.Size, FPS: float64(r.FPS),
			Width: r.Width, Height: r.Height, HasVideo: r.Height > 0, HasAudio: true, FileURL: r.Href, FileDownloadURL: r.Href})
	}
	out.StreamingPlaylists = []apiPlaylist{pl}
}
