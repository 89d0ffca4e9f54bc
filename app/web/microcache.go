package web

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// microcache keeps anonymous listings (the home page, channel and account
// pages, the API's video list) for a second, and never past a write that
// changes what a listing shows (view counts may lag by that second). A link shared to a crowd makes many anonymous requests
// for the same page: they are answered from memory instead of SQLite and
// the templates. Logged-in viewers are never served from it (their pages
// differ), nor watch pages (each counts a view).
type microcache struct {
	ttl time.Duration
	gen func() uint64 // the listing generation (videos.Service)

	mu      sync.Mutex
	entries map[string]cachedPage
	hits    int // for tests
}

type cachedPage struct {
	gen    uint64
	at     time.Time
	status int
	header http.Header
	body   []byte
}

const (
	microcacheEntries = 256
	microcacheMaxBody = 1 << 20
)

func newMicrocache(ttl time.Duration, gen func() uint64) *microcache {
	return &microcache{ttl: ttl, gen: gen, entries: map[string]cachedPage{}}
}

// middleware must run after identification: it caches only the anonymous.
func (m *microcache) middleware(s *Server) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Method != http.MethodGet || currentUser(c) != nil || r.Header.Get("Authorization") != "" {
				return next(c)
			}
			// Absolute URLs in the page follow the host the visitor used,
			// and the home network sees family videos, and pages speak the
			// visitor's language: all three are in the key.
			key := strconv.FormatBool(atHome(c)) + " " + visitorLang(c) + " " + s.baseURL(c) + " " + r.URL.RequestURI()
			gen := m.gen()
			if p, ok := m.get(key, gen); ok {
				h := c.Response().Header()
				for k, v := range p.header {
					h[k] = v
				}
				c.Response().WriteHeader(p.status)
				_, err := c.Response().Write(p.body)
				return err
			}
			rec := &recorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			err := next(c)
			c.Response().Writer = rec.ResponseWriter
			if err == nil && c.Response().Status == http.StatusOK && !rec.tooBig {
				h := c.Response().Header().Clone()
				h.Del("Set-Cookie") // a cookie is one visitor's, never the crowd's
				m.put(key, cachedPage{gen: gen, at: time.Now(), status: http.StatusOK, header: h, body: rec.buf.Bytes()})
			}
			return err
		}
	}
}

// hitCount is how many answers came from the cache (tests read it).
func (m *microcache) hitCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits
}

func (m *microcache) get(key string, gen uint64) (cachedPage, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.entries[key]
	if !ok || p.gen != gen || time.Since(p.at) > m.ttl {
		return p, false
	}
	m.hits++
	return p, true
}

func (m *microcache) put(key string, p cachedPage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= microcacheEntries {
		clear(m.entries)
	}
	m.entries[key] = p
}

// recorder copies what a handler writes, up to microcacheMaxBody.
type recorder struct {
	http.ResponseWriter
	buf    bytes.Buffer
	tooBig bool
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.tooBig {
		if r.buf.Len()+len(b) > microcacheMaxBody {
			r.tooBig = true
			r.buf = bytes.Buffer{}
		} else {
			r.buf.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
