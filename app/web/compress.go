package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Pages and API answers go out gzipped to clients that accept it: an HTML
// page or a list of 25 videos shrinks five to ten times, which a box on a
// home uplink feels. Only the page and API route groups use this; files
// (segments, playlists, images) keep going out by sendfile, and embedded
// assets have their own precompressed copies (serveAsset).

// compressMin is the smallest body worth compressing: below it, gzip's
// header and the CPU cost more than the bytes saved.
const compressMin = 1024

// gzipLevel trades a little size for CPU: a Pi's core compresses a 36 KB
// listing at level 5 in about a third of the time level 9 takes, and at
// level 1 in half the time of level 5 (0.54 against 1.02 ms on the shared
// 2-core box), for ~15% more bytes of a body already ~12x smaller. The
// microcache compresses each listing once a second, and that one request
// (a quarter of it was gzip at level 5) was the listings' p99.
const gzipLevel = 1

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzipLevel)
	return w
}}

// compressible says whether a Content-Type is text worth compressing:
// HTML, JSON (PeerTube's and ActivityPub's), XML feeds and plain text.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case mt == "text/html", mt == "text/plain", mt == "application/json", mt == "application/xml", mt == "text/xml":
		return true
	case strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// gzipBytes compresses b whole (the microcache keeps the result).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) / 4)
	w := gzipWriters.Get().(*gzip.Writer)
	w.Reset(&buf)
	w.Write(b)
	w.Close()
	w.Reset(io.Discard)
	gzipWriters.Put(w)
	return buf.Bytes()
}

// compressResponses gzips the bodies of pages and API answers of at least
// compressMin bytes when the client accepts gzip. A response that already
// carries a Content-Encoding (the microcache's stored gzip) passes as is.
func compressResponses(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Header().Add("Vary", "Accept-Encoding")
		r := c.Request()
		if r.Method == http.MethodHead || !acceptsGzip(r.Header.Values("Accept-Encoding")) {
			return next(c)
		}
		cw := &compressWriter{ResponseWriter: res.Writer}
		res.Writer = cw
		err := next(c)
		// An error is rendered by echo's handler after this returns: on
		// the plain writer, unless the body had begun.
		cw.finish()
		res.Writer = cw.ResponseWriter
		return err
	}
}

// compressWriter holds back the status and the first compressMin bytes,
// then decides once: gzip (compressible type, no encoding yet, big enough)
// or plain.
type compressWriter struct {
	http.ResponseWriter
	status  int
	buf     []byte
	decided bool
	gz      *gzip.Writer // non-nil once compressing
}

func (w *compressWriter) WriteHeader(code int) {
	if w.decided {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		// No body to compress (or an informational answer): send at once.
		w.decided = true
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.status = code
}

func (w *compressWriter) Write(b []byte) (int, error) {
	if w.decided {
		if w.gz != nil {
			return w.gz.Write(b)
		}
		return w.ResponseWriter.Write(b)
	}
	h := w.Header()
	if h.Get("Content-Encoding") != "" || !compressible(h.Get("Content-Type")) {
		w.decide(false)
		return w.ResponseWriter.Write(b)
	}
	w.buf = append(w.buf, b...)
	if len(w.buf) >= compressMin {
		w.decide(true)
	}
	return len(b), nil
}

// decide sends the held-back status and bytes, compressed or not.
func (w *compressWriter) decide(compress bool) {
	w.decided = true
	h := w.Header()
	if compress {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		if etag := h.Get("ETag"); etag != "" && strings.HasSuffix(etag, `"`) {
			// Another representation, another strong ETag.
			h.Set("ETag", strings.TrimSuffix(etag, `"`)+`-gz"`)
		}
		w.gz = gzipWriters.Get().(*gzip.Writer)
		w.gz.Reset(w.ResponseWriter)
	}
	if w.status != 0 {
		w.ResponseWriter.WriteHeader(w.status)
	}
	if len(w.buf) > 0 {
		if w.gz != nil {
			w.gz.Write(w.buf)
		} else {
			w.ResponseWriter.Write(w.buf)
		}
	}
	w.buf = nil
}

// finish sends what is held back (a small body goes plain) and ends the
// gzip stream.
func (w *compressWriter) finish() {
	if !w.decided {
		if w.status == 0 && len(w.buf) == 0 {
			return // nothing written: the error handler writes the answer
		}
		w.decide(false)
	}
	if w.gz != nil {
		w.gz.Close()
		w.gz.Reset(io.Discard)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

// Flush sends what is held (compressed when it may be: a streamed answer
// will grow) and flushes the connection.
func (w *compressWriter) Flush() {
	if !w.decided {
		h := w.Header()
		w.decide(h.Get("Content-Encoding") == "" && compressible(h.Get("Content-Type")))
	}
	if w.gz != nil {
		w.gz.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
