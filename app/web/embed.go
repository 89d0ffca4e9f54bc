package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/uris"
)

// The embed page (PeerTube's /videos/embed/<uuid or shortUUID>): the player
// alone, for other sites' iframes. It sends the poster and nothing of the
// video until the viewer presses play (player.js's data-start="click"):
// a blog showing the player must not cost the box a stream per visitor.
// No view is counted on load for the same reason. Who may see it is the
// watch page's rule (visibility through Videos.Get).

type embedData struct {
	watchData
	WatchURL string
}

func (s *Server) embed(c echo.Context) error {
	d, err := s.watchData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "embed", d.Video.Name, embedData{watchData: d,
		WatchURL: s.urls(c).Abs(uris.ShortWatch(d.Video.ShortUUID))})
}

// embedHeaders: any site may frame the embed page, and only it (every
// other page refuses framing in pageHeaders).
func embedHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "frame-ancestors *")
		h.Del("X-Frame-Options")
		return next(c)
	}
}
