package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/model"
)

// problem is PeerTube's error body (RFC 7807 with its "error" and "code"
// fields), as PeerTube 6 and 7 send it.
type problem struct {
	Type          string                  `json:"type,omitempty"`
	Title         string                  `json:"title"`
	Status        int                     `json:"status"`
	Detail        string                  `json:"detail"`
	Error         string                  `json:"error"`
	Code          string                  `json:"code,omitempty"`
	InvalidParams map[string]invalidParam `json:"invalid-params,omitempty"`
}

// invalidParam names the field that was wrong, as express-validator does.
type invalidParam struct {
	Msg      string `json:"msg"`
	Param    string `json:"param"`
	Location string `json:"location"`
}

// activityError is the body of an error answered to a federating server.
type activityError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

// apiDetail rides in an echo.HTTPError's Internal: what the API's error
// body says beyond the message.
type apiDetail struct {
	code  string
	field string
}

func (d *apiDetail) Error() string { return "api error " + d.code }

func apiError(status int, msg string, args ...any) error {
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return &echo.HTTPError{Code: status, Message: msg, Internal: &apiDetail{}}
}

// fieldError is a 400 that names the request field at fault.
func fieldError(field, msg string, args ...any) error {
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return &echo.HTTPError{Code: http.StatusBadRequest, Message: msg, Internal: &apiDetail{field: field}}
}

// pageMsg rides in an echo.HTTPError's Internal: the message is a
// catalogue key, said in the visitor's language on a page and in English
// (as PeerTube's) in a JSON error. pageError makes one.
type pageMsg struct {
	key  string
	args []any
}

func (m *pageMsg) Error() string { return "page message " + m.key }

// pageError is an error whose message is the catalogue's key (its
// Message is the key too, for logs; errText says it).
func pageError(status int, key string, args ...any) error {
	return &echo.HTTPError{Code: status, Message: key, Internal: &pageMsg{key: key, args: args}}
}

// errText is what an HTTP error says in w's language: its catalogue
// message when it has one, else its own text.
func errText(w words, he *echo.HTTPError) string {
	var m *pageMsg
	if errors.As(he.Internal, &m) {
		return w.T(m.key, m.args...)
	}
	if msg, ok := he.Message.(string); ok {
		return msg
	}
	return fmt.Sprint(he.Message)
}

// errorKind says how an error is rendered: by route group.
func errorKind(c echo.Context) string {
	r := c.Request()
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"), strings.HasPrefix(r.URL.Path, "/feeds/"), r.URL.Path == "/services/oembed":
		return "api"
	case c.Get(ctxFederation) == true || wantsActivityPub(r):
		return "activitypub"
	case strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html"):
		return "api"
	}
	return "html"
}

func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	kind := errorKind(c)
	// Pages speak the visitor's language; JSON errors speak English, as
	// PeerTube's do.
	w := s.words(i18n.Default)
	if kind == "html" {
		w = s.pageWords(c)
	}
	code, key := http.StatusInternalServerError, "errors.server"
	msg := ""
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		code, key = he.Code, ""
		msg = errText(w, he)
	case errors.Is(err, model.ErrNotFound):
		code, key = http.StatusNotFound, "errors.not_found"
	case errors.Is(err, model.ErrFull):
		code, key = http.StatusInsufficientStorage, "errors.disk_full"
		s.Log.Error("request failed: disk full", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	case errors.Is(err, model.ErrBusy):
		code, key = http.StatusServiceUnavailable, "errors.busy"
		c.Response().Header().Set("Retry-After", "1")
	default:
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if code == http.StatusNotFound && (msg == "Not Found" || msg == "") {
		key = "errors.not_found"
	}
	if code == http.StatusMethodNotAllowed && msg == "Method Not Allowed" {
		key = "errors.method"
	}
	if key != "" {
		msg = w.T(key)
	}
	switch kind {
	case "api":
		p := problem{Title: http.StatusText(code), Status: code, Detail: msg, Error: msg}
		var d *apiDetail
		if he != nil && errors.As(he.Internal, &d) {
			p.Code = d.code
			if d.field != "" {
				p.InvalidParams = map[string]invalidParam{d.field: {Msg: msg, Param: d.field, Location: "body"}}
			}
		}
		c.JSON(code, p)
	case "activitypub":
		b, _ := json.Marshal(activityError{Error: msg, Status: code})
		c.Blob(code, "application/activity+json; charset=utf-8", b)
	default:
		s.render(c, code, "error", statusTitle(w, code), msg)
	}
}

// statusTitle is the error page's title: the status's name in the page's
// language ("errors.status.404"), else Go's English name.
func statusTitle(w words, code int) string {
	key := fmt.Sprintf("errors.status.%d", code)
	if t := w.T(key); t != key {
		return t
	}
	return http.StatusText(code)
}
