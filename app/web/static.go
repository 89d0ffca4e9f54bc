package web

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/assets"
)

var hlsTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".ts":   "video/mp2t",
	".aac":  "audio/aac",
}

// serveHLS serves playlists and segments with Range support (ServeContent),
// CORS (PeerTube instances and embeds fetch across origins) and caching:
// a rendition is immutable once in place, the master playlist grows as
// renditions land.
func (s *Server) serveHLS(c echo.Context) error {
	v, err := s.Videos.GetFile(c.Request().Context(), viewer(c), c.Param("uuid"))
	if err != nil {
		return notFound(err, "There is nothing at this address.")
	}
	rel := c.Param("*")
	clean := path.Clean("/" + rel)[1:]
	if clean == "" || clean != rel {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	for _, seg := range strings.Split(clean, "/") {
		// Staging folders (".partial-*") and hidden files are never served:
		// a half-written rendition must not reach a player.
		if strings.HasPrefix(seg, ".") {
			return echo.NewHTTPError(http.StatusNotFound)
		}
	}
	ctype, ok := hlsTypes[path.Ext(clean)]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range")
	h.Set("Content-Type", ctype)
	switch {
	case !visibility.SharedCache(v):
		h.Set("Cache-Control", "private, no-cache")
	case clean == "master.m3u8":
		h.Set("Cache-Control", "public, max-age=10")
	default:
		h.Set("Cache-Control", "public, max-age=86400")
	}
	return serveFile(c, filepath.Join(s.layout.HLS(v.UUID), filepath.FromSlash(clean)))
}

func serveFile(c echo.Context, p string) error {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		c.Response().Header().Del("Cache-Control")
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	http.ServeContent(c.Response(), c.Request(), "", st.ModTime(), f)
	return nil
}

// serveImage serves /lazy-static/{thumbnails,previews}/<uuid>.jpg.
func (s *Server) serveImage(c echo.Context) error {
	id, ok := strings.CutSuffix(c.Param("file"), ".jpg")
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	v, err := s.Videos.GetFile(c.Request().Context(), viewer(c), id)
	if err != nil {
		return notFound(err, "There is nothing at this address.")
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

func (s *Server) serveAsset(c echo.Context) error {
	name := path.Clean(c.Param("*"))
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "/") {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	f, err := assets.Static().Open(name)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	rs, ok := f.(interface {
		Read([]byte) (int, error)
		Seek(int64, int) (int64, error)
	})
	if !ok {
		return echo.NewHTTPError(http.StatusInternalServerError)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Response(), c.Request(), name, s.started, rs)
	return nil
}
