package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"cabane.dev/cabane/app/p2p/tracker"
)

// trackerPath is PeerTube's: p2p-media-loader announces there.
const trackerPath = "/tracker/socket"

// newTracker builds the WebTorrent tracker from d.Tracker; nil when the
// deps ask for none.
func (s *Server) newTracker() *tracker.Tracker {
	if s.Deps.Tracker == nil {
		return nil
	}
	o := *s.Deps.Tracker
	o.Allow = s.trackerAllow
	if u, err := url.Parse(s.Config.PublicURL); err == nil && u.Host != "" {
		// Pages of the public URL may reach the box through a proxy that
		// sends another Host.
		o.OriginPatterns = append(slices.Clip(o.OriginPatterns), u.Host)
	}
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
