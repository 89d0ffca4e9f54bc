package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/store"
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
	ctxHome       = "home"
)

var errCSRF = echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.")

func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
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
		s.Log.Debug("request", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", c.Response().Status, "dur", time.Since(start))
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

// identify resolves the session cookie or the bearer token to a user.
func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return apiError(http.StatusUnauthorized, "Authorization must be a Bearer token")
			}
			u, err := s.Auth.BearerUser(ctx, strings.TrimSpace(tok))
			if errors.Is(err, store.ErrNotFound) {
				return apiError(http.StatusUnauthorized, "invalid or expired token")
			}
			if err != nil {
				return err
			}
			c.Set(ctxUser, &u)
			c.Set(ctxBearer, true)
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, err := s.Auth.SessionUser(ctx, ck.Value)
			switch {
			case err == nil:
				c.Set(ctxUser, &u)
			case errors.Is(err, store.ErrNotFound):
				s.clearCookie(c, sessionCookie)
			default:
				return err
			}
		}
		return next(c)
	}
}

// csrf is a double-submit token: a random cookie that a form field or
// header must repeat. Bearer-authenticated requests are exempt (a browser
// never adds that header by itself), as is the OAuth token endpoint, which
// PeerTube's apps call without cookies. Multipart uploads are checked by the
// upload handler, which reads the field while streaming.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := ""
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			token = ck.Value
		} else {
			b := make([]byte, 32)
			rand.Read(b)
			token = base64.RawURLEncoding.EncodeToString(b)
			c.SetCookie(&http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: 365 * 24 * 3600})
		}
		c.Set(ctxCSRF, token)
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if c.Get(ctxBearer) == true || r.URL.Path == "/api/v1/users/token" || r.URL.Path == "/api/v1/users/revoke-token" {
			return next(c)
		}
		sent := r.Header.Get(csrfHeader)
		if sent == "" && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			sent = c.FormValue(csrfField)
		}
		if sent == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			return next(c) // checked by the streaming upload handler
		}
		if !csrfValid(c, sent) {
			return errCSRF
		}
		c.Set(ctxCSRFOK, true)
		return next(c)
	}
}

func csrfValid(c echo.Context, sent string) bool {
	want, _ := c.Get(ctxCSRF).(string)
	return sent != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// firstRun sends every page to the setup page until an admin exists.
func (s *Server) firstRun(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if p == "/setup" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/static") || p == "/healthz" {
			return next(c)
		}
		if !s.setupDone(c.Request().Context()) {
			return c.Redirect(http.StatusSeeOther, "/setup")
		}
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

func (s *Server) requireAPIUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return apiError(http.StatusUnauthorized, "authentication required: log in or send a Bearer token")
		}
		return next(c)
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

// apiErr is PeerTube's error body (RFC 7807 with its "error" field).
type apiErr struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Error  string `json:"error"`
	Type   string `json:"type,omitempty"`
}

func apiError(status int, msg string, args ...any) error {
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return &echo.HTTPError{Code: status, Message: msg, Internal: errAPI}
}

var errAPI = errors.New("api error")

func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code := http.StatusInternalServerError
	msg := "Something went wrong on the server."
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		}
	} else {
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if code == http.StatusNotFound && msg == "Not Found" {
		msg = "There is nothing at this address."
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") || strings.Contains(c.Request().Header.Get("Accept"), "application/json") && !strings.Contains(c.Request().Header.Get("Accept"), "text/html") {
		c.JSON(code, apiErr{Status: code, Title: http.StatusText(code), Detail: msg, Error: msg})
		return
	}
	s.render(c, code, "error", http.StatusText(code), msg)
}
