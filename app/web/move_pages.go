package web

import (
	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/keys"
)

// movedPage is where a moved local account's or channel's page sends its
// visitors (#11): the new actor's page. A redirect that cannot be looked
// up is skipped (logged): the old page still shows.
func (s *Server) movedPage(c echo.Context, a keys.Actor, remote bool) (string, bool) {
	if s.Moves == nil || remote {
		return "", false
	}
	to, ok, err := s.Moves.MovedURL(c.Request().Context(), a)
	if err != nil {
		s.Log.Warn("moved page", "kind", a.Kind, "id", a.ID, "err", err)
		return "", false
	}
	return to, ok
}
