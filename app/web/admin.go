package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// adminRoutes registers the admin pages. Every one of them, the forms
// included, goes through requireAdmin: hiding a link is not a check.
func (s *Server) adminRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	g := e.Group("/admin", append(page[:len(page):len(page)], s.requireAdmin)...)
	g.GET("", s.adminOverview)
	g.GET("/", s.adminOverview)
	g.GET("/transcoding", s.adminTranscoding)
	g.POST("/transcoding/encoder", s.adminSetEncoder)
	g.POST("/jobs/:id/retry", s.adminRetryJob)
	g.POST("/jobs/:id/cancel", s.adminCancelJob)
	g.GET("/update", s.adminUpdate)
	// The update file streams: its CSRF field is checked by the handler
	// as it reads, before the file (as the upload form does).
	e.POST("/admin/update", s.adminUpdateUpload, s.identifySession, s.csrfStreaming, s.firstRun, pageHeaders, s.requireAdmin)
}

// requireAdmin lets administrators through. Anonymous visitors are sent
// to log in; logged-in users who are not admins get the same 404 as an
// address that does not exist, so the admin pages are not advertised.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := currentUser(c)
		if u == nil {
			next := c.Request().URL.RequestURI()
			if c.Request().Method != http.MethodGet {
				next = "/admin" // after logging in, a form's target is no page to land on
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		}
		if !u.IsAdmin() {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return next(c)
	}
}

// noticeFrom is the message a form's redirect asks the page to show with
// ?done=<key>: the query string picks one of these and never carries text
// of its own onto the page.
func noticeFrom(c echo.Context, w words) string {
	switch c.QueryParam("done") {
	case "encoder":
		return w.T("admin.notice.encoder")
	case "retried":
		return w.T("admin.notice.retried")
	case "cancelled":
		return w.T("admin.notice.cancelled")
	}
	return ""
}
