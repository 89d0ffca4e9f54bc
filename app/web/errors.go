package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

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
	code := http.StatusInternalServerError
	msg := "Something went wrong on the server."
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		code = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		}
	case errors.Is(err, model.ErrNotFound):
		code, msg = http.StatusNotFound, "There is nothing at this address."
	case errors.Is(err, model.ErrFull):
		code, msg = http.StatusInsufficientStorage, "The box's disk is full: nothing was changed."
		s.Log.Error("request failed: disk full", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	case errors.Is(err, model.ErrBusy):
		code, msg = http.StatusServiceUnavailable, "The box is busy; try again in a moment."
		c.Response().Header().Set("Retry-After", "1")
	default:
		s.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if code == http.StatusNotFound && (msg == "Not Found" || msg == "") {
		msg = "There is nothing at this address."
	}
	if code == http.StatusMethodNotAllowed && msg == "Method Not Allowed" {
		msg = "This address does not take this method."
	}
	switch errorKind(c) {
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
		s.render(c, code, "error", http.StatusText(code), msg)
	}
}
