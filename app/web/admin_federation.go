package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/federation/delivery"
	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/visibility"
)

// The admin's federation page (#10 point 8): whether federation is on and,
// if not, why and how to turn it on; every remote follower of the server,
// the accounts and the channels (accept, remove); delivery health per
// remote host; the blocked instances (add, remove); and whom the server
// follows. Each section calls the same service as its API: follows for
// the followers (Approve and Refuse, as /api/v1/server/followers and the
// creator's page do), delivery for the health, blocklist for the blocks.

// DeliveryReport is delivery health per remote host (delivery.Service).
type DeliveryReport interface {
	Report(ctx context.Context) ([]delivery.HostReport, error)
}

// FollowingSource lists the remote actors the server follows, for admins
// (#10 point 5, following out, provides it).
type FollowingSource interface {
	ServerFollowing(ctx context.Context, viewer visibility.Viewer, start, count int) ([]model.Following, int, error)
}

// noFollowing is the FollowingSource until following out is wired: the
// server follows no one.
type noFollowing struct{}

func (noFollowing) ServerFollowing(context.Context, visibility.Viewer, int, int) ([]model.Following, int, error) {
	return []model.Following{}, 0, nil
}

// fedFollowersPerPage is how many followers the page lists at once;
// fedListMax bounds the blocked instances and following lists (they are
// short on a home server; the API pages through longer ones).
const (
	fedFollowersPerPage = 50
	fedListMax          = 200
)

// adminFederationRoutes are the page and its forms: admins only (403 for
// other users), every form checked on the server; CSRF is the page
// group's.
func (s *Server) adminFederationRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	admin := append(page[:len(page):len(page)], s.requireStaff(false))
	e.GET("/admin/federation", s.adminFederation, admin...)
	e.POST("/admin/federation/followers/:id/accept", s.adminFederationFollower(true), admin...)
	e.POST("/admin/federation/followers/:id/remove", s.adminFederationFollower(false), admin...)
	e.POST("/admin/federation/blocks", s.adminFederationBlock, admin...)
	e.POST("/admin/federation/blocks/remove", s.adminFederationUnblock, admin...)
	e.POST("/admin/federation/following", s.adminFederationFollow, admin...)
	e.POST("/admin/federation/following/remove", s.adminFederationUnfollow, admin...)
	s.adminMirrorsRoutes(e, admin) // redundancy (#12)
}

// fedFollower is one remote follower as the page shows it: names are the
// remote server's text, tags dropped (the template escapes them).
type fedFollower struct {
	followerView
	Of    string // the local actor followed: its display name, or the server's word
	Since time.Time
}

// fedFollowing is one remote actor the server follows.
type fedFollowing struct {
	Name, Handle, URL string
	Pending           bool
	Since             time.Time
}

type adminFederationData struct {
	Federation     federationState
	Followers      []fedFollower
	FollowersTotal int
	Pager          pager
	Hosts          []delivery.HostReport
	Blocked        []model.ServerBlock
	BlockedTotal   int
	Following      []fedFollowing
	FollowingTotal int
	Mirrors        *mirrorsSection // redundancy (#12, admin_mirrors.go); nil: not wired
}

func (s *Server) adminFederation(c echo.Context) error {
	ctx, v := c.Request().Context(), viewer(c)
	d := adminFederationData{Federation: s.federationState()}
	w := s.pageWords(c)
	page, start := pageParam(c, fedFollowersPerPage)
	if s.Follows != nil {
		fs, total, err := s.Follows.All(ctx, v, "", start, fedFollowersPerPage)
		if err != nil {
			return s.fedRefused(c, err)
		}
		names := localNames{s: s, ctx: ctx, v: v, server: w.T("fedadmin.followers.server")}
		for _, f := range fs {
			d.Followers = append(d.Followers, fedFollower{followerView: followerOf(f), Of: names.of(f.TargetKind, f.TargetID),
				Since: f.CreatedAt})
		}
		d.FollowersTotal = total
	}
	d.Pager = newPager(url.Values{}, "/admin/federation", page, fedFollowersPerPage, d.FollowersTotal)
	if s.Delivery != nil {
		hosts, err := s.Delivery.Report(ctx)
		if err != nil {
			return err
		}
		d.Hosts = hosts
	}
	if s.Blocklist != nil {
		bs, total, err := s.Blocklist.Servers(ctx, v, blocklist.Server, 0, fedListMax, "")
		if err != nil {
			return s.fedRefused(c, err)
		}
		d.Blocked, d.BlockedTotal = bs, total
	}
	src := s.ServerFollowing
	if src == nil {
		src = noFollowing{}
	}
	fl, total, err := src.ServerFollowing(ctx, v, 0, fedListMax)
	if err != nil {
		return s.fedRefused(c, err)
	}
	for _, f := range fl {
		d.Following = append(d.Following, followingOf(f))
	}
	d.FollowingTotal = total
	if d.Mirrors, err = s.mirrorsData(c); err != nil {
		return s.fedRefused(c, err)
	}
	vw := s.view(c, "", d)
	vw.Title = vw.T("fedadmin.title")
	fedMessages(c, &vw)
	return s.renderView(c, http.StatusOK, "admin_federation", vw)
}

func followingOf(f model.Following) fedFollowing {
	a := f.Target
	name := markup.PlainText(a.Name)
	if name == "" {
		name = a.PreferredUsername
	}
	link := a.URL
	if link == "" {
		link = a.IRI
	}
	return fedFollowing{Name: name, Handle: "@" + a.PreferredUsername + "@" + a.Host, URL: link,
		Pending: f.State == model.FollowPending, Since: f.CreatedAt}
}

// localNames names the local actors followers follow, each looked up once
// per page.
type localNames struct {
	s      *Server
	ctx    context.Context
	v      visibility.Viewer
	server string
	seen   map[string]string
}

func (n *localNames) of(kind string, id int64) string {
	if keys.Kind(kind) == keys.Server {
		return n.server
	}
	k := kind + ":" + strconv.FormatInt(id, 10)
	if name, ok := n.seen[k]; ok {
		return name
	}
	name := "?"
	switch keys.Kind(kind) {
	case keys.Account:
		if a, err := n.s.Accounts.AccountByID(n.ctx, id); err == nil {
			name = a.DisplayName
		}
	case keys.Channel:
		if ch, err := n.s.Accounts.ChannelByID(n.ctx, n.v, id); err == nil {
			name = ch.DisplayName
		}
	}
	if n.seen == nil {
		n.seen = map[string]string{}
	}
	n.seen[k] = name
	return name
}

// adminFederationFollower accepts a pending follower or removes one (the
// Reject goes out), whichever local actor it follows.
func (s *Server) adminFederationFollower(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if s.Follows == nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		ctx, v := c.Request().Context(), viewer(c)
		done := "follower_accepted"
		if accept {
			err = s.Follows.Approve(ctx, v, id, nil)
		} else {
			done = "follower_removed"
			err = s.Follows.Refuse(ctx, v, id, nil)
		}
		return s.fedDone(c, err, done)
	}
}

func (s *Server) adminFederationBlock(c echo.Context) error {
	if s.Blocklist == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	err := s.Blocklist.BlockServer(c.Request().Context(), viewer(c), blocklist.Server, strings.TrimSpace(c.FormValue("host")))
	return s.fedDone(c, err, "blocked")
}

func (s *Server) adminFederationUnblock(c echo.Context) error {
	if s.Blocklist == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	err := s.Blocklist.UnblockServer(c.Request().Context(), viewer(c), blocklist.Server, strings.TrimSpace(c.FormValue("host")))
	return s.fedDone(c, err, "unblocked")
}

// adminFederationFollow makes the server follow an instance (a host) or
// an actor (a handle), as POST /api/v1/server/following does.
func (s *Server) adminFederationFollow(c echo.Context) error {
	if s.Following == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	var hosts, handles []string
	if t := strings.TrimSpace(c.FormValue("target")); strings.Contains(t, "@") {
		handles = []string{t}
	} else {
		hosts = []string{t}
	}
	err := s.Following.FollowServers(c.Request().Context(), viewer(c), hosts, handles)
	switch {
	case errors.Is(err, subscriptions.ErrBadHandle), errors.Is(err, subscriptions.ErrRemote):
		return c.Redirect(http.StatusSeeOther, "/admin/federation?error=bad_target#following")
	case errors.Is(err, model.ErrNotFound):
		return c.Redirect(http.StatusSeeOther, "/admin/federation?error=follow_failed#following")
	}
	return s.fedDone(c, err, "followed")
}

// adminFederationUnfollow undoes one of the server's follows.
func (s *Server) adminFederationUnfollow(c echo.Context) error {
	if s.Following == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	err := s.Following.UnfollowServer(c.Request().Context(), viewer(c), c.FormValue("target"))
	if errors.Is(err, following.ErrNotFollowing) {
		err = model.ErrNotFound
	}
	return s.fedDone(c, err, "unfollowed")
}

// fedDone redirects a form back to the page with its outcome: a known
// word, never text of the request's own.
func (s *Server) fedDone(c echo.Context, err error, done string) error {
	const to = "/admin/federation"
	var word string
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, to+"?done="+done)
	case errors.Is(err, follows.ErrNotPending):
		word = "not_pending"
	case errors.Is(err, blocklist.ErrBadHost):
		word = "bad_host"
	case errors.Is(err, blocklist.ErrSelf):
		word = "self"
	case errors.Is(err, model.ErrNotFound):
		word = "not_found"
	default:
		return s.fedRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, to+"?error="+word)
}

// fedRefused answers a service's refusal: 403 for who may not, else the
// error as it is (a 500).
func (s *Server) fedRefused(c echo.Context, err error) error {
	if errors.Is(err, follows.ErrForbidden) || errors.Is(err, blocklist.ErrForbidden) || errors.Is(err, blocklist.ErrLoginRequired) ||
		errors.Is(err, following.ErrForbidden) {
		return echo.NewHTTPError(http.StatusForbidden, s.pageWords(c).T("fedadmin.forbidden"))
	}
	return err
}

// fedMessages puts a form's outcome on the page: ?done= and ?error= pick
// one of the page's words.
func fedMessages(c echo.Context, v *view) {
	pick := func(k string, known ...string) string {
		for _, w := range known {
			if k == w {
				return k
			}
		}
		return ""
	}
	if d := pick(c.QueryParam("done"), "follower_accepted", "follower_removed", "blocked", "unblocked", "followed", "unfollowed",
		"mirror_policy", "mirroring"); d != "" {
		v.Notice = v.T("fedadmin.done." + d)
	}
	if e := pick(c.QueryParam("error"), "not_pending", "bad_host", "self", "not_found", "bad_target", "follow_failed",
		"mirror_invalid"); e != "" {
		v.Error = v.T("fedadmin.err." + e)
	}
}
