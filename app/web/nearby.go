package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// nearbyPage lists the other Cabanes that mDNS found on the LAN.
func (s *Server) nearbyPage(c echo.Context) error {
	var peers any
	if s.Nearby != nil {
		peers = s.Nearby()
	}
	return s.render(c, http.StatusOK, "nearby", s.pageWords(c).T("nav.nearby"), peers)
}
