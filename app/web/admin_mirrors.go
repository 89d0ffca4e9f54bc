package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// The federation page's Mirrors section (#12 points 3 and 4): who may
// mirror this box's videos (PeerTube's redundancy: followed instances, a
// list of hosts, or nobody) and who mirrors what. Admins only: the route
// group's check, and the service's own (visibility.ManageRedundancy).

// mirrorsListMax bounds the mirrors listed (a home box has a handful).
const mirrorsListMax = 200

// mirrorsSection is the section's data; nil when redundancy is not wired.
type mirrorsSection struct {
	AcceptFrom string
	Hosts      string // one per line, for the textarea
	Mirrors    []mirrorRow
	Total      int
}

type mirrorRow struct {
	Video, WatchURL, Host string
	Since, Expires        time.Time
}

func (s *Server) adminMirrorsRoutes(e *echo.Echo, admin []echo.MiddlewareFunc) {
	e.POST("/admin/federation/mirrors/policy", s.adminMirrorsPolicy, admin...)
}

// mirrorsData fills the section for the page.
func (s *Server) mirrorsData(c echo.Context) (*mirrorsSection, error) {
	if s.Mirrors == nil {
		return nil, nil
	}
	ctx, v := c.Request().Context(), viewer(c)
	p, err := s.Mirrors.Policy(ctx)
	if err != nil {
		return nil, err
	}
	ms, total, err := s.Mirrors.List(ctx, v, mirrorsListMax)
	if err != nil {
		return nil, err
	}
	d := &mirrorsSection{AcceptFrom: p.AcceptFrom, Hosts: strings.Join(p.Hosts, "\n"), Total: total}
	for _, m := range ms {
		d.Mirrors = append(d.Mirrors, mirrorRow{Video: m.VideoName, WatchURL: uris.Watch(m.VideoUUID), Host: m.Host,
			Since: m.CreatedAt, Expires: m.ExpiresAt})
	}
	return d, nil
}

// adminMirrorsPolicy saves who may mirror: accept_from and the hosts, one
// per line (or separated by spaces or commas).
func (s *Server) adminMirrorsPolicy(c echo.Context) error {
	if s.Mirrors == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	hosts := strings.FieldsFunc(c.FormValue("hosts"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	err := s.Mirrors.SetPolicy(c.Request().Context(), viewer(c), model.MirrorPolicy{AcceptFrom: c.FormValue("accept_from"), Hosts: hosts})
	return s.mirrorsDone(c, err, "mirror_policy")
}

// mirrorsDone is fedDone for the section's forms.
func (s *Server) mirrorsDone(c echo.Context, err error, done string) error {
	const to = "/admin/federation"
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, to+"?done="+done+"#mirrors")
	case errors.Is(err, redundancy.ErrInvalid):
		return c.Redirect(http.StatusSeeOther, to+"?error=mirror_invalid#mirrors")
	case errors.Is(err, redundancy.ErrForbidden):
		return echo.NewHTTPError(http.StatusForbidden, s.pageWords(c).T("fedadmin.forbidden"))
	}
	return err
}
