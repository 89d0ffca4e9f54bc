package web

import (
	"context"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/p2p"
)

// Videos of followed remote channels (app/federation/following): rows of
// videos whose files stay on their origin. The API and the watch page give
// the origin's URLs: its watch page, its HLS master playlist (the player
// loads it from there), its thumbnail (the local thumbnail path redirects
// there: hot-linked, not copied), and its peer-to-peer swarm (the player
// announces to the origin's tracker). The pages' Content-Security-Policy
// is frame-ancestors only (pageHeaders, embedHeaders): no connect-src nor
// media-src stands between the player and the origin's files and tracker.

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
	// The origin's swarm, as PeerTube lists a remote video's: its hashes
	// and trackers, as its Video object gave them.
	pl := apiPlaylist{ID: out.ID, Type: 1, PlaylistURL: rv.HLSURL, SegmentsSha256URL: rv.P2P.SegmentsSha256URL, Files: []apiFile{},
		P2PMediaLoaderInfohashes: nonNil(rv.P2P.InfoHashes)}
	out.TrackerURLs = nonNil(p2p.RemoteTrackers(rv.IRI, rv.P2P.Trackers))
	pl.Redundancies = []struct {
		BaseURL string `json:"baseUrl"`
	}{}
	for _, r := range rv.Renditions {
		pl.Files = append(pl.Files, apiFile{Resolution: il(r.Height, strconv.Itoa(r.Height)+"p"), Size: r.Size, FPS: float64(r.FPS),
			Width: r.Width, Height: r.Height, HasVideo: r.Height > 0, HasAudio: true, FileURL: r.Href, FileDownloadURL: r.Href})
	}
	out.StreamingPlaylists = []apiPlaylist{pl}
}

// remoteP2PFor is the peer-to-peer playback of remote video v (rv: where
// it lives) on this box's watch and embed pages, nil when it plays over
// HTTP only: P2P is off, the video is not public (p2p.RemoteEnabled), or
// its Video object gave no segment hashes to check peers' segments
// against. The player joins the origin's swarm, as the origin's own
// players do (PeerTube 7's: the master playlist's URL as swarm id, the
// origin's WebSocket tracker), so that this box's viewers and the
// origin's share segments; a segment from a peer is played only once it
// matches the origin's segments-sha256.json. STUN is the box's own, as
// for a local video: it tells a viewer their public address, whoever's
// swarm they are in.
func (s *Server) remoteP2PFor(c echo.Context, v model.Video, rv model.RemoteVideo) (*p2pView, error) {
	if !p2p.RemoteEnabled(v, s.Config.P2P) || rv.HLSURL == "" || rv.P2P.SegmentsSha256URL == "" {
		return nil, nil
	}
	trackers := p2p.RemoteTrackers(rv.IRI, rv.P2P.Trackers)
	if len(trackers) == 0 {
		return nil, nil
	}
	stun, err := s.stunAttr(c)
	if err != nil {
		return nil, err
	}
	// The player announces to one tracker (p2p.js): the first, as the
	// origin listed them.
	return &p2pView{TrackerURL: trackers[0], SwarmID: rv.HLSURL, SegmentsSha256: rv.P2P.SegmentsSha256URL, STUN: stun,
		TestHooks: s.Config.P2PTestHooks}, nil
}
