package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

const (
	sessionCookie = "cabane_session"
	csrfCookie    = "cabane_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
	ctxUser       = "user"
	ctxBearer     = "bearer"
	ctxCSRF       = "csrf"
	ctxCSRFOK     = "csrf-ok"
	ctxCSRFFailed = "csrf-failed"
	ctxHome       = "home"
	ctxFederation = "federation"

	// A form other than an upload is a few short fields.
	maxFormBytes = 1 << 20
)

// errCSRF says, in the visitor's language on a page and in English in
// JSON, that the form must be sent again.
var errCSRF = pageError(http.StatusForbidden, "errors.csrf")

func currentUser(c echo.Context) *model.User {
	u, _ := c.Get(ctxUser).(*model.User)
	return u
}

// viewer is who asks, for the visibility rules.
func viewer(c echo.Context) visibility.Viewer {
	v := visibility.Of(currentUser(c), atHome(c))
	withPasswords(c, &v) // password-protected videos (creator_routes.go)
	// supporter-only videos (supporters.go)
	withSupporters(c, &v)
	return v
}

func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.Log.Error("panic serving request", "path", c.Request().URL.Path, "panic", r)
				err = echo.NewHTTPError(http.StatusInternalServerError, "internal error")
			}
		}()
		return next(c)
	}
}

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		// Asked first: the attributes cost allocations on every request
		// (a playlist's whole answer is ~40 µs) for a line rarely kept.
		if s.Log.Enabled(c.Request().Context(), slog.LevelDebug) {
			s.Log.Debug("request", "method", c.Request().Method, "path", c.Request().URL.Path,
				"status", c.Response().Status, "dur", time.Since(start))
		}
		return nil
	}
}

// locate notes whether the client is on the home network.
func (s *Server) locate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxHome, s.LAN.IsHome(s.LAN.Client(c.Request())))
		return next(c)
	}
}

func atHome(c echo.Context) bool { return c.Get(ctxHome) == true }

// identifySession resolves the session cookie to a user.
func (s *Server) identifySession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.sessionUser(c); err != nil {
			return err
		}
		return next(c)
	}
}

func (s *Server) sessionUser(c echo.Context) error {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	u, err := s.Auth.SessionUser(c.Request().Context(), ck.Value)
	switch {
	case err == nil:
		c.Set(ctxUser, &u)
	case errors.Is(err, model.ErrNotFound):
		s.clearCookie(c, sessionCookie)
	default:
		return err
	}
	return nil
}

// identifyAPI resolves a bearer token, as PeerTube's apps send it, or the
// session of the site's own pages. A session only counts on a request that
// changes something when it repeats the CSRF token in X-CSRF-Token: a
// browser adds cookies to forged cross-site requests, never that header.
func (s *Server) identifyAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return apiError(http.StatusUnauthorized, "Authorization must be a Bearer token")
			}
			u, err := s.Auth.BearerUser(r.Context(), strings.TrimSpace(tok))
			if errors.Is(err, model.ErrNotFound) {
				return apiError(http.StatusUnauthorized, "invalid or expired token")
			}
			if err != nil {
				return err
			}
			c.Set(ctxUser, &u)
			c.Set(ctxBearer, true)
			return next(c)
		}
		if !safeMethod(r.Method) {
			ck, err := c.Cookie(csrfCookie)
			sent := r.Header.Get(csrfHeader)
			if err != nil || len(ck.Value) < 32 || sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(ck.Value)) != 1 {
				// Anonymous. A session cookie without its token is a
				// forged or stale form: say so where a user is needed.
				if sc, err := c.Cookie(sessionCookie); err == nil && sc.Value != "" {
					c.Set(ctxCSRFFailed, true)
				}
				return next(c)
			}
			c.Set(ctxCSRF, ck.Value)
			c.Set(ctxCSRFOK, true)
		}
		if err := s.sessionUser(c); err != nil {
			return err
		}
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrf is a double-submit token for pages: a random cookie that a form
// field or header must repeat on every state-changing request, whatever
// the form's encoding. Only pages set the cookie.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.csrfCookie(c)
		r := c.Request()
		if safeMethod(r.Method) {
			return next(c)
		}
		sent := r.Header.Get(csrfHeader)
		if sent == "" {
			if err := readSmallForm(c); err != nil {
				return err
			}
			sent = r.PostForm.Get(csrfField)
		}
		if !csrfValid(c, sent) {
			return errCSRF
		}
		c.Set(ctxCSRFOK, true)
		return next(c)
	}
}

// csrfStreaming sets the token for a form whose handler streams its body
// and checks the token itself, before storing any file.
func (s *Server) csrfStreaming(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.csrfCookie(c)
		if sent := c.Request().Header.Get(csrfHeader); sent != "" {
			if !csrfValid(c, sent) {
				return errCSRF
			}
			c.Set(ctxCSRFOK, true)
		}
		return next(c)
	}
}

func (s *Server) csrfCookie(c echo.Context) {
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		c.Set(ctxCSRF, ck.Value)
		return
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: 365 * 24 * 3600})
	c.Set(ctxCSRF, token)
}

func csrfValid(c echo.Context, sent string) bool {
	want, _ := c.Get(ctxCSRF).(string)
	return sent != "" && want != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// readSmallForm parses a page's form. limitBodies has already read the
// body into memory (at most a MiB, no file parts), so parsing it spills
// nothing to the temporary directory.
func readSmallForm(c echo.Context) error {
	r := c.Request()
	if r.PostForm != nil {
		return nil
	}
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return pageError(http.StatusBadRequest, "errors.form_unreadable")
	}
	return nil
}

// firstRun sends every page to the setup page until an admin exists.
func (s *Server) firstRun(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.Path != "/setup" && !s.setupDone(c.Request().Context()) {
			return c.Redirect(http.StatusSeeOther, "/setup")
		}
		return next(c)
	}
}

// pageHeaders: no page may be framed by another site (the admin's forms
// would be clickjacking targets); the embed player has its own route.
func pageHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		return next(c)
	}
}

func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

func requireAPIUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get(ctxCSRFFailed) == true {
			return errCSRF
		}
		if currentUser(c) == nil {
			return apiError(http.StatusUnauthorized, "authentication required: log in or send a Bearer token")
		}
		return next(c)
	}
}

// apiCORS answers as PeerTube's API does (express cors() with its
// defaults): any origin, the usual methods, whatever headers are asked.
func apiCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Add("Vary", "Access-Control-Request-Headers")
		return next(c)
	}
}

func apiPreflight(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
	if rh := c.Request().Header.Get("Access-Control-Request-Headers"); rh != "" {
		h.Set("Access-Control-Allow-Headers", rh)
	}
	h.Set("Access-Control-Max-Age", "86400")
	return c.NoContent(http.StatusNoContent)
}

// wantsActivityPub reports an ActivityPub Accept header.
func wantsActivityPub(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/activity+json") ||
		strings.Contains(a, "application/ld+json") && strings.Contains(a, "https://www.w3.org/ns/activitystreams")
}

// federationGroup marks a request as the federation group's, whose errors
// are ActivityPub-shaped.
func federationGroup(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxFederation, true)
		return next(c)
	}
}

// negotiate serves one of PeerTube's URLs as a page or, to a server asking
// for ActivityPub, as an ActivityPub object.
func (s *Server) negotiate(html, ap echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !wantsActivityPub(c.Request()) {
			return html(c)
		}
		c.Set(ctxFederation, true)
		return ap(c)
	}
}

func (s *Server) secure(c echo.Context) bool {
	return strings.HasPrefix(s.baseURL(c), "https://")
}

func (s *Server) setSession(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: int((30 * 24 * time.Hour).Seconds())})
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(c), MaxAge: -1})
}
