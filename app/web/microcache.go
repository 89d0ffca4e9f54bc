package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// microcache keeps listings (the home page, channel and account pages,
// the API's video list and search) for a second, and never past a write
// that changes what a listing shows (view counts may lag by that second).
// A link shared to a crowd makes many anonymous requests for the same
// page, and PeerTube's apps send their token with every call: they are
// answered from memory instead of SQLite and the templates. An answer is
// shared by the viewers of one class (viewerClass): pages only by the
// anonymous (a logged-in viewer's page shows who they are); the API's
// instance-wide lists by the logged-in viewers who see the same videos
// (listingClass). Watch pages are never cached (each counts a view).
type microcache struct {
	ttl time.Duration
	gen func() uint64 // the listing generation (videos.Service)

	mu      sync.Mutex
	entries map[string]cachedPage
	making  map[string]chan struct{} // pages being made, closed when done
	hits    int                      // for tests
	stale   int                      // hits served past the TTL while remade
	mutes   muteMemo                 // who mutes someone (listingClass)
}

type cachedPage struct {
	gen    uint64
	at     time.Time
	status int
	header http.Header
	body   []byte
	gz     []byte // body gzipped, when worth it (compress.go)
}

const (
	microcacheEntries = 256
	microcacheMaxBody = 1 << 20
)

func newMicrocache(ttl time.Duration, gen func() uint64) *microcache {
	return &microcache{ttl: ttl, gen: gen, entries: map[string]cachedPage{}, making: map[string]chan struct{}{}}
}

// viewerClass names the viewers who get the same answer from a route,
// so that one cached answer serves them all; ok false: this request's
// answer is its viewer's own, made afresh. gen is the listing generation
// the answer will be cached under (a class that reads stored state must
// read it at that generation or later).
type viewerClass func(c echo.Context, gen uint64) (class string, ok bool)

// anonymousOnly shares pages among the anonymous only: a logged-in
// viewer's page names them.
func anonymousOnly(c echo.Context, _ uint64) (string, bool) {
	if currentUser(c) != nil || c.Request().Header.Get("Authorization") != "" || hasSupporterCredential(c) {
		return "", false
	}
	return "anonymous", true
}

// middleware caches the anonymous's answers; it must run after
// identification.
func (m *microcache) middleware(s *Server) echo.MiddlewareFunc {
	return m.middlewareFor(s, anonymousOnly)
}

// middlewareFor caches the answers of the viewers class puts in a class,
// one entry per class; it must run after identification.
func (m *microcache) middlewareFor(s *Server, class viewerClass) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			// A zero TTL turns the cache off (the scale test measures the
			// database's work).
			if m.ttl <= 0 || r.Method != http.MethodGet {
				return next(c)
			}
			// The generation first: the class is read at it or later.
			gen := m.gen()
			who, ok := class(c, gen)
			if !ok {
				return next(c)
			}
			// Absolute URLs in the page follow the host the visitor used,
			// and the home network sees family videos, and pages speak the
			// visitor's language: all three are in the key.
			key := who + " " + strconv.FormatBool(atHome(c)) + " " + visitorLang(c) + " " + s.baseURL(c) + " " + r.URL.RequestURI()
			p, lead, err := m.lookup(r.Context(), key, gen)
			if err != nil {
				return err
			}
			if !lead {
				return m.serve(c, p)
			}
			defer m.done(key)
			rec := &recorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			err = next(c)
			c.Response().Writer = rec.ResponseWriter
			if err == nil && c.Response().Status == http.StatusOK && !rec.tooBig {
				h := c.Response().Header().Clone()
				h.Del("Set-Cookie") // a cookie is one visitor's, never the crowd's
				// What the compression outside added for this client: serve
				// decides per client again.
				if h.Get("Content-Encoding") == "gzip" {
					if etag := h.Get("ETag"); etag != "" {
						h.Set("ETag", strings.Replace(etag, `-gz"`, `"`, 1))
					}
				}
				h.Del("Content-Encoding")
				h.Del("Content-Length")
				h["Vary"] = slices.DeleteFunc(h["Vary"], func(v string) bool { return v == "Accept-Encoding" })
				if len(h["Vary"]) == 0 {
					delete(h, "Vary")
				}
				body := rec.buf.Bytes()
				p := cachedPage{gen: gen, at: time.Now(), status: http.StatusOK, header: h, body: body}
				// Compressed once here, not on each hit.
				if len(body) >= compressMin && compressible(h.Get("Content-Type")) {
					p.gz = gzipBytes(body)
				}
				m.put(key, p)
			}
			return err
		}
	}
}

// serve answers from a cached page, gzipped when the client accepts it.
func (m *microcache) serve(c echo.Context, p cachedPage) error {
	h := c.Response().Header()
	for k, v := range p.header {
		h[k] = v
	}
	body := p.body
	if p.gz != nil {
		// Clip: appending must not write into the cached header's array.
		h["Vary"] = append(slices.Clip(h["Vary"]), "Accept-Encoding")
		if acceptsGzip(c.Request().Header.Values("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			body = p.gz
			if etag := h.Get("ETag"); strings.HasSuffix(etag, `"`) {
				h.Set("ETag", strings.TrimSuffix(etag, `"`)+`-gz"`)
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(p.status)
	_, err := c.Response().Write(body)
	return err
}

// lookup returns a page to serve, or lead: this request makes the page
// and must call done(key). Only one request at a time makes a given page:
// when a page has merely aged past the TTL (no write since), the others
// are served the aged one meanwhile (stale while revalidate, so view
// counts lag by the making of one page more); when a write made it
// wrong, or there is none, they wait for the one being made. Without
// this, every connection in flight when an entry expired made the same
// page at once, each slowed by the others: that herd was the listings'
// p99.
func (m *microcache) lookup(ctx context.Context, key string, gen uint64) (cachedPage, bool, error) {
	for {
		m.mu.Lock()
		p, ok := m.entries[key]
		valid := ok && p.gen == gen
		if valid && time.Since(p.at) <= m.ttl {
			m.hits++
			m.mu.Unlock()
			return p, false, nil
		}
		wait, making := m.making[key]
		if !making {
			m.making[key] = make(chan struct{})
			m.mu.Unlock()
			return cachedPage{}, true, nil
		}
		if valid {
			m.hits++
			m.stale++
			m.mu.Unlock()
			return p, false, nil
		}
		m.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return cachedPage{}, false, ctx.Err()
		}
		// The page made may be for an older generation, or not cacheable
		// (an error, too big): then look again, and lead if need be.
	}
}

// done ends the making of key's page, releasing those waiting for it.
func (m *microcache) done(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ch, ok := m.making[key]; ok {
		close(ch)
		delete(m.making, key)
	}
}

// hitCount is how many answers came from the cache (tests read it).
func (m *microcache) hitCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits
}

// put keeps p unless a write came while it was made: what it shows may
// then be of either side of the write (and its class too, for a class
// read from the store), so it is nobody's to share.
func (m *microcache) put(key string, p cachedPage) {
	if m.gen() != p.gen {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= microcacheEntries {
		clear(m.entries)
	}
	m.entries[key] = p
}

// dropAged forgets the pages older than the TTL. An aged page only serves
// the crowd while one request remakes it; once the server has gone quiet
// the next request remakes it anyway, so the idle trim (idle.go) drops
// them rather than keep a listing's answers for nobody.
func (m *microcache) dropAged(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, p := range m.entries {
		if _, making := m.making[k]; !making && now.Sub(p.at) > m.ttl {
			delete(m.entries, k)
		}
	}
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
