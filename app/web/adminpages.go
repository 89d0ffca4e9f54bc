package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/instance"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/moderation"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/users"
	"cabane.dev/cabane/app/videos"
)

// adminPageRoutes are the instance settings, the users and the moderation
// queue (admins; the queue and the blocklist moderators too), and the
// public /about page. Every route checks its role on the server, forms
// included; CSRF is the page group's.
func (s *Server) adminPageRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	admin := append(page[:len(page):len(page)], s.requireStaff(false))
	manage := append(admin[:len(admin):len(admin)], s.needUsers)
	mods := append(page[:len(page):len(page)], s.requireStaff(true))
	e.GET("/about", s.aboutPage, page...)
	e.GET("/admin/instance", s.adminInstance, admin...)
	e.POST("/admin/instance", s.adminInstanceSave, admin...)
	// Moderators reach the users page too, with only the actions they may
	// take on each user; app/users checks each one (visibility.ManageUser).
	staff := append(mods[:len(mods):len(mods)], s.needUsers)
	e.GET("/admin/users", s.adminUsers, staff...)
	e.POST("/admin/users", s.adminUserCreate, manage...)
	e.POST("/admin/users/:id", s.adminUserUpdate, staff...)
	e.POST("/admin/users/:id/ban", s.adminUserBan, staff...)
	e.POST("/admin/users/:id/unban", s.adminUserUnban, staff...)
	e.POST("/admin/users/:id/delete", s.adminUserDelete, manage...)
	e.GET("/admin/moderation", s.adminModeration, mods...)
	e.POST("/admin/moderation/abuses/:id/resolve", s.adminAbuseResolve, mods...)
	e.POST("/admin/moderation/abuses/:id/delete-content", s.adminAbuseDeleteContent, mods...)
	e.POST("/admin/moderation/abuses/:id/block-account", s.adminAbuseBlockAccount, mods...)
	e.POST("/admin/moderation/blocks/unblock", s.adminUnblockAccount, mods...)
}

// needUsers answers 404 on a server built without user management.
func (s *Server) needUsers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Users == nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return next(c)
	}
}

// moderation is the queue's service: the one given, else one made from
// the reports, videos, comments and blocklist services.
func (s *Server) moderation() *moderation.Service {
	if s.Moderation != nil {
		return s.Moderation
	}
	return &moderation.Service{Reports: s.Abuses, Videos: s.Videos, Comments: s.Comments, Blocks: s.Blocklist}
}

// requireStaff lets administrators through (and moderators when mods):
// anonymous visitors are sent to log in, other users get 403.
func (s *Server) requireStaff(mods bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				next := c.Request().URL.RequestURI()
				if c.Request().Method != http.MethodGet {
					next = "/admin"
				}
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
			}
			if !u.IsAdmin() && !(mods && u.IsModerator()) {
				return echo.NewHTTPError(http.StatusForbidden, "This page is for the instance's administrators.")
			}
			return next(c)
		}
	}
}

// adminPageMsg turns a form's ?done= and ?error= into catalogue keys:
// only known words pass, so the query string never puts text of its own
// on the page.
func adminPageMsg(c echo.Context) (notice, problem string) {
	known := func(k string, words ...string) string {
		for _, w := range words {
			if k == w {
				return k
			}
		}
		return ""
	}
	if d := known(c.QueryParam("done"), "saved", "created", "changed", "banned", "unbanned", "deleted",
		"accepted", "rejected", "content_deleted", "blocked", "unblocked"); d != "" {
		notice = "adminpages.done." + d
	}
	if e := known(c.QueryParam("error"), "last_admin", "invalid", "taken", "self", "not_found", "nothing"); e != "" {
		problem = "adminpages.err." + e
	}
	return notice, problem
}

// adminMessages puts a form's outcome on the page, in its language.
func adminMessages(c echo.Context, v *view) {
	notice, problem := adminPageMsg(c)
	if notice != "" {
		v.Notice = v.T(notice)
	}
	if problem != "" {
		v.Error = v.T(problem)
	}
}

// adminErrorWord names an action's failure for the page it redirects to;
// ok false: an error that is no one's input (answered as a 500).
func adminErrorWord(err error) (string, bool) {
	var fe *users.FieldError
	var ie *instance.FieldError
	var ae *abuses.FieldError
	switch {
	case errors.Is(err, repo.ErrLastAdmin):
		return "last_admin", true
	case errors.As(err, &fe) && fe.Field == "id":
		return "self", true
	case errors.As(err, &fe), errors.As(err, &ie), errors.As(err, &ae), errors.Is(err, videos.ErrBadUpload):
		return "invalid", true
	case errors.Is(err, model.ErrNotFound), errors.Is(err, comments.ErrAlreadyDeleted):
		return "not_found", true
	case errors.Is(err, moderation.ErrNothingToDelete):
		return "nothing", true
	case errors.Is(err, blocklist.ErrSelf):
		return "invalid", true
	case err != nil && strings.Contains(err.Error(), "already taken"):
		return "taken", true
	}
	return "", false
}

// adminDone redirects a form back to its page with the outcome.
func adminDone(c echo.Context, to string, err error, done string) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, to+"?done="+done)
	}
	if w, ok := adminErrorWord(err); ok {
		return c.Redirect(http.StatusSeeOther, to+"?error="+w)
	}
	if errors.Is(err, abuses.ErrForbidden) || errors.Is(err, users.ErrForbidden) || errors.Is(err, instance.ErrForbidden) ||
		errors.Is(err, blocklist.ErrForbidden) || errors.Is(err, blocklist.ErrAdminTarget) || errors.Is(err, comments.ErrForbidden) || errors.Is(err, videos.ErrForbidden) {
		return echo.NewHTTPError(http.StatusForbidden)
	}
	return err
}

// idParam is the route's positive numeric :id.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// pageParam is ?page= (1-based), as a start offset for size per page.
func pageParam(c echo.Context, size int) (page, start int) {
	page, _ = strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	return page, (page - 1) * size
}

// pager is the previous and next links of a paged admin list.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func newPager(base url.Values, path string, page, size, total int) pager {
	p := pager{Page: page, Pages: max((total+size-1)/size, 1)}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// mebibytes reads a quota field given in MiB ("-1": unlimited; "": not
// given) as bytes.
func mebibytes(s string) (*int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -1 || n > 1<<40 {
		return nil, &users.FieldError{Field: "videoQuota", Msg: "a quota is a number of MiB, or -1 for unlimited"}
	}
	if n > 0 {
		n <<= 20
	}
	return &n, nil
}

// quotaMiB shows a quota (bytes, -1 unlimited) in the forms' unit.
func quotaMiB(n int64) int64 {
	if n < 0 {
		return -1
	}
	return n >> 20
}
