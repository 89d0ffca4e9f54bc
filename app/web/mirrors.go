package web

import (
	"net/http"
	"path/filepath"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/vocab"
)

// serveMirror serves the copies of other servers' videos this box mirrors
// (#12 point 4) at PeerTube's redundancy path,
// /static/redundancy/hls/<uuid>/<file>: the origin's file names, Range,
// CORS, as serveHLS. Only a finished copy is served; the copies are
// public videos of followed instances, which anyone may fetch.
func (s *Server) serveMirror(c echo.Context) error {
	if s.Mirrors == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	clean, ctype, ok := hlsPath(c.Param("*"))
	if !ok || filepath.Base(clean) != clean {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	dir, err := s.Mirrors.MirrorDir(c.Request().Context(), c.Param("uuid"))
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", hlsAllowOrigin)
	h.Set("Access-Control-Expose-Headers", hlsExposeHeaders)
	h.Set("Content-Type", ctype)
	// A copy is fixed while it lasts, and may be evicted: an hour.
	h.Set("Cache-Control", "public, max-age=3600")
	return serveFile(c, filepath.Join(dir, clean))
}

// apCacheFile serves the CacheFile of one of this box's copies at its IRI
// (PeerTube's /redundancy/streaming-playlists/hls/<uuid>), for servers
// that look it up.
func (s *Server) apCacheFile(c echo.Context) error {
	if s.Mirrors == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	cf, err := s.Mirrors.CacheFileOf(c.Request().Context(), c.Param("uuid"))
	if err != nil {
		return fedError(err)
	}
	return sendJSON(c, vocab.ContentType, cf)
}
