package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Feeds as PeerTube serves them: /feeds/videos.{xml,rss,rss2,atom,atom1,
// json,json1} (".xml" takes ?format=), scoped by videoChannelId,
// accountId, videoChannelName or accountName; the podcast feed of a
// channel; and the single-file renditions their enclosures point at.
// Errors are PeerTube's problem JSON (errorKind).

// feedCacheSeconds: readers poll; a minute of staleness costs nothing and
// spares the box a crowd of identical requests.
const feedCacheSeconds = 60

// feedFormats maps the formats PeerTube accepts to an encoder.
var feedFormats = map[string]string{"rss": "rss", "rss2": "rss", "atom": "atom", "atom1": "atom", "json": "json", "json1": "json", "xml": "xml"}

// feedTypes are each format's content types, in the order offered.
var feedTypes = map[string][]string{
	"rss":  {"application/rss+xml", "application/xml", "text/xml"},
	"atom": {"application/atom+xml", "application/xml", "text/xml"},
	"json": {"application/json"},
	"xml":  {"application/xml", "text/xml"},
}

// feedFormat reads the path's format and, for ".xml", the query's, and
// the content type the reader accepts.
func feedFormat(c echo.Context) (format, ctype string, err error) {
	format, ok := feedFormats[c.Param("format")]
	if !ok {
		return "", "", fieldError("format", "Should have a valid format (rss, atom, json)")
	}
	if qf := c.QueryParam("format"); qf != "" {
		f, ok := feedFormats[qf]
		if !ok {
			return "", "", fieldError("format", "Should have a valid format (rss, atom, json)")
		}
		// The ambiguous ".xml" takes the query's format; PeerTube names the
		// content type after the query's format in every case.
		if format == "xml" {
			format = f
		}
	}
	ctype, err = negotiate(c, feedTypes[format])
	return format, ctype, err
}

// encodeFeed writes f in format and sends it.
func encodeFeed(c echo.Context, format, ctype, cache string, f feeds.Feed) error {
	var body []byte
	var err error
	switch format {
	case "atom":
		body, err = feeds.Atom(f)
	case "json":
		body, err = feeds.JSONFeed(f)
	default:
		body, err = feeds.RSS(f)
	}
	if err != nil {
		return err
	}
	return sendFeed(c, ctype, cache, f.Updated, body)
}

func (s *Server) videoFeed(c echo.Context) error {
	format, ctype, err := feedFormat(c)
	if err != nil {
		return err
	}
	scope, err := s.feedScope(c)
	if err != nil {
		return err
	}
	f, err := s.Feeds.VideoFeed(c.Request().Context(), feeds.Request{Scope: scope, Sort: c.QueryParam("sort"), URLs: s.urls(c),
		InstanceName: s.instanceName(), Query: feedQuery(c)})
	if err != nil {
		return feedError(err)
	}
	return encodeFeed(c, format, ctype, publicFeed, f)
}

// commentFeed is PeerTube's /feeds/video-comments.*: scoped by videoId, or
// as the videos feed by channel or account.
func (s *Server) commentFeed(c echo.Context) error {
	format, ctype, err := feedFormat(c)
	if err != nil {
		return err
	}
	scope, err := s.feedScope(c)
	if err != nil {
		return err
	}
	f, err := s.Feeds.CommentFeed(c.Request().Context(), feeds.Request{Scope: scope, Video: c.QueryParam("videoId"), URLs: s.urls(c),
		InstanceName: s.instanceName(), Query: feedQuery(c)})
	if err != nil {
		if errors.Is(err, model.ErrNotFound) && c.QueryParam("videoId") != "" {
			return apiError(http.StatusNotFound, "Video not found")
		}
		return feedError(err)
	}
	return encodeFeed(c, format, ctype, publicFeed, f)
}

// subscriptionFeed is PeerTube's /feeds/subscriptions.*?accountId=&token=:
// the videos of the channels a user follows, for whoever holds the user's
// feed token (GET /api/v1/users/scoped-tokens).
func (s *Server) subscriptionFeed(c echo.Context) error {
	format, ctype, err := feedFormat(c)
	if err != nil {
		return err
	}
	id, err := feedID(c, "accountId")
	if err != nil {
		return err
	}
	if id == 0 {
		return fieldError("accountId", "Invalid value")
	}
	if c.QueryParam("token") == "" {
		return fieldError("token", "Invalid value")
	}
	ctx := c.Request().Context()
	if s.Subscriptions == nil {
		return apiError(http.StatusNotFound, "Account not found")
	}
	if err := s.Subscriptions.CheckFeedToken(ctx, id, c.QueryParam("token")); err != nil {
		if errors.Is(err, subscriptions.ErrFeedToken) {
			return apiError(http.StatusForbidden, "%s", err.Error())
		}
		return feedError(err)
	}
	f, err := s.Feeds.SubscriptionFeed(ctx, feeds.Request{Scope: feeds.Scope{AccountID: id}, Sort: c.QueryParam("sort"), URLs: s.urls(c),
		InstanceName: s.instanceName(), Query: feedQuery(c)})
	if err != nil {
		return feedError(err)
	}
	return encodeFeed(c, format, ctype, privateFeed, f)
}

func (s *Server) podcastFeed(c echo.Context) error {
	ctype, err := negotiate(c, feedTypes["rss"])
	if err != nil {
		return err
	}
	id, err := feedID(c, "videoChannelId")
	if err != nil {
		return err
	}
	if id == 0 {
		return fieldError("videoChannelId", "Invalid value")
	}
	// A supporter's private feed (supporters.go): their link's token,
	// checked now; a revoked one reads the public feed.
	sup, cache := s.feedSupporter(c), publicFeed
	if c.QueryParam(supporterTokenParam) != "" {
		cache = privateFeed
	}
	f, err := s.Feeds.Podcast(c.Request().Context(), feeds.Request{Scope: feeds.Scope{ChannelID: id}, URLs: s.urls(c),
		InstanceName: s.instanceName(), Query: feedQuery(c), Supporter: sup})
	if err != nil {
		return feedError(err)
	}
	body, err := feeds.Podcast(f)
	if err != nil {
		return err
	}
	return sendFeed(c, ctype, cache, f.Updated, body)
}

// feedScope reads PeerTube's four scope parameters. Names may carry this
// instance's host (name@host); another host's is nobody here.
func (s *Server) feedScope(c echo.Context) (feeds.Scope, error) {
	var sc feeds.Scope
	var err error
	if sc.ChannelID, err = feedID(c, "videoChannelId"); err != nil {
		return sc, err
	}
	if sc.AccountID, err = feedID(c, "accountId"); err != nil {
		return sc, err
	}
	host := s.urls(c).Host()
	local := func(handle string) (string, error) {
		name, h, remote := strings.Cut(strings.TrimPrefix(handle, "@"), "@")
		if remote && !strings.EqualFold(h, host) {
			return "", apiError(http.StatusNotFound, "Account or channel %s not found", handle)
		}
		return name, nil
	}
	if n := c.QueryParam("videoChannelName"); n != "" {
		if sc.ChannelName, err = local(n); err != nil {
			return sc, err
		}
	}
	if n := c.QueryParam("accountName"); n != "" {
		if sc.AccountName, err = local(n); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

// feedID is a numeric id parameter; 0 when absent.
func feedID(c echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fieldError(name, "Invalid value")
	}
	return id, nil
}

// feedQuery is the request's query without "format", for the feed's links
// to itself in each format.
func feedQuery(c echo.Context) string {
	q := c.Request().URL.Query()
	q.Del("format")
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func feedError(err error) error {
	switch {
	case errors.Is(err, feeds.ErrBadSort):
		return fieldError("sort", "Should have a sort field among the allowed ones")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Account or channel not found")
	}
	return err
}

// A feed's Cache-Control: what strangers read may be kept by any cache; a
// feed opened by a user's token is theirs alone.
var (
	publicFeed  = "public, max-age=" + strconv.Itoa(feedCacheSeconds)
	privateFeed = "private, max-age=" + strconv.Itoa(feedCacheSeconds)
)

// sendFeed answers with body, or 304 when the reader has it already.
func sendFeed(c echo.Context, ctype, cache string, updated time.Time, body []byte) error {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", cache)
	h.Set("Vary", "Accept")
	h.Set("Access-Control-Allow-Origin", "*")
	if !updated.IsZero() {
		h.Set("Last-Modified", updated.UTC().Format(http.TimeFormat))
	}
	r := c.Request()
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etagMatches(inm, etag) {
			return c.NoContent(http.StatusNotModified)
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !updated.IsZero() && !updated.Truncate(time.Second).After(ims) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, ctype+"; charset=utf-8", body)
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// negotiate picks the content type among offers that the Accept header
// prefers (the first offer when it says nothing); none acceptable is 406,
// as PeerTube answers.
func negotiate(c echo.Context, offers []string) (string, error) {
	accept := c.Request().Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return offers[0], nil
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		if q := acceptQ(accept, o); q > bestQ {
			best, bestQ = o, q
		}
	}
	if best == "" {
		return "", apiError(http.StatusNotAcceptable, "You should accept at least one of the following content-types: %s", strings.Join(offers, ", "))
	}
	return best, nil
}

// acceptQ is the quality an Accept header gives ctype: its most specific
// matching range's q.
func acceptQ(accept, ctype string) float64 {
	typ, _, _ := strings.Cut(ctype, "/")
	q, spec := 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		s := -1
		switch {
		case mt == ctype:
			s = 2
		case mt == typ+"/*":
			s = 1
		case mt == "*/*":
			s = 0
		}
		if s <= spec {
			continue
		}
		pq := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				pq = f
			}
		}
		q, spec = pq, s
	}
	return q
}

// downloadRendition serves a rendition as one MP4 file (feeds.Fragmented):
// ranges, HEAD and conditional requests through http.ServeContent.
func (s *Server) downloadRendition(c echo.Context) error {
	id, height, ok := feeds.ParseDownloadName(c.Param("file"))
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	v, f, err := s.Feeds.Download(c.Request().Context(), viewer(c), id, height)
	if errors.Is(err, feeds.ErrDownloadDisabled) {
		return echo.NewHTTPError(http.StatusForbidden, "Video download is disabled")
	}
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	// An attachment, as PeerTube's fileDownloadUrl: the browser saves it.
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+url.PathEscape(c.Param("file"))+`"`)
	s.serveSingle(c, v, f)
	return nil
}

// serveWebVideo is PeerTube's /static/web-videos/<uuid>-<resolution>.mp4
// (files[].fileUrl, webFileJSON): the rendition with its sound, inline.
func (s *Server) serveWebVideo(c echo.Context) error {
	id, res, ok := uris.ParseWebVideoName(c.Param("file"))
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	v, f, err := s.Feeds.WebVideoFile(c.Request().Context(), viewer(c), id, res)
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	s.serveSingle(c, v, f)
	return nil
}

// serveSingle sends f, a rendition as one MP4: ranges, HEAD and
// conditional requests through http.ServeContent.
func (s *Server) serveSingle(c echo.Context, v model.Video, f feeds.Fragmented) {
	h := c.Response().Header()
	h.Set("Content-Type", feeds.MP4Type)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range")
	h.Set("ETag", `"`+strconv.FormatInt(f.Size, 36)+"-"+strconv.FormatInt(f.ModTime.UnixNano(), 36)+`"`)
	if visibility.SharedCache(v) {
		h.Set("Cache-Control", "public, max-age=86400")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	rd := feeds.NewReader(f)
	defer rd.Close()
	http.ServeContent(c.Response(), c.Request(), "", f.ModTime, rd)
}

// feedRoutes: feeds and oEmbed are for any program, anonymous (no session:
// what they show is what a stranger sees); the embed page and the files go
// with the viewer's session (an owner embeds a private video on a page of
// their own).
func (s *Server) feedRoutes(e *echo.Echo, files []echo.MiddlewareFunc) {
	e.GET("/feeds/videos.:format", s.videoFeed)
	e.GET("/feeds/video-comments.:format", s.commentFeed)
	e.GET("/feeds/subscriptions.:format", s.subscriptionFeed)
	e.GET("/feeds/podcast/videos.xml", s.podcastFeed)
	e.GET("/services/oembed", s.oembed)
	e.GET("/videos/embed/:id", s.embed, s.identifySession, s.language, s.locate, embedHeaders)
	e.GET(uris.DownloadPrefix+":file", s.downloadRendition, files...)
	e.GET(uris.WebVideo(":file"), s.serveWebVideo, files...)
}
