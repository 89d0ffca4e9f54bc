package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/users"
	"cabane.dev/cabane/app/visibility"
)

const usersPerPage = 20

// userRow is one line of /admin/users, with the actions the viewer may
// take on that user (hiding the others is a courtesy: app/users checks).
type userRow struct {
	repo.UserRow
	QuotaMiB, DailyMiB string // "" follows the instance default
	Self               bool
	// CanManage: ban, unban, quotas; CanRole: the role selector;
	// CanDelete: the delete button.
	CanManage, CanRole, CanDelete bool
}

type adminUsersData struct {
	Search string
	Users  []userRow
	Total  int
	Pager  pager
	// Admin: the viewer administers (creates users, has the /admin page).
	Admin bool
}

func (s *Server) adminUsers(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	page, start := pageParam(c, usersPerPage)
	rows, total, err := s.Users.List(c.Request().Context(), viewer(c), repo.UserQuery{Search: q, Start: start, Count: usersPerPage})
	if err != nil {
		return adminDone(c, "/admin/users", err, "")
	}
	who := viewer(c)
	d := adminUsersData{Search: q, Total: total, Pager: newPager(url.Values{"q": {q}}, "/admin/users", page, usersPerPage, total),
		Admin: visibility.AdministerUsers(who)}
	for _, r := range rows {
		self := r.ID == who.UserID
		row := userRow{UserRow: r, Self: self, CanManage: !self && visibility.ManageUser(who, r.Role) || self && who.Admin(),
			CanRole: who.Admin(), CanDelete: !self && visibility.AdministerUsers(who)}
		if r.VideoQuota != nil {
			row.QuotaMiB = strconv.FormatInt(quotaMiB(*r.VideoQuota), 10)
		}
		if r.VideoQuotaDaily != nil {
			row.DailyMiB = strconv.FormatInt(quotaMiB(*r.VideoQuotaDaily), 10)
		}
		d.Users = append(d.Users, row)
	}
	v := s.view(c, "", d)
	v.Title = v.T("adminpages.users.title")
	adminMessages(c, &v)
	return s.renderView(c, http.StatusOK, "admin_users", v)
}

// formRole reads the role field (0 admin, 1 moderator, 2 user).
func formRole(c echo.Context) (*int, error) {
	v := c.FormValue("role")
	if v == "" {
		return nil, nil
	}
	r, err := strconv.Atoi(v)
	if err != nil {
		return nil, &users.FieldError{Field: "role", Msg: "not a role"}
	}
	return &r, nil
}

func (s *Server) adminUserCreate(c echo.Context) error {
	role, err := formRole(c)
	if err != nil || role == nil {
		return adminDone(c, "/admin/users", &users.FieldError{Field: "role", Msg: "not a role"}, "")
	}
	_, err = s.Users.Create(c.Request().Context(), viewer(c), users.NewUser{Username: strings.TrimSpace(c.FormValue("username")),
		Email: strings.TrimSpace(c.FormValue("email")), Password: c.FormValue("password"), Role: *role})
	return adminDone(c, "/admin/users", err, "created")
}

func (s *Server) adminUserUpdate(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var ch users.Change
	if ch.Role, err = formRole(c); err == nil {
		if ch.VideoQuota, err = mebibytes(c.FormValue("video_quota")); err == nil {
			ch.VideoQuotaDaily, err = mebibytes(c.FormValue("video_quota_daily"))
		}
	}
	if err == nil {
		err = s.Users.Update(c.Request().Context(), viewer(c), id, ch)
	}
	return adminDone(c, "/admin/users", err, "changed")
}

func (s *Server) adminUserBan(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return adminDone(c, "/admin/users", s.Users.Ban(c.Request().Context(), viewer(c), id, strings.TrimSpace(c.FormValue("reason"))), "banned")
}

func (s *Server) adminUserUnban(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return adminDone(c, "/admin/users", s.Users.Unban(c.Request().Context(), viewer(c), id), "unbanned")
}

func (s *Server) adminUserDelete(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return adminDone(c, "/admin/users", s.Users.Delete(c.Request().Context(), viewer(c), id), "deleted")
}
