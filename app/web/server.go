// Package web is Cabane's HTTP face: server-rendered pages, the REST API in
// PeerTube's shapes, and HLS serving. It talks to the domain services and
// the store; nothing below it imports it.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/certs"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/discovery"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
)

// Deps are what the web server is built from.
type Deps struct {
	Config config.Config
	Store  *store.Store
	Auth   *auth.Service
	Videos *videos.Service
	Jobs   *jobs.Queue
	// LAN says which clients are on the home network (family-only videos)
	// and which proxies' X-Forwarded-* headers to believe.
	LAN     *lan.Policy
	Log     *slog.Logger
	Version string
	// Nearby lists the Cabanes found on the LAN.
	Nearby func() []discovery.Peer
	// TLSStatus is the certificate state for the admin.
	TLSStatus func() certs.Status
	// Transcoding is the hardware and encoder state for the admin page.
	Transcoding func() videos.TranscodingStatus
	// SetEncoder stores the admin's encoder choice ("" = automatic).
	SetEncoder func(ctx context.Context, name string) error
}

// Server holds the routes and their dependencies.
type Server struct {
	Deps
	layout   config.Layout
	echo     *echo.Echo
	tmpl     map[string]*template.Template
	hasAdmin atomic.Bool // once true, stays true: saves a query per page
	started  time.Time   // Last-Modified of embedded assets
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.LAN == nil {
		d.LAN = &lan.Policy{}
	}
	s := &Server{Deps: d, layout: config.Layout{Root: d.Config.DataDir}, started: time.Now()}
	tm, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	s.tmpl = tm
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(s.recoverer, s.accessLog, limitBodies(defaultBodyRules), s.locate, s.identify, s.csrf, s.firstRun)
	s.routes(e)
	s.echo = e
	return s, nil
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes(e *echo.Echo) {
	limitPasswords := s.limitPasswordChecks()
	e.GET("/", s.home)
	e.GET("/setup", s.setupPage)
	e.POST("/setup", s.setupSubmit, limitPasswords)
	e.GET("/login", s.loginPage)
	e.POST("/login", s.loginSubmit, limitPasswords)
	e.POST("/logout", s.logout)
	e.GET("/upload", s.uploadPage, s.requireLogin)
	e.POST("/upload", s.uploadForm, s.requireLogin)
	e.GET("/w/:id", s.watch)
	e.GET("/videos/watch/:id", s.watch)
	e.GET("/a/:name", s.accountPage)
	e.GET("/c/:name", s.channelPage)
	e.GET("/static/streaming-playlists/hls/:uuid/*", s.serveHLS)
	e.GET("/lazy-static/thumbnails/:file", s.serveImage)
	e.GET("/lazy-static/previews/:file", s.serveImage)
	e.GET("/static-assets/*", s.serveAsset)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })

	e.GET("/nearby", s.nearbyPage)
	s.adminRoutes(e)
	s.eventRoutes(e)

	api := e.Group("/api/v1")
	api.GET("/config", s.apiConfig)
	api.GET("/oauth-clients/local", s.apiOAuthClient)
	api.POST("/users/token", s.apiToken, limitPasswords)
	api.POST("/users/revoke-token", s.apiRevokeToken)
	api.GET("/users/me", s.apiMe, s.requireAPIUser)
	api.GET("/videos", s.apiVideos)
	api.GET("/videos/:id", s.apiVideo)
	api.POST("/videos/upload", s.apiUpload, s.requireAPIUser)
	api.Any("/*", func(c echo.Context) error { return apiError(http.StatusNotFound, "no such API endpoint") })
}

// baseURL is the scheme and host for absolute links.
func (s *Server) baseURL(c echo.Context) string {
	if s.Config.PublicURL != "" {
		return s.Config.PublicURL
	}
	r := c.Request()
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.LAN.Trusted(r) {
		// Only a trusted reverse proxy may say how the visitor reached it.
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/\\ @") {
			host = h
		}
	}
	return scheme + "://" + host
}

func (s *Server) host(c echo.Context) string {
	b := s.baseURL(c)
	b = strings.TrimPrefix(strings.TrimPrefix(b, "https://"), "http://")
	return b
}

func (s *Server) setupDone(ctx context.Context) bool {
	if s.hasAdmin.Load() {
		return true
	}
	ok, err := s.Store.HasAdmin(ctx)
	if err != nil {
		s.Log.Error("check admin", "err", err)
		return true // don't lock anyone into setup over a read error
	}
	if ok {
		s.hasAdmin.Store(true)
	}
	return ok
}
