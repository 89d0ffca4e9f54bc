package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
)

const reportsPerPage = 20

// queueItem is one report of /admin/moderation.
type queueItem struct {
	model.Abuse
	Kind string // "video", "comment" or "account": the catalogue's word
}

type adminModerationData struct {
	State   int // the list shown: 1 open, 2 rejected, 3 accepted
	Reports []queueItem
	Total   int
	Pager   pager
	Blocked []model.AccountBlock
}

func abuseKind(a model.Abuse) string {
	switch {
	case a.CommentID != 0:
		return "comment"
	case a.VideoID != 0 || a.VideoUUID != "":
		return "video"
	}
	return "account"
}

// adminModeration is the queue: the open reports, oldest first, with
// what they are about and who reported them; ?state=2 or 3 shows the
// rejected or accepted ones. Below, the accounts the server blocks.
func (s *Server) adminModeration(c echo.Context) error {
	ctx := c.Request().Context()
	state, _ := strconv.Atoi(c.QueryParam("state"))
	if state < model.AbusePending || state > model.AbuseAccepted {
		state = model.AbusePending
	}
	page, start := pageParam(c, reportsPerPage)
	list, total, err := s.moderation().Queue(ctx, viewer(c), state, start, reportsPerPage)
	if err != nil {
		return adminDone(c, "/admin/moderation", err, "")
	}
	d := adminModerationData{State: state, Total: total,
		Pager: newPager(url.Values{"state": {strconv.Itoa(state)}}, "/admin/moderation", page, reportsPerPage, total)}
	for _, a := range list {
		d.Reports = append(d.Reports, queueItem{Abuse: a, Kind: abuseKind(a)})
	}
	if d.Blocked, _, err = s.moderation().Blocked(ctx, viewer(c), 0, 100); err != nil {
		return adminDone(c, "/admin/moderation", err, "")
	}
	v := s.view(c, "", d)
	v.Title = v.T("adminpages.moderation.title")
	adminMessages(c, &v)
	return s.renderView(c, http.StatusOK, "admin_moderation", v)
}

func (s *Server) adminAbuseResolve(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	accept := c.FormValue("decision") == "accept"
	done := "rejected"
	if accept {
		done = "accepted"
	}
	err = s.moderation().Resolve(c.Request().Context(), viewer(c), id, accept, strings.TrimSpace(c.FormValue("note")))
	return adminDone(c, "/admin/moderation", err, done)
}

func (s *Server) adminAbuseDeleteContent(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return adminDone(c, "/admin/moderation", s.moderation().DeleteContent(c.Request().Context(), viewer(c), id), "content_deleted")
}

func (s *Server) adminAbuseBlockAccount(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	return adminDone(c, "/admin/moderation", s.moderation().BlockAccount(c.Request().Context(), viewer(c), id), "blocked")
}

func (s *Server) adminUnblockAccount(c echo.Context) error {
	err := s.moderation().Unblock(c.Request().Context(), viewer(c), strings.TrimSpace(c.FormValue("account")))
	return adminDone(c, "/admin/moderation", err, "unblocked")
}
