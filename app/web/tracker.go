package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cabane.dev/cabane/app/p2p"
	"cabane.dev/cabane/app/p2p/tracker"
)

// trackerPath is PeerTube's: p2p-media-loader announces there.
const trackerPath = p2p.TrackerPath

// newTracker builds the WebTorrent tracker from d.Tracker; nil when the
// deps ask for none.
//
// Pages of any site may open it, as PeerTube's tracker lets them: a
// PeerTube server that federates a video of the box plays it in its own
// pages, whose players announce here (the tracker the Video object lists)
// and share segments with the box's own viewers, so each of them is a
// viewer less for the box's upload. What keeps a swarm to those who may be
// in it is not the page's origin but trackerAllow: only the info hashes
// the box handed out, of videos shared peer to peer (public and
// unlisted: anyone with the link may fetch their files anyway), and, from
// a page of another site, as an anonymous stranger whatever cookies the
// browser sends along; and the per-address, per-swarm and rate limits hold
// for every page alike.
func (s *Server) newTracker() *tracker.Tracker {
	if s.Deps.Tracker == nil {
		return nil
	}
	o := *s.Deps.Tracker
	o.Allow = s.trackerAllow
	o.CrossOrigin = true
	if o.ClientIP == nil {
		o.ClientIP = s.LAN.Client // behind a trusted proxy: the viewer, not the proxy
	}
	if o.Log == nil {
		o.Log = cmpLogger(s.Log)
	}
	return tracker.New(o)
}

// serveTracker answers the tracker's path before echo: a WebSocket lives
// for the whole viewing, so it must not go through the middlewares that
// wrap a response (compression) or count requests in flight (idle
// trimming would never see the server idle).
func (s *Server) serveTracker(next http.Handler) http.Handler {
	if s.tracker == nil {
		return next // the path is unrouted: echo answers 404
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == trackerPath {
			s.tracker.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RunTracker runs the tracker's sweeps until ctx ends, then closes its
// connections; it returns at once without a tracker.
func (s *Server) RunTracker(ctx context.Context) error {
	if s.tracker == nil {
		return nil
	}
	return s.tracker.Run(ctx)
}

// TrackerStats is the tracker's state; zero without a tracker.
func (s *Server) TrackerStats() tracker.Stats {
	if s.tracker == nil {
		return tracker.Stats{}
	}
	return s.tracker.Stats()
}

// stunURLs are the box's own STUN server's URLs for a page served on host
// (the request's host, with or without a port), nil when STUN is off.
func (s *Server) stunURLs(host string) []string {
	if s.STUNPort == nil {
		return nil
	}
	port := s.STUNPort()
	if port <= 0 {
		return nil
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // "[::1]"
	}
	if host == "" {
		return nil
	}
	return []string{"stun:" + net.JoinHostPort(host, strconv.Itoa(port))}
}

// ownPage reports whether the tracker's upgrade request r comes from one
// of the box's own pages (its Origin is the box as the request reached it,
// or the public URL), or from no page at all (no Origin: not a browser,
// whose credentials are its own to send). Only then do the request's
// cookies speak for the viewer: a page of another site gets them sent
// along by the browser without having earned them.
func (s *Server) ownPage(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false // "null" (a sandboxed frame, a file): no site's own page
	}
	for _, base := range []string{"//" + r.Host, s.baseURLOf(r), s.Config.PublicURL} {
		if b, err := url.Parse(base); err == nil && b.Host != "" && strings.EqualFold(b.Host, o.Host) {
			return true
		}
	}
	return false
}
