package web

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/assets"
)

var hlsTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".json": "application/json", // segments-sha256.json
	".ts":   "video/mp2t",
	".aac":  "audio/aac",
}

// The HLS answers' headers (serveHLS, and publicPlaylists for kept
// playlists: the same values).
const (
	hlsAllowOrigin   = "*"
	hlsExposeHeaders = "Content-Length, Content-Range"
	hlsPublicGrowing = "public, max-age=10"
	hlsPublicFixed   = "public, max-age=86400"
)

// hlsGrows: the master playlist and the segments' hashes grow as
// renditions land; a rendition's files are fixed once in place.
func hlsGrows(clean string) bool { return clean == "master.m3u8" || clean == "segments-sha256.json" }

// serveHLS serves playlists and segments with Range support (ServeContent),
// CORS (PeerTube instances and embeds fetch across origins) and caching:
// a rendition is immutable once in place, the master playlist grows as
// renditions land.
func (s *Server) serveHLS(c echo.Context) error {
	v, err := s.Videos.GetFile(c.Request().Context(), viewer(c), c.Param("uuid"))
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	clean, ctype, ok := hlsPath(c.Param("*"))
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", hlsAllowOrigin)
	h.Set("Access-Control-Expose-Headers", hlsExposeHeaders)
	h.Set("Content-Type", ctype)
	switch {
	case !visibility.SharedCache(v):
		h.Set("Cache-Control", "private, no-cache")
	case !v.Published(): // still encoding: its playlists and files grow (videos.Growing)
		h.Set("Cache-Control", "no-cache")
	case hlsGrows(clean):
		h.Set("Cache-Control", hlsPublicGrowing)
	default:
		h.Set("Cache-Control", hlsPublicFixed)
	}
	p := filepath.Join(s.layout.HLS(v.UUID), filepath.FromSlash(clean))
	if q := reinjectQuery(c, clean); q != "" {
		return servePlaylistWithQuery(c, p, q)
	}
	if cacheable(clean) {
		if handled, err := s.serveCachedPlaylist(c, p); handled {
			return err
		}
	}
	err = serveFile(c, p)
	s.countSegment(c, v.UUID, clean) // upload bandwidth (bandwidth.go)
	return err
}

// hlsPath checks the part of an HLS URL after the video's UUID and returns
// it cleaned, with its content type. Anything a packager never writes is
// refused here, before the file system sees it: other spellings of a path
// ("a/../b", "a//b"), hidden names (staging folders ".partial-*" must not
// reach a player), NUL bytes and names longer than a file system allows
// (which the kernel would answer with an error, not "no such file").
func hlsPath(rel string) (clean, ctype string, ok bool) {
	clean = path.Clean("/" + rel)[1:]
	if clean == "" || clean != rel || strings.IndexByte(clean, 0) >= 0 {
		return "", "", false
	}
	for _, seg := range strings.Split(clean, "/") {
		if strings.HasPrefix(seg, ".") || len(seg) > maxNameBytes {
			return "", "", false
		}
	}
	ctype, ok = hlsTypes[path.Ext(clean)]
	if !ok {
		return "", "", false
	}
	return clean, ctype, true
}

// maxNameBytes is NAME_MAX on Linux file systems.
const maxNameBytes = 255

// notFoundErrs are what the kernel answers for a path that cannot name a
// file we wrote: for a client's junk path they mean "not found", not a
// server failure.
var notFoundErrs = []error{fs.ErrNotExist, syscall.ENOTDIR, syscall.ENAMETOOLONG, syscall.EINVAL}

func serveFile(c echo.Context, p string) error {
	f, err := os.Open(p)
	for _, nf := range notFoundErrs {
		if errors.Is(err, nf) {
			c.Response().Header().Del("Cache-Control")
			return echo.NewHTTPError(http.StatusNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer f.Close()
	return serveOpenFile(c, f)
}

// serveImage serves /lazy-static/{thumbnails,previews}/<uuid>.jpg.
func (s *Server) serveImage(c echo.Context) error {
	id, ok := strings.CutSuffix(c.Param("file"), ".jpg")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	v, err := s.Videos.GetFile(c.Request().Context(), viewer(c), id)
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	if rv, ok := s.remoteOf(c.Request().Context(), v); ok && rv.ThumbnailURL != "" { // following (#10): hot-linked
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		return c.Redirect(http.StatusFound, rv.ThumbnailURL)
	}
	if !v.HasThumbnail {
		// PeerTube always has a thumbnail and apps count on the path; a
		// video published by the copy path gets its own a moment later.
		u, err := assets.Hashed().URL("img/no-thumbnail.jpg")
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.Redirect(http.StatusFound, u)
	}
	p := s.layout.Thumbnail(v.UUID)
	if strings.Contains(c.Path(), "previews") {
		p = s.layout.Preview(v.UUID)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Access-Control-Allow-Origin", "*")
	if !visibility.SharedCache(v) {
		h.Set("Cache-Control", "private, max-age=3600")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	return serveFile(c, p)
}

// serveAsset serves /static-assets/<name>: under its content-hashed name
// (what the templates link, through {{asset}}) cached for a year as
// immutable, under its plain name for an hour. Gzipped once in memory and
// sent so to clients that accept it.
func (s *Server) serveAsset(c echo.Context) error {
	a, hashed, ok := assets.Hashed().Lookup(c.Param("*"))
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	if hashed {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	h.Set("Content-Type", a.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if gz := a.Gzip(); gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request().Header.Values("Accept-Encoding")) {
			// Another representation, so another strong ETag.
			h.Set("ETag", `"`+a.Hash+`-gz"`)
			h.Set("Content-Encoding", "gzip")
			serveContent(c.Response(), c.Request(), "", s.started, bytes.NewReader(gz), int64(len(gz)))
			return nil
		}
	}
	body, err := a.Open()
	if err != nil {
		return err
	}
	defer body.Close()
	h.Set("ETag", `"`+a.Hash+`"`)
	serveContent(c.Response(), c.Request(), "", s.started, body, a.Size)
	return nil
}

// acceptsGzip reads Accept-Encoding (RFC 9110 section 12.5.3): gzip
// listed without q=0, or else "*" listed without q=0.
func acceptsGzip(values []string) bool {
	gzip, star := -1, -1 // -1 unlisted, 0 refused, 1 accepted
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			ok := 1
			if q, found := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(params), " ", ""), "q="); found {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					ok = 0
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzip = ok
			case "*":
				star = ok
			}
		}
	}
	if gzip >= 0 {
		return gzip == 1
	}
	return star == 1
}
