package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// torrentRoutes: each published file's torrent, where PeerTube serves it
// (its torrentUrl and torrentDownloadUrl), with the viewer's session or
// file token as the files are.
func (s *Server) torrentRoutes(e *echo.Echo, files []echo.MiddlewareFunc) {
	e.GET(uris.TorrentsPrefix+":file", func(c echo.Context) error { return s.serveTorrent(c, false) }, files...)
	e.GET(uris.TorrentDownloadsPrefix+":file", func(c echo.Context) error { return s.serveTorrent(c, true) }, files...)
	e.GET(uris.PrivateWebVideo(":file"), s.serveInputFile, files...)
}

// serveInputFile serves an unpublished upload to its owner (see
// videos.InputFile).
func (s *Server) serveInputFile(c echo.Context) error {
	_, path, err := s.Videos.InputFile(c.Request().Context(), viewer(c), c.Param("file"))
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.File(path)
}

func (s *Server) serveTorrent(c echo.Context, download bool) error {
	v, b, err := s.Torrents.Torrent(c.Request().Context(), viewer(c), s.urls(c), c.Param("file"), download)
	if errors.Is(err, torrents.ErrDownloadDisabled) {
		return echo.NewHTTPError(http.StatusForbidden, "Video download is disabled")
	}
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*") // WebTorrent in a browser fetches it
	if visibility.SharedCache(v) {
		// Short: the name inside follows the title, which may change.
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if download {
		h.Set("Content-Disposition", `attachment; filename="`+url.PathEscape(c.Param("file"))+`"`)
	}
	return c.Blob(http.StatusOK, "application/x-bittorrent", b)
}

func cmpLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
