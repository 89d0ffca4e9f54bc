package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/p2p"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// p2pView is what the player needs to play a video peer to peer, carried
// by the watch and embed pages' <video> as data attributes (p2p.js).
type p2pView struct {
	TrackerURL string // ws(s)://host/tracker/socket
	SwarmID    string // the master playlist URL, as PeerTube's players name the swarm
	STUN       string // JSON array of stun: URLs (none: the browser's host candidates only)
	// TestHooks: the server runs in test mode (CABANE_P2P_TEST_HOOKS), and
	// the player honours its test-only query parameters.
	TestHooks bool
}

// p2pFor is the peer-to-peer playback of local video v for this page, nil
// when it is not played peer to peer (the admin turned P2P off, or the
// video is not one to share: visibility.PeerShare). The video's info hashes
// are recorded for the tracker, which refuses those it does not know.
func (s *Server) p2pFor(c echo.Context, v model.Video, playlistURL string) (*p2pView, error) {
	if !p2p.Enabled(v, s.Config.P2P) {
		return nil, nil
	}
	hashes, err := s.p2pInfoHashes(c, v, playlistURL)
	if err != nil || len(hashes) == 0 {
		return nil, err
	}
	stun, err := json.Marshal(nonNil(s.stunURLs(c.Request().Host)))
	if err != nil {
		return nil, err
	}
	return &p2pView{TrackerURL: s.trackerURL(c), SwarmID: playlistURL, STUN: string(stun), TestHooks: s.Config.P2PTestHooks}, nil
}

// p2pInfoHashes are the hex info hashes of v's streams under swarm id
// playlistURL (PeerTube's streamingPlaylists[].p2pMediaLoaderInfohashes),
// remembered for the tracker; none when v is not shared.
func (s *Server) p2pInfoHashes(c echo.Context, v model.Video, playlistURL string) ([]string, error) {
	if !p2p.Enabled(v, s.Config.P2P) {
		return []string{}, nil
	}
	// The streams are named after the master playlist's attributes, as the
	// player parses them: read the playlist Cabane wrote.
	master, err := s.playlists.read(s.layout.HLSFile(v.UUID, videos.MasterName))
	if errors.Is(err, fs.ErrNotExist) {
		return []string{}, nil // not published yet
	}
	if err != nil {
		return nil, fmt.Errorf("p2p info hashes of %s: %w", v.UUID, err)
	}
	hashes := p2p.InfoHashes(playlistURL, master)
	if len(hashes) == 0 {
		return []string{}, nil
	}
	s.swarms.Remember(v.UUID, hashes)
	return hashes, nil
}

// trackerURL is the WebSocket tracker's URL for this request: wss:// when
// the page came over HTTPS, ws:// over plain HTTP (a box on the LAN).
func (s *Server) trackerURL(c echo.Context) string {
	base := s.baseURL(c)
	if rest, ok := strings.CutPrefix(base, "https://"); ok {
		return "wss://" + rest + trackerPath
	}
	return "ws://" + strings.TrimPrefix(base, "http://") + trackerPath
}

// trackerAllow says whether the viewer who opened the tracker's WebSocket
// (r, the upgrade request: its session cookie or bearer token, and its
// address for the home network) may join the swarm of infoHash: the box
// handed that hash out for a video, the video is still shared, and the
// viewer may see it. Anything else, an unknown hash included, is refused.
// The tracker gives the hash in hex; 20 raw bytes are understood too.
func (s *Server) trackerAllow(r *http.Request, infoHash string) bool {
	uuid, ok := s.swarms.Video(infoHash)
	if !ok {
		return false
	}
	who, err := s.requestViewer(r)
	if err != nil {
		return false
	}
	v, err := s.Videos.Get(r.Context(), who, uuid)
	if err != nil {
		return false
	}
	return p2p.Enabled(v, s.Config.P2P) && visibility.File(who, v)
}

// requestViewer is who sent r, outside echo's middleware (the tracker's
// WebSocket upgrade): a bearer token, else the session cookie, else
// anonymous; at home or not by the client's address.
func (s *Server) requestViewer(r *http.Request) (visibility.Viewer, error) {
	home := s.LAN.IsHome(s.LAN.Client(r))
	ctx := r.Context()
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		u, err := s.Auth.BearerUser(ctx, strings.TrimSpace(tok))
		if err != nil {
			return visibility.Viewer{}, err
		}
		return visibility.Of(&u, home), nil
	}
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		u, err := s.Auth.SessionUser(ctx, ck.Value)
		if errors.Is(err, model.ErrNotFound) {
			return visibility.Anonymous(home), nil // a stale cookie: anonymous
		}
		if err != nil {
			return visibility.Viewer{}, err
		}
		return visibility.Of(&u, home), nil
	}
	return visibility.Anonymous(home), nil
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
