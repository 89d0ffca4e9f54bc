package p2p

import (
	"net/url"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// TrackerPath is where PeerTube, and Cabane, serve the WebSocket
// tracker: PeerTube's players announce there.
const TrackerPath = "/tracker/socket"

// TrackerURL is the WebSocket tracker of the server whose base URL is
// base (scheme and host): wss:// beside an https:// site, ws:// beside a
// plain one (a box on the home network); "" for anything else.
func TrackerURL(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	default:
		return ""
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment, u.User = TrackerPath, "", "", "", nil
	return u.String()
}

// RemoteEnabled reports whether a remote video (one of a followed
// channel, played from its origin) is played peer to peer on this box's
// pages: the admin has not turned P2P off (on), and the video may be
// (visibility.JoinOriginSwarm). Its swarm is its origin's (the origin's
// tracker, its playlist URL as swarm id), so this box's viewers join the
// origin's own viewers there.
func RemoteEnabled(video model.Video, on bool) bool {
	return on && visibility.JoinOriginSwarm(video)
}

// RemoteTrackers are the WebSocket trackers a remote video's viewers
// announce to, of those its Video object lists (listed): the ws:// and
// wss:// ones on the video's own server (iri's host), or, when it lists
// none, the one PeerTube serves there (PeerTube's own fallback for an
// object without a websocket tracker). A tracker elsewhere is left out,
// where PeerTube would use it: a viewer here already talks to the origin
// (its files come from there), and a third server the origin names would
// learn who watches what.
func RemoteTrackers(iri string, listed []string) []string {
	u, err := url.Parse(iri)
	if err != nil || u.Host == "" {
		return nil
	}
	var out []string
	for _, t := range listed {
		tu, err := url.Parse(t)
		if err != nil || (tu.Scheme != "ws" && tu.Scheme != "wss") || !strings.EqualFold(tu.Host, u.Host) || tu.User != nil {
			continue
		}
		out = append(out, t)
	}
	if len(out) > 0 {
		return out
	}
	if t := TrackerURL(u.Scheme + "://" + u.Host); t != "" {
		return []string{t}
	}
	return nil
}
