package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/labstack/echo/v4"
)

// PeerTube's reinjectVideoFileToken: a native HLS player (Safari, iOS)
// sends the master playlist's query string with the master only, so a
// private or password-protected video's media playlists and files would
// answer 404 to it. Asked with ?videoFileToken=…&reinjectVideoFileToken=true,
// a playlist comes back with that query added to every URL it names, as
// PeerTube's injectQueryToPlaylistUrls does.
const reinjectParam = "reinjectVideoFileToken"

// maxReinjectedPlaylist bounds what is read to rewrite: Cabane's playlists
// are a few kB (a byte-range playlist of a 3-hour video is ~200 kB).
const maxReinjectedPlaylist = 4 << 20

// reinjectQuery is the query to add to a playlist's URLs, or "" when the
// request does not ask for it.
func reinjectQuery(c echo.Context, clean string) string {
	if !strings.HasSuffix(clean, ".m3u8") || c.Request().URL.RawQuery == "" {
		return ""
	}
	q := c.Request().URL.Query()
	tok := q.Get(fileTokenParam)
	if tok == "" || q.Get(reinjectParam) != "true" {
		return ""
	}
	return fileTokenParam + "=" + url.QueryEscape(tok) + "&" + reinjectParam + "=true"
}

// servePlaylistWithQuery answers the playlist at p with query added to
// its URLs. The answer names a token: never kept by a shared cache.
func servePlaylistWithQuery(c echo.Context, p, query string) error {
	b, err := readSmallFile(p, maxReinjectedPlaylist)
	for _, nf := range notFoundErrs {
		if errors.Is(err, nf) {
			return echo.NewHTTPError(http.StatusNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("read playlist %s: %w", p, err)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Del("ETag")
	return c.Blob(http.StatusOK, h.Get("Content-Type"), injectQuery(b, query))
}

// injectQuery adds query to each URI line of an M3U8 playlist and to the
// URI="…" attributes of its tags (EXT-X-MAP, EXT-X-MEDIA, …).
func injectQuery(playlist []byte, query string) []byte {
	var out bytes.Buffer
	out.Grow(len(playlist) + 64*bytes.Count(playlist, []byte{'\n'}))
	sc := bufio.NewScanner(bytes.NewReader(playlist))
	sc.Buffer(make([]byte, 0, 64<<10), maxReinjectedPlaylist)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			out.WriteString(line)
		case strings.HasPrefix(line, "#"):
			out.WriteString(injectURIAttr(line, query))
		default:
			out.WriteString(withQuery(line, query))
		}
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// injectURIAttr rewrites the URI="…" attribute of a tag line, if any.
func injectURIAttr(line, query string) string {
	const attr = `URI="`
	i := strings.Index(line, attr)
	if i < 0 {
		return line
	}
	start := i + len(attr)
	end := strings.IndexByte(line[start:], '"')
	if end < 0 {
		return line
	}
	return line[:start] + withQuery(line[start:start+end], query) + line[start+end:]
}

func withQuery(u, query string) string {
	if strings.Contains(u, "?") {
		return u + "&" + query
	}
	return u + "?" + query
}

// readSmallFile reads a file of at most limit bytes.
func readSmallFile(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, echo.NewHTTPError(http.StatusInternalServerError, "playlist too large to rewrite")
	}
	b := make([]byte, st.Size())
	if _, err := f.ReadAt(b, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	return b, nil
}
