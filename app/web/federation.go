package web

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/vocab"
)

// federationRoutes are PeerTube's URLs that are also ActivityPub IRIs
// (pages for browsers, ActivityPub for servers), the actors' collections,
// the inboxes, and the discovery documents. Every IRI in what they answer
// comes from the public URL (s.Federation's Identity), never from the
// request's Host: without a public URL they all answer 404.
func (s *Server) federationRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	e.GET("/videos/watch/:id", s.negotiated(s.watch, s.apVideo), page...)
	e.GET("/accounts/:name", s.negotiated(s.accountPage, s.apAccount), page...)
	e.GET("/video-channels/:name", s.negotiated(s.channelPage, s.apChannel), page...)

	// The federation group: no session, no CSRF (servers sign their
	// requests; the signature check comes with the inbox),
	// ActivityPub-shaped errors.
	fed := []echo.MiddlewareFunc{federationGroup}
	for _, which := range []federation.Which{federation.Followers, federation.Following, federation.Outbox} {
		e.GET("/accounts/:name/"+string(which), s.apCollection(federation.KindAccount, which), fed...)
		e.GET("/video-channels/:name/"+string(which), s.apCollection(federation.KindChannel, which), fed...)
	}
	s.commentRoutes(e, page, fed)
	s.recommendationsFed(e, fed)                                              // recommend (#11)
	e.GET("/redundancy/streaming-playlists/hls/:uuid", s.apCacheFile, fed...) // redundancy (#12)
	e.POST("/inbox", s.inbox(""), fed...)
	e.POST("/accounts/:name/inbox", s.inbox(federation.KindAccount), fed...)
	e.POST("/video-channels/:name/inbox", s.inbox(federation.KindChannel), fed...)

	// Discovery, readable from any origin (PeerTube sends CORS on them).
	disc := append(fed[:len(fed):len(fed)], anyOrigin)
	e.GET("/.well-known/webfinger", s.webfinger, disc...)
	e.GET("/.well-known/host-meta", s.hostMeta, disc...)
	e.GET("/.well-known/nodeinfo", s.nodeInfoLinks, disc...)
	e.GET("/nodeinfo/:file", s.nodeInfo, disc...)
	e.Any("/.well-known/*", func(c echo.Context) error { return echo.NewHTTPError(http.StatusNotFound) }, fed...)
}

// inbox receives an activity POSTed to the shared inbox (kind "") or to
// a local actor's. The body was read whole by limitBodies (1 MiB); the
// inbox refuses more than its own limit, PeerTube's 500 kB.
func (s *Server) inbox(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Inbox == nil {
			return echo.NewHTTPError(http.StatusNotFound, "federation is off on this Cabane")
		}
		r := c.Request()
		body, err := io.ReadAll(io.LimitReader(r.Body, inbox.MaxBody+1))
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "the body could not be read")
		}
		out, err := s.Inbox.Receive(r.Context(), r, body, inbox.Box{Kind: kind, Name: c.Param("name")})
		if err != nil {
			st := inbox.Status(err)
			if st == http.StatusInternalServerError {
				return err
			}
			// The sender's admin reads why in their logs.
			s.Log.Debug("inbox: refused", "status", st, "err", err)
			return &echo.HTTPError{Code: st, Message: err.Error(), Internal: err}
		}
		return c.NoContent(out.Status())
	}
}

// negotiated is negotiate with Vary: Accept on both answers, so that a
// cache never hands a page to a server or JSON to a browser.
func (s *Server) negotiated(html, ap echo.HandlerFunc) echo.HandlerFunc {
	n := s.negotiate(html, ap)
	return func(c echo.Context) error {
		c.Response().Header().Add(echo.HeaderVary, "Accept")
		return n(c)
	}
}

func anyOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderAccessControlAllowOrigin, "*")
		return next(c)
	}
}

// fedError turns the federation service's errors into answers: off and
// unknown are both 404 (a server cannot tell a box that does not
// federate from a thing that does not exist).
func fedError(err error) error {
	switch {
	case errors.Is(err, federation.ErrOff):
		return echo.NewHTTPError(http.StatusNotFound, "federation is off on this Cabane")
	case errors.Is(err, federation.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "not found")
	case errors.Is(err, federation.ErrBadResource):
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	return err
}

// sendJSON writes doc as ctype, without escaping & and < (magnet links
// stay readable; the body is never HTML).
func sendJSON(c echo.Context, ctype string, doc any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode %T: %w", doc, err)
	}
	return c.Blob(http.StatusOK, ctype, buf.Bytes())
}

func (s *Server) apVideo(c echo.Context) error {
	v, err := s.Federation.Video(c.Request().Context(), c.Param("id"))
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, vocab.ContentType, v)
}

// apAccount is an account's Person, or the server actor's Application at
// /accounts/peertube.
func (s *Server) apAccount(c echo.Context) error {
	ctx := c.Request().Context()
	if c.Param("name") == federation.ServerName {
		a, err := s.Federation.Application(ctx)
		if err != nil {
			return fedError(err)
		}
		return sendJSON(c, vocab.ContentType, a)
	}
	p, err := s.Federation.Person(ctx, c.Param("name"))
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, vocab.ContentType, p)
}

func (s *Server) apChannel(c echo.Context) error {
	g, err := s.Federation.Group(c.Request().Context(), c.Param("name"))
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, vocab.ContentType, g)
}

// apCollection is an actor's followers, following or outbox: the
// collection, or one page of it with ?page=N (PeerTube's paging).
func (s *Server) apCollection(kind string, which federation.Which) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		ref, err := s.Federation.CollectionOf(ctx, kind, c.Param("name"), which)
		if err != nil {
			return fedError(err)
		}
		if p := c.QueryParam("page"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > maxStart {
				return echo.NewHTTPError(http.StatusBadRequest, "page must be a positive integer")
			}
			if which == federation.Outbox {
				page, err := s.Federation.OutboxPage(ctx, ref, n)
				if err != nil {
					return fedError(err)
				}
				return sendJSON(c, vocab.ContentType, page)
			}
			page, err := s.Federation.CollectionPage(ctx, ref, n)
			if err != nil {
				return fedError(err)
			}
			return sendJSON(c, vocab.ContentType, page)
		}
		all, err := s.Federation.Collection(ctx, ref)
		if err != nil {
			return fedError(err)
		}
		return sendJSON(c, vocab.ContentType, all)
	}
}

func (s *Server) webfinger(c echo.Context) error {
	j, err := s.Federation.Webfinger(c.Request().Context(), c.QueryParam("resource"))
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, vocab.JRDContentType, j)
}

func (s *Server) hostMeta(c echo.Context) error {
	x, err := s.Federation.HostMeta()
	if err != nil {
		return fedError(err)
	}
	b, err := xml.Marshal(x)
	if err != nil {
		return fmt.Errorf("encode host-meta: %w", err)
	}
	return c.Blob(http.StatusOK, "application/xrd+xml; charset=utf-8", append([]byte(xml.Header), b...))
}

func (s *Server) nodeInfoLinks(c echo.Context) error {
	l, err := s.Federation.NodeInfoLinks()
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, echo.MIMEApplicationJSONCharsetUTF8, l)
}

// nodeInfo is /nodeinfo/2.0.json or /nodeinfo/2.1.json.
func (s *Server) nodeInfo(c echo.Context) error {
	version, ok := strings.CutSuffix(c.Param("file"), ".json")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "Nodeinfo schema version not handled")
	}
	n, err := s.Federation.NodeInfo(c.Request().Context(), version)
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, fmt.Sprintf(vocab.NodeInfoProfile, version), n)
}

// federationState is what the admin's instance page says of federation:
// on, and under which name; or off, why (a catalogue key) and how to turn
// it on.
type federationState struct {
	On     bool
	Host   string
	Reason string
}

func (s *Server) federationState() federationState {
	on, why := s.Federation.On()
	st := federationState{On: on, Reason: why}
	if on {
		st.Host = s.Federation.Identity.URIs().Host()
	}
	return st
}
