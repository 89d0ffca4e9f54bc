// Package web is Cabane's HTTP face: server-rendered pages, the REST API in
// PeerTube's shapes, and HLS serving. It talks to the domain services and
// the store; nothing below it imports it.
package web

import (
	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/p2p"
	"cabane.dev/cabane/assets"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/backup"
	"cabane.dev/cabane/app/bandwidth"
	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/captions"
	"cabane.dev/cabane/app/certs"
	"cabane.dev/cabane/app/chapters"
	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/discovery"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/move"
	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/instance"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/moderation"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/p2p/tracker"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/ratings"
	"cabane.dev/cabane/app/recommendations"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/supporters"
	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/userimport"
	"cabane.dev/cabane/app/users"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/views"
)

// Deps are what the web server is built from: domain services, never the
// store (go list -deps ./app/web/... shows no app/store).
type Deps struct {
	Config   config.Config
	Auth     *auth.Service
	Accounts *accounts.Service
	Videos   *videos.Service
	Jobs     *jobs.Queue
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
	Transcoding func() transcoding.Status
	// SetEncoder stores the admin's encoder choice ("" = automatic).
	SetEncoder func(ctx context.Context, name string) error
	// MDNSName is the name the box answers to on the LAN ("cabane-2.local")
	// and, when it had to pick another, the one it wanted ("cabane.local");
	// nil: the configured name.
	MDNSName func() (name, wanted string)
	// Update installs signed releases from the admin page; nil: not offered.
	Update *UpdateHooks
	// Feeds builds feeds, oEmbed answers and link previews; nil: built
	// here from Videos and Accounts.
	Feeds *feeds.Service
	// --- torrents (#9 points 1, 2) ---
	// Torrents builds each published file's torrent; nil: built here from
	// Videos (the App's also hashes at publication and start).
	Torrents *torrents.Service
	// --- end torrents ---
	// --- community (helper C, #9 point 6) ---
	Comments *comments.Service
	Ratings  *ratings.Service
	Views    *views.Service
	// --- end community ---
	// --- social: playlists, subscriptions, notifications (helper E, #9 point 6) ---
	Playlists     *playlists.Service
	Subscriptions *subscriptions.Service
	Notifications *notifications.Service
	// --- end social ---
	// --- search (helper D, #9 point 5) ---
	Search *search.Service
	// --- end search ---
	// --- moderation (helper F, #9 point 8) ---
	Abuses    *abuses.Service
	Blocklist *blocklist.Service
	// --- end moderation ---
	// --- creator: captions, chapters (helper creator, #9 point 4) ---
	Captions *captions.Service
	Chapters *chapters.Service
	// --- end creator ---
	// --- my pages: settings (helper H, #9 point 7) ---
	Profile *profile.Service
	// --- end my pages ---
	// --- admin pages: instance, users, moderation queue (#9 points 7, 8) ---
	Instance   *instance.Service   // nil: the configured name, no /about settings
	Users      *users.Service      // nil: no /admin/users
	Moderation *moderation.Service // nil: built from Abuses, Videos, Comments and Blocklist (Server.moderation)
	// --- end admin pages ---
	// --- federation: actors, videos, discovery (#10) ---
	Federation *federation.Service // nil: federation off (404s, and the admin page says why)
	// --- end federation ---
	// --- inbox and follows (#10) ---
	Inbox   *inbox.Service   // nil: inboxes answer 404
	Follows *follows.Service // nil: nobody follows (counts 0, empty lists)
	// --- end inbox ---
	// --- admin federation page (#10 point 8, admin_federation.go) ---
	Delivery        DeliveryReport  // nil: the delivery health section lists no host
	ServerFollowing FollowingSource // nil: the following section lists none (noFollowing)
	// --- end admin federation page ---
	// --- following (#10): remote channels' videos ---
	Following *following.Service // nil: no remote videos
	// Usage counts what the server holds, local rows apart (GET
	// /api/v1/server/stats); nil: the endpoint answers 404.
	Usage func(ctx context.Context) (model.Usage, error)
	// --- end following ---
	// Funding: support texts and funding links (#11); nil: pages show the
	// support texts only, and nobody edits them.
	Funding *funding.Service
	// --- backup (#11 point 5, admin_backup.go) ---
	Backups *backup.Manager // nil: one on the data directory, made here
	// --- end backup ---
	// Moves: aliases, moving out, moved pages' redirects (#11); nil: none.
	Moves *move.Service
	// --- export (#11 point 4): user exports; nil: not offered ---
	Exports *userexport.Service
	// Imports: user imports (#11 point 4, user_imports.go); nil: not offered.
	Imports *userimport.Service
	// --- supporters (#11): supporter-only videos, access links ---
	Supporters *supporters.Service // nil: no supporters (supporter-only videos: their creator and moderators only)
	// --- end supporters ---
	// Recommendations: channels' recommended videos and channels (#11); nil: none.
	Recommendations *recommendations.Service
	// --- tracker (#12 point 2, tracker.go) ---
	// Tracker is the WebTorrent tracker's limits (its Allow is the
	// server's); nil: /tracker/socket answers 404.
	Tracker *tracker.Options
	// STUNPort is the UDP port the box's STUN server listens on, 0 when it
	// is off; nil: off.
	STUNPort func() int
	// --- end tracker ---
	// Mirrors: who mirrors local videos, the admin's policy, and what this
	// box mirrors (#12, redundancy); nil: no mirror is listed.
	Mirrors *redundancy.Service
	// Bandwidth: the upstream capacity and the remote viewers (#12 point
	// 5, bandwidth.go); nil: no player is capped, no admin page.
	Bandwidth *bandwidth.Service
}

// Server holds the routes and their dependencies.
type Server struct {
	Deps
	layout   config.Layout
	echo     *echo.Echo
	tmpl     *templates
	msgs     *i18n.Catalog    // the interface's strings, English and French
	md       *markup.Renderer // descriptions, about page: Markdown made safe
	hasAdmin atomic.Bool      // once true, stays true: saves a query per page
	cache    *microcache
	listBufs listBuffers // the video lists' JSON buffers (api_json_append.go)
	setup    setupCode
	started  time.Time  // Last-Modified of embedded assets
	unlock   unlockKeys // signs the password-protected videos' cookies
	activity activity   // requests in flight, for RunIdleTrim (idle.go)
	// playlists keeps small HLS text files in memory (playlist_cache.go).
	playlists *playlistCache
	// swarms: the P2P info hashes handed out, by video (p2p.go).
	swarms  *p2p.Swarms
	relearn relearnedSwarms  // after a restart (p2p.go)
	tracker *tracker.Tracker // nil: none (tracker.go)
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.LAN == nil {
		d.LAN = &lan.Policy{}
	}
	s := &Server{Deps: d, layout: config.Layout{Root: d.Config.DataDir}, started: time.Now(), unlock: newUnlockKeys(), playlists: newPlaylistCache(d.Videos.ListingGeneration), swarms: p2p.NewSwarms(0)}
	if s.ServerFollowing == nil && s.Following != nil {
		s.ServerFollowing = s.Following // the admin page lists the server's follows
	}
	if s.Feeds == nil {
		s.Feeds = &feeds.Service{Videos: d.Videos, Accounts: d.Accounts, Layout: s.layout}
		if d.Comments != nil {
			s.Feeds.Comments = d.Comments
		}
		if d.Following != nil {
			s.Feeds.Remote = d.Following
		}
	}
	if s.Torrents == nil {
		s.Torrents = &torrents.Service{Videos: d.Videos, Layout: s.layout, Log: cmpLogger(d.Log)}
	}
	if s.Torrents.Muxer == nil {
		// The web video files the torrents describe are the ones the
		// downloads serve: one maker, so one mux per file.
		s.Torrents.Muxer = s.Feeds
	}
	tm, err := loadTemplates(assets.Templates())
	if err != nil {
		return nil, err
	}
	s.tmpl = tm
	s.md = markup.New()
	if s.msgs, err = i18n.Load(assets.Locales()); err != nil {
		return nil, err
	}
	s.cache = newMicrocache(time.Second, d.Videos.ListingGeneration)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	// Only what every response needs runs for all: each route group adds
	// its own rules (see routes). Bodies are bounded first, before anything
	// reads one.
	e.Pre(apiTrailingSlash)
	e.Use(s.activity.middleware, s.recoverer, s.accessLog, limitBodies(defaultBodyRules), s.locate, s.unlockMiddleware)
	s.routes(e)
	s.echo = e
	s.tracker = s.newTracker()
	return s, nil
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.serveTracker(s.publicPlaylists(s.echo)) }

// The three route groups, each with its own rules:
//   - pages: session cookie, CSRF on every state-changing form whatever its
//     encoding, the first-run redirect, framing refused, HTML errors;
//   - api (/api/v1): bearer token or session, CORS as PeerTube sends it, no
//     CSRF for bearer requests, 401 for the anonymous, JSON errors in
//     PeerTube's shape;
//   - federation: content negotiation on PeerTube's URLs, no CSRF,
//     activity+json errors.
//
// Files (HLS, images, assets) are a fourth, plain kind: the session only
// (private videos), no cookie set, so shared caches can keep public ones.
func (s *Server) routes(e *echo.Echo) {
	// Pages and API answers are gzipped for clients that accept it
	// (compress.go); files are not (sendfile).
	page := []echo.MiddlewareFunc{compressResponses, s.identifySession, s.language, s.csrf, s.firstRun, pageHeaders}
	files := []echo.MiddlewareFunc{s.identifySession, s.fileTokens}
	api := []echo.MiddlewareFunc{compressResponses, apiCORS, s.identifyAPI}
	// Password checks are rate-limited per client, counting the requests
	// that would hash: a forged form is refused by CSRF, cheaply, first.
	limitPasswords := s.limitPasswordChecks()
	limited := append(page[:len(page):len(page)], limitPasswords)

	// Anonymous listings may come from a one-second cache (microcache.go).
	listing := append(page[:len(page):len(page)], s.cache.middleware(s))
	e.GET("/", s.home, listing...)
	e.GET("/setup", s.setupPage, page...)
	e.POST("/setup", s.setupSubmit, limited...)
	e.GET("/login", s.loginPage, page...)
	e.POST("/login", s.loginSubmit, limited...)
	e.POST("/logout", s.logout, page...)
	e.GET("/upload", s.uploadPage, append(page, s.requireLogin)...)
	// The upload form streams its file: its CSRF field is checked by the
	// handler as it reads, before a byte of the file is stored.
	e.POST("/upload", s.uploadForm, s.identifySession, s.language, s.csrfStreaming, s.firstRun, pageHeaders, s.requireLogin)
	e.GET("/w/:id", s.watch, page...)
	e.GET("/a/:name", s.accountPage, listing...)
	e.GET("/c/:name", s.channelPage, listing...)
	e.GET("/nearby", s.nearbyPage, page...)
	e.GET("/lang/:code", s.switchLanguage, page...)
	// PeerTube's URLs that are also ActivityPub IRIs, and the federation group.
	s.federationRoutes(e, page)
	// --- community (helper C, #9 point 6) ---
	s.communityPageRoutes(e, page)
	// --- end community ---
	// --- social (helper E, #9 point 6) ---
	s.socialPageRoutes(e, page)
	// --- end social ---
	// --- search and tag pages, trending (helper D, #9 point 5) ---
	s.searchPageRoutes(e, page, listing)
	// --- end search ---
	// --- creator: caption files, chapters track, video passwords (#9 point 4) ---
	s.creatorPageRoutes(e, page, files, append(page[:len(page):len(page)], s.limitPasswordChecks()))
	// --- end creator ---
	// --- my pages (helper H, #9 point 7) ---
	s.myPageRoutes(e, page, limitPasswords)
	s.moveRoutes(e, page) // move (#11)
	// --- end my pages ---
	// --- my pages 2: thumbnail, captions, chapters forms; muting (mypages2, #9 points 4, 8) ---
	s.myExtraPageRoutes(e, page)
	s.myFollowersRoutes(e, page) // inbox (#10)
	s.exportPageRoutes(e, page)  // export (#11 point 4)
	s.importPageRoutes(e, page)  // import (#11 point 4)
	s.mySupportRoutes(e, page)   // support (#11)
	// recommend (#11)
	s.myRecommendationsRoutes(e, page)
	// --- end my pages 2 ---
	// --- public pages: recent list, report forms (pages2, #9 points 7, 8) ---
	s.publicPageRoutes(e, page, listing)
	// --- end public pages ---
	// --- feeds, oEmbed, embed (helper B, #9 point 9) ---
	s.feedRoutes(e, files)
	// --- end feeds ---
	// --- torrents (#9 points 1, 2) ---
	s.torrentRoutes(e, files)
	// --- end torrents ---
	s.adminRoutes(e, page)
	// --- admin pages: instance, users, moderation queue, /about (#9 points 7, 8) ---
	s.adminPageRoutes(e, page)
	// --- end admin pages ---
	s.adminFederationRoutes(e, page) // admin federation page (#10 point 8)
	s.adminBackupRoutes(e, page)     // backup (#11 point 5)
	s.eventRoutes(e, page)
	s.supporterRoutes(e, page)      // supporters (#11)
	s.adminBandwidthRoutes(e, page) // upload bandwidth (#12 point 5)

	e.GET("/static/streaming-playlists/hls/:uuid/*", s.serveHLS, files...)
	e.GET("/static/redundancy/hls/:uuid/*", s.serveMirror, files...) // redundancy (#12)
	e.GET("/lazy-static/thumbnails/:file", s.serveImage, files...)
	e.GET("/lazy-static/previews/:file", s.serveImage, files...)
	e.GET("/static-assets/*", s.serveAsset)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })

	g := e.Group("/api/v1")
	g.GET("/config", s.apiConfig, api...)
	g.GET("/server/stats", s.apiServerStats, api...)
	g.GET("/oauth-clients/local", s.apiOAuthClient, api...)
	g.POST("/users/token", s.apiToken, append(api[:len(api):len(api)], limitPasswords)...)
	g.POST("/users/revoke-token", s.apiRevokeToken, api...)
	g.GET("/users/me", s.apiMe, append(api, requireAPIUser)...)
	// --- videos: listing, details, metadata, constants (helper A, #9) ---
	// Every API route also answers with a trailing slash, as PeerTube's
	// (Express, non-strict routing): see apiTrailingSlash.
	apiListing := append(api[:len(api):len(api)], s.cache.middlewareFor(s, s.listingClass))
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/videos", s.apiVideos, apiListing...)
	g.GET("/videos/categories", s.apiCategories, api...)
	g.GET("/videos/licences", s.apiLicences, api...)
	g.GET("/videos/languages", s.apiLanguages, api...)
	g.GET("/videos/privacies", s.apiPrivacies, api...)
	g.GET("/videos/:id", s.apiVideo, api...)
	g.PUT("/videos/:id", s.apiUpdateVideo, user...)
	g.DELETE("/videos/:id", s.apiDeleteVideo, user...)
	g.POST("/videos/upload", s.apiUpload, user...)
	// --- end of videos ---
	// --- resumable uploads and quotas (helper G, #9 point 4) ---
	s.resumableRoutes(g, user)
	// --- end resumable uploads ---
	// --- community (helper C, #9 point 6) ---
	s.communityAPIRoutes(g, api)
	// --- end community ---
	// --- social (helper E, #9 point 6) ---
	s.socialAPIRoutes(g, api)
	// --- end social ---
	// --- search, accounts and channels, overview (helper D, #9 point 5) ---
	s.searchAPIRoutes(g, api)
	s.supportAPIRoutes(g, api) // support (#11): PUT /video-channels/{handle}
	// --- end search ---
	// --- moderation: abuses, blocklists (helper F, #9 point 8) ---
	s.moderationAPIRoutes(g, api)
	// --- end moderation ---
	// --- creator: captions, chapters, passwords (#9 point 4) ---
	s.creatorAPIRoutes(g, api)
	// --- end creator ---
	// --- my pages: avatar (helper H, #9 point 7) ---
	s.myAPIRoutes(g, api)
	// --- end my pages ---
	// --- admin pages' API: config/about, users' roles and bans (#9 points 7, 8) ---
	s.adminPagesAPIRoutes(g, api)
	// --- end admin pages' API ---
	// --- inbox and follows (#10) ---
	s.followsAPIRoutes(g, api)
	s.serverFollowingAPIRoutes(g, api) // serverfollow
	s.redundancyAPIRoutes(g, api)      // redundancy (#12)
	s.exportAPIRoutes(g, api)          // export (#11 point 4)
	s.importAPIRoutes(g, api)          // import (#11 point 4)
	s.recommendationsAPIRoutes(g, api) // recommend (#11)
	// --- end inbox ---
	g.Any("/*", func(c echo.Context) error { return apiError(http.StatusNotFound, "no such API endpoint") }, apiCORS)
	g.OPTIONS("/*", apiPreflight, apiCORS) // after Any, which claims OPTIONS too
}

// baseURL is the scheme and host for absolute links.
func (s *Server) baseURL(c echo.Context) string { return s.baseURLOf(c.Request()) }

// baseURLOf is baseURL for a request outside echo (the tracker's
// WebSocket upgrade).
func (s *Server) baseURLOf(r *http.Request) string {
	if s.Config.PublicURL != "" {
		return s.Config.PublicURL
	}
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

// urls builds this request's absolute URLs: from the public URL when one
// is set, else from how the visitor reached the box.
func (s *Server) urls(c echo.Context) uris.Builder { return uris.New(s.baseURL(c)) }

// instanceName is --name, shown in every title and in /api/v1/config.
func (s *Server) instanceName() string {
	if s.Instance != nil { // the admin's settings (admin pages)
		return s.Instance.Name(context.Background())
	}
	if s.Config.InstanceName != "" {
		return s.Config.InstanceName
	}
	return "Cabane"
}

func (s *Server) setupDone(ctx context.Context) bool {
	if s.hasAdmin.Load() {
		return true
	}
	ok, err := s.Auth.HasAdmin(ctx)
	if err != nil {
		s.Log.Error("check admin", "err", err)
		return true // don't lock anyone into setup over a read error
	}
	if ok {
		s.hasAdmin.Store(true)
	}
	return ok
}

// apiTrailingSlash routes /api/v1/videos/ as /api/v1/videos: PeerTube's
// router (Express, non-strict) accepts a trailing slash on every API route,
// and apps send it (Thorium lists "videos/"). Pages and files keep their
// exact paths.
func apiTrailingSlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if p := r.URL.Path; len(p) > len("/api/v1/") && strings.HasPrefix(p, "/api/") && strings.HasSuffix(p, "/") {
			r.URL.Path = strings.TrimSuffix(p, "/")
			if r.URL.RawPath != "" {
				r.URL.RawPath = strings.TrimSuffix(r.URL.RawPath, "/")
			}
		}
		return next(c)
	}
}
