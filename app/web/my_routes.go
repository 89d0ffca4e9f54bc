package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/videos"
)

// myPageRoutes are the signed-in user's own pages (#9 point 7): their
// videos, playlists, subscriptions, notifications and settings. Every form
// is a plain POST with the page's CSRF field that works without
// JavaScript, then a redirect back (303) to the page it came from.
// limitPasswords is the login's limiter: the password change shares its
// table, so guessing a password here earns nothing more than at /login.
func (s *Server) myPageRoutes(e *echo.Echo, page []echo.MiddlewareFunc, limitPasswords echo.MiddlewareFunc) {
	user := append(page[:len(page):len(page)], s.requireLogin)
	// The services are looked up per request, not here: a server's
	// services may be wired after New (the tests' rigs do).
	with := func(ready func() bool) []echo.MiddlewareFunc { return whenReady(user, ready) }
	e.GET("/my/videos", s.myVideos, user...)
	e.GET("/my/videos/:id", s.myVideoEdit, user...)
	e.POST("/my/videos/:id", s.myVideoUpdate, user...)
	e.POST("/my/videos/:id/delete", s.myVideoDelete, user...)

	pl := with(func() bool { return s.Playlists != nil })
	e.GET("/my/playlists", s.myPlaylists, pl...)
	e.POST("/my/playlists", s.myPlaylistCreate, pl...)
	e.POST("/my/playlists/add", s.myPlaylistAdd, pl...)
	e.GET("/my/playlists/:id", s.myPlaylist, pl...)
	e.POST("/my/playlists/:id", s.myPlaylistUpdate, pl...)
	e.POST("/my/playlists/:id/delete", s.myPlaylistDelete, pl...)
	e.POST("/my/playlists/:id/elements/:elementId/remove", s.myPlaylistRemove, pl...)
	e.POST("/my/playlists/:id/elements/:elementId/move", s.myPlaylistMove, pl...)

	sub := with(func() bool { return s.Subscriptions != nil })
	e.GET("/my/subscriptions", s.mySubscriptions, sub...)
	e.POST("/my/subscriptions", s.mySubscribe, sub...)
	e.POST("/my/subscriptions/delete", s.myUnsubscribe, sub...)
	e.POST("/my/subscriptions/feed-token", s.myRenewFeedToken, sub...)

	no := with(func() bool { return s.Notifications != nil })
	e.GET("/my/notifications", s.myNotifications, no...)
	e.POST("/my/notifications/read", s.myNotificationsRead, no...)
	e.POST("/my/notifications/read-all", s.myNotificationsReadAll, no...)
	e.GET("/my/settings/notifications", s.myNotificationSettings, no...)
	e.POST("/my/settings/notifications", s.myNotificationSettingsSave, no...)

	pr := with(func() bool { return s.Profile != nil })
	e.GET("/my/settings", s.mySettings, pr...)
	e.POST("/my/settings/profile", s.mySettingsProfile, pr...)
	e.POST("/my/settings/password", s.mySettingsPassword, append(pr[:len(pr):len(pr)], limitPasswords)...)
	// The avatar form is multipart: the CSRF middleware reads its field
	// from the (bounded) form like any other.
	e.POST("/my/settings/avatar", s.mySettingsAvatar, pr...)
	e.POST("/my/settings/avatar/delete", s.mySettingsAvatarDelete, pr...)
	e.GET("/lazy-static/avatars/:file", func(c echo.Context) error {
		if s.Profile == nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return s.serveAvatar(c)
	})
}

// myError turns a domain refusal into the status and sentence a page
// shows, in the visitor's language; ok is false for the errors the error
// page handles (not found, the rest).
func myError(v view, err error) (int, string, bool) {
	var vf *videos.FieldError
	var pf *playlists.FieldError
	var nf *notifications.FieldError
	switch {
	case errors.As(err, &vf):
		return http.StatusBadRequest, v.T("my.error.field", v.T("my.field."+vf.Field), vf.Msg), true
	case errors.As(err, &pf):
		return http.StatusBadRequest, v.T("my.error.field", v.T("my.field."+pf.Field), pf.Msg), true
	case errors.As(err, &nf):
		return http.StatusBadRequest, v.T("my.error.invalid"), true
	case errors.Is(err, videos.ErrForbidden), errors.Is(err, playlists.ErrForbidden):
		return http.StatusForbidden, v.T("my.error.forbidden"), true
	case errors.Is(err, subscriptions.ErrLoginRequired):
		return http.StatusUnauthorized, v.T("my.error.forbidden"), true
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound, v.T("my.error.not_found"), true
	}
	return 0, "", false
}

// back redirects to the local path the form named in "next", else to
// fallback: the forms on other pages (watch, channel) come back there.
func back(c echo.Context, fallback string) error {
	if n := c.FormValue("next"); n != "" {
		return c.Redirect(http.StatusSeeOther, safeNext(n))
	}
	return c.Redirect(http.StatusSeeOther, fallback)
}

// refuse answers a refused form: the error page with the sentence, or
// err itself when it is not a refusal.
func (s *Server) refuse(c echo.Context, err error) error {
	if code, msg, ok := myError(s.view(c, "", nil), err); ok {
		return echo.NewHTTPError(code, msg)
	}
	return err
}

// whenReady is mws plus a check that answers 404 while ready says a
// service the routes need is not wired. Services may be wired after New
// (the tests' rigs do), so it is asked per request.
func whenReady(mws []echo.MiddlewareFunc, ready func() bool) []echo.MiddlewareFunc {
	return append(mws[:len(mws):len(mws)], func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !ready() {
				return echo.NewHTTPError(http.StatusNotFound)
			}
			return next(c)
		}
	})
}
