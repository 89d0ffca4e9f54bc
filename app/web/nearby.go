package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/discovery"
	"cabane.dev/cabane/app/recommendations"
)

// nearbyPeer is a nearby Cabane and what its creators recommend (#11).
type nearbyPeer struct {
	discovery.Peer
	Recommends []recommendations.EntryJSON
}

// nearbyPage lists the other Cabanes that mDNS found on the LAN, each
// with what it recommends (read over the LAN, bounded and cached).
func (s *Server) nearbyPage(c echo.Context) error {
	var peers []nearbyPeer
	if s.Nearby != nil {
		for _, p := range s.Nearby() {
			peers = append(peers, nearbyPeer{Peer: p})
		}
	}
	if s.Recommendations != nil && s.Recommendations.Nearby != nil && len(peers) > 0 {
		urls := make([]string, len(peers))
		for i, p := range peers {
			urls[i] = p.URL
		}
		recs := s.Recommendations.Nearby.Of(c.Request().Context(), urls)
		for i := range peers {
			peers[i].Recommends = recs[peers[i].URL]
		}
	}
	var data any
	if len(peers) > 0 {
		data = peers
	}
	return s.render(c, http.StatusOK, "nearby", s.pageWords(c).T("nav.nearby"), data)
}
