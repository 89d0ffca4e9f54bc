package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// The report forms of the watch, channel and account pages: plain POSTs
// with the page's CSRF field (the route group checks it), signed-in users
// only (requireLogin), filed through app/abuses like /api/v1/abuses, then
// back to the page with a notice.

// reportForm reads a report form's reason and predefined reasons.
func reportForm(c echo.Context) (abuses.Report, error) {
	f, err := c.FormParams()
	if err != nil {
		return abuses.Report{}, pageError(http.StatusBadRequest, "public.report.reason_invalid")
	}
	return abuses.Report{Reason: strings.TrimSpace(f.Get("reason")), PredefinedReasons: f["predefinedReasons"]}, nil
}

// fileReport files r and sends the browser back to where the form was
// (its "next" field, a local path only), or to fallback.
func (s *Server) fileReport(c echo.Context, r abuses.Report, fallback, anchor string) error {
	if _, err := s.Abuses.File(c.Request().Context(), viewer(c), r); err != nil {
		return pageReportError(err)
	}
	back := fallback
	if n := c.FormValue("next"); n != "" {
		back = safeNext(n)
	}
	u, err := url.Parse(back)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("done", "reported")
	u.RawQuery, u.Fragment = q.Encode(), anchor
	return c.Redirect(http.StatusSeeOther, u.String())
}

// pageReportError says in the visitor's language what app/abuses refused.
func pageReportError(err error) error {
	var fe *abuses.FieldError
	switch {
	case errors.As(err, &fe):
		return pageError(http.StatusBadRequest, "public.report.reason_invalid")
	case errors.Is(err, abuses.ErrLoginRequired):
		return pageError(http.StatusUnauthorized, "public.report.login")
	case errors.Is(err, model.ErrNotFound):
		return pageError(http.StatusNotFound, "public.report.gone")
	}
	return err
}

func (s *Server) reportVideo(c echo.Context) error {
	r, err := reportForm(c)
	if err != nil {
		return err
	}
	r.VideoRef = c.Param("id")
	return s.fileReport(c, r, uris.Watch(c.Param("id")), "report-video")
}

func (s *Server) reportComment(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("commentId"), 10, 64)
	if err != nil || id <= 0 {
		return pageError(http.StatusNotFound, "public.report.gone")
	}
	r, err := reportForm(c)
	if err != nil {
		return err
	}
	r.CommentID = id
	return s.fileReport(c, r, uris.Watch(c.Param("id")), "c-"+strconv.FormatInt(id, 10))
}

func (s *Server) reportAccount(c echo.Context) error {
	a, err := s.Accounts.Account(c.Request().Context(), c.Param("name"))
	if err != nil {
		return notFound(err, "errors.no_account")
	}
	r, err := reportForm(c)
	if err != nil {
		return err
	}
	r.AccountID = a.ID
	return s.fileReport(c, r, uris.AccountPage(a.Name), "report-account")
}
