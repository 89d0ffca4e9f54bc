package web

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
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
	// Mirroring is what this box mirrors of the instances it follows
	// (#12 point 4): the admin's choice and the copies.
	Strategy         string
	BudgetMB         string
	MinLifetimeHours int64
	MinViews         int64
	Mirrored         []mirroredRow
	Used             int64 // bytes
}

type mirroredRow struct {
	Video, URL, Host, Strategy string
	Ready                      bool
	Manual                     bool // the admin asked for it (POST /server/redundancy/videos): no expiry
	Size                       int64
	Since, Expires             time.Time
}

type mirrorRow struct {
	Video, WatchURL, Host string
	Since, Expires        time.Time
}

func (s *Server) adminMirrorsRoutes(e *echo.Echo, admin []echo.MiddlewareFunc) {
	e.POST("/admin/federation/mirrors/policy", s.adminMirrorsPolicy, admin...)
	e.POST("/admin/federation/mirrors/mirroring", s.adminMirroring, admin...)
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
	cfg, err := s.Mirrors.MirroringConfig(ctx)
	if err != nil {
		return nil, err
	}
	d.Strategy, d.BudgetMB, d.MinLifetimeHours, d.MinViews = cfg.Strategy, strconv.FormatFloat(float64(cfg.Budget)/(1<<20), 'f', -1, 64), int64(cfg.MinLifetime/time.Hour), cfg.MinViews
	mv, used, err := s.Mirrors.MirroredList(ctx, v)
	if err != nil {
		return nil, err
	}
	d.Used = used
	for _, m := range mv {
		d.Mirrored = append(d.Mirrored, mirroredRow{Video: m.Name, URL: uris.Watch(m.UUID), Host: m.Host, Strategy: m.Strategy,
			Ready: m.State == model.MirrorReady, Manual: m.Strategy == model.StrategyManual, Size: m.Size, Since: m.CreatedAt, Expires: m.ExpiresAt})
	}
	return d, nil
}

// adminMirroring saves what this box mirrors: the strategy ("" off), the
// budget in megabytes, the minimum lifetime in hours, the minimum views.
func (s *Server) adminMirroring(c echo.Context) error {
	if s.Mirrors == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	num := func(k string) (int64, bool) {
		v := strings.TrimSpace(c.FormValue(k))
		if v == "" {
			return 0, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n >= 0 && n < 1<<40
	}
	// Megabytes, decimals allowed (a small box's budget, a test's).
	mb, err := strconv.ParseFloat(strings.TrimSpace(cmp.Or(c.FormValue("budget_mb"), "0")), 64)
	ok1 := err == nil && mb >= 0 && mb < 1<<30
	budget := int64(mb * (1 << 20))
	hours, ok2 := num("min_lifetime_hours")
	views, ok3 := num("min_views")
	if !ok1 || !ok2 || !ok3 {
		return s.mirrorsDone(c, redundancy.ErrInvalid, "")
	}
	err = s.Mirrors.SetMirroring(c.Request().Context(), viewer(c), model.MirroringConfig{Strategy: c.FormValue("strategy"),
		Budget: budget, MinLifetime: time.Duration(hours) * time.Hour, MinViews: views})
	return s.mirrorsDone(c, err, "mirroring")
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
