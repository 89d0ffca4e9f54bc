package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/p2p"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// p2pView is what the player needs to play a video peer to peer, carried
// by the watch and embed pages' <video> as data attributes (p2p.js).
type p2pView struct {
	TrackerURL string // ws(s)://host/tracker/socket
	SwarmID    string // the master playlist URL, as PeerTube's players name the swarm
	// SegmentsSha256 is the segments' hashes that a segment from a peer is
	// checked against: a remote video's, named by its origin (PeerTube
	// names the file after a UUID of its own); "" for a local video, whose
	// segments-sha256.json is beside its master playlist.
	SegmentsSha256 string
	STUN           string // JSON array of stun: URLs (none: the browser's host candidates only)
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
	hashes, err := s.p2pInfoHashes(c.Request().Context(), v, playlistURL)
	if err != nil || len(hashes) == 0 {
		return nil, err
	}
	stun, err := s.stunAttr(c)
	if err != nil {
		return nil, err
	}
	return &p2pView{TrackerURL: s.trackerURL(c), SwarmID: playlistURL, STUN: stun, TestHooks: s.Config.P2PTestHooks}, nil
}

// stunAttr is the JSON array of the box's STUN URLs for this page.
func (s *Server) stunAttr(c echo.Context) (string, error) {
	b, err := json.Marshal(nonNil(s.stunURLs(c.Request().Host)))
	return string(b), err
}

// InfoHashes are the hex info hashes of local video v's streams under
// swarm id playlistURL, recorded for the tracker, for the Video object
// that federates v (federation.Swarms): none when the box runs no tracker
// or v is not shared.
func (s *Server) InfoHashes(ctx context.Context, v model.Video, playlistURL string) ([]string, error) {
	if s.tracker == nil {
		return nil, nil
	}
	return s.p2pInfoHashes(ctx, v, playlistURL)
}

// p2pInfoHashes are the hex info hashes of v's streams under swarm id
// playlistURL (PeerTube's streamingPlaylists[].p2pMediaLoaderInfohashes),
// remembered for the tracker; none when v is not shared.
func (s *Server) p2pInfoHashes(ctx context.Context, v model.Video, playlistURL string) ([]string, error) {
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

// relearnedSwarms are the base URLs whose swarms were relearned since the
// box started (relearnSwarms).
type relearnedSwarms struct {
	mu    sync.Mutex
	bases map[string]bool
}

// How much relearnSwarms reads: the newest videos, a page at a time, and
// for a few base URLs at most (without a public URL, the box answers to
// whatever host a request names, and each would cost a scan).
const (
	relearnVideos = 2000
	relearnPage   = 200
	relearnBases  = 8
)

// relearnSwarms records, once per base URL (the scheme and host the
// players' pages came from) since the box started, the info hashes of
// every video shared peer to peer (the newest relearnVideos). The swarms
// the box handed out live in memory: a viewer whose page was loaded before
// a restart, or a PeerTube player of a federated video, announces hashes
// the box no longer knows, and would play over HTTP only until the page is
// reloaded. The tracker calls this when it meets a hash it does not know;
// the scan is not repeated for the same base, so unknown hashes cost
// nothing after the first.
func (s *Server) relearnSwarms(ctx context.Context, base string) {
	if !s.Config.P2P {
		return
	}
	rl := &s.relearn
	rl.mu.Lock()
	defer rl.mu.Unlock() // the next announce of another hash waits for the scan, then finds it
	if rl.bases[base] || len(rl.bases) >= relearnBases {
		return
	}
	if rl.bases == nil {
		rl.bases = map[string]bool{}
	}
	rl.bases[base] = true
	u := uris.New(base)
	for start := 0; start < relearnVideos; start += relearnPage {
		vs, more, err := s.Videos.PeerShared(ctx, start, relearnPage)
		if err != nil {
			s.Log.Warn("relearn the swarms", "err", err)
			return
		}
		for _, v := range vs {
			if _, err := s.p2pInfoHashes(ctx, v, u.Abs(uris.Master(v.UUID))); err != nil {
				s.Log.Warn("relearn the swarms", "video", v.UUID, "err", err)
			}
		}
		if !more {
			return
		}
	}
}

// trackerURL is the WebSocket tracker's URL for this request: wss:// when
// the page came over HTTPS, ws:// over plain HTTP (a box on the LAN).
func (s *Server) trackerURL(c echo.Context) string { return p2p.TrackerURL(s.baseURL(c)) }

// trackerAllow says whether the viewer who opened the tracker's WebSocket
// (r, the upgrade request: its session cookie or bearer token, and its
// address for the home network) may join the swarm of infoHash: the box
// handed that hash out for a video (or hands it out again: relearnSwarms),
// the video is still shared, and the viewer may see it. Anything else, an
// unknown hash included, is refused. A page of another site (ownPage) is
// asked about as a stranger outside the home network: its cookies are the
// browser's, not its own. The tracker gives the hash in hex; 20 raw bytes
// are understood too.
func (s *Server) trackerAllow(r *http.Request, infoHash string) bool {
	uuid, ok := s.swarms.Video(infoHash)
	if !ok {
		s.relearnSwarms(r.Context(), s.baseURLOf(r))
		if uuid, ok = s.swarms.Video(infoHash); !ok {
			return false
		}
	}
	who := visibility.Anonymous(false)
	if s.ownPage(r) {
		var err error
		if who, err = s.requestViewer(r); err != nil {
			return false
		}
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
