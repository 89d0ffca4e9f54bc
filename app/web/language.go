package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

const (
	ctxLang    = "lang"
	langCookie = "lang"
)

// language chooses the visitor's language for every page: the switcher's
// cookie, else the browser's Accept-Language. Pages in other languages are
// other representations of the same URL, so caches must keep them apart.
func (s *Server) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		picked := ""
		if ck, err := c.Cookie(langCookie); err == nil {
			picked = ck.Value
		}
		c.Set(ctxLang, s.msgs.Choose(picked, c.Request().Header.Get("Accept-Language")))
		c.Response().Header().Add("Vary", "Accept-Language, Cookie")
		return next(c)
	}
}

// switchLanguage is the switcher's link (GET /lang/:code?next=/path): it
// remembers the choice for a year and goes back to the page. A preference
// cookie is all it changes, so a GET without a CSRF token is harmless.
func (s *Server) switchLanguage(c echo.Context) error {
	code := c.Param("code")
	if !s.msgs.Has(code) {
		return echo.NewHTTPError(http.StatusNotFound, "Cabane does not speak this language")
	}
	setLanguageCookie(c, code)
	return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
}

// setLanguageCookie remembers the visitor's language for a year (the
// switcher and the settings page).
func setLanguageCookie(c echo.Context, code string) {
	c.SetCookie(&http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
}
