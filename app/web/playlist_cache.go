package web

import (
	"bytes"
	"container/list"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/visibility"
)

// A player asks for the master playlist, the media playlists and
// segments-sha256.json again and again (a live-ish master grows as
// renditions land, so players re-fetch it), and each is a few hundred
// bytes: serving one from the file system cost open, fstat, read, close and
// the netpoller's registration of the file, most of a request's CPU (129 µs
// against nginx's 33). playlistCache keeps their bytes in memory, keyed by
// path, and checks them against the file (one stat: the bytes are served
// only while the file's mtime and size are those they were read with):
//   - at once after any write to the videos (the store's generation): the
//     packager writes a playlist first and records the rendition after, so
//     a new rendition's master is never served stale;
//   - else at most playlistRecheck after the last check, which bounds how
//     long a change made behind the store's back (a file removed or edited
//     by hand, another process) goes unseen, as nginx's open_file_cache
//     does (there 60 s by default). Players re-fetch a playlist every few
//     seconds and shared caches may keep it 10 s (Cache-Control), so a
//     second is well within what they already tolerate.
//
// Only bytes are kept, never a decision: the route still asks GetFile (the
// visibility rules, with this request's viewer, on the cached video row)
// before it looks here, and sets the cache headers from that answer.
type playlistCache struct {
	hdr      hlsHeaders
	gen      func() uint64 // the videos' store generation
	now      func() time.Time
	mu       sync.Mutex
	entries  map[string]*list.Element // path -> *playlistEntry
	lru      list.List                // front: most recently used
	bytes    int                      // sum of the bodies' lengths
	maxBytes int
	maxFile  int64
}

type playlistEntry struct {
	path string
	body []byte
	mod  time.Time
	size int64
	// The header values, made once: set as they are (net/http never
	// changes a value slice it is given).
	etag, lastMod, length, ctype []string
	// When the file was last found unchanged, and the store's generation
	// then: while both hold, a hit needs no stat.
	checkedAt  atomic.Int64 // unix nanoseconds
	checkedGen atomic.Uint64
}

const (
	// A master playlist is ~300 B, a media playlist of a single-file
	// rendition a few KB, segments-sha256.json ~100 B per segment: 64 KiB
	// bounds a long video's media playlist, 1 MiB the whole cache (a few
	// hundred videos' playlists on a home box).
	playlistMaxFile  = 64 << 10
	playlistMaxBytes = 1 << 20
	playlistRecheck  = time.Second
)

// hlsHeaders are serveHLS's header values for a public video's playlist,
// made once (net/http never changes a value slice it is given).
type hlsHeaders struct {
	anyOrigin, expose, growing, fixed []string
}

// newPlaylistCache checks its files again whenever gen changes.
func newPlaylistCache(gen func() uint64) *playlistCache {
	hdr := hlsHeaders{anyOrigin: []string{hlsAllowOrigin}, expose: []string{hlsExposeHeaders}, growing: []string{hlsPublicGrowing}, fixed: []string{hlsPublicFixed}}
	return &playlistCache{hdr: hdr, gen: gen, now: time.Now, entries: map[string]*list.Element{}, maxBytes: playlistMaxBytes, maxFile: playlistMaxFile}
}

// cacheable says whether an HLS file (its cleaned relative path) is a
// small text file kept in memory: playlists and the segments' hashes.
func cacheable(rel string) bool {
	switch path.Ext(rel) {
	case ".m3u8", ".json":
		return true
	}
	return false
}

// get returns the entry for p while the file is still the one it was read
// from; a stale entry is dropped. A stat when the store was written since
// the last check, or playlistRecheck has passed.
func (pc *playlistCache) get(p string) (*playlistEntry, bool) {
	pc.mu.Lock()
	el, ok := pc.entries[p]
	if ok {
		pc.lru.MoveToFront(el)
	}
	pc.mu.Unlock()
	if !ok {
		return nil, false
	}
	e := el.Value.(*playlistEntry)
	// The generation is read before the stat: a write landing during it
	// leaves the entry to be checked again next time.
	gen, now := pc.gen(), pc.now().UnixNano()
	if gen == e.checkedGen.Load() && now-e.checkedAt.Load() < int64(playlistRecheck) {
		return e, true
	}
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() != e.size || !st.ModTime().Equal(e.mod) {
		pc.drop(p, el)
		return nil, false
	}
	e.checked(gen, now)
	return e, true
}

func (e *playlistEntry) checked(gen uint64, now int64) {
	e.checkedGen.Store(gen)
	e.checkedAt.Store(now)
}

func (pc *playlistCache) drop(p string, el *list.Element) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.entries[p] != el {
		return // replaced meanwhile by a fresher read
	}
	delete(pc.entries, p)
	pc.lru.Remove(el)
	pc.bytes -= len(el.Value.(*playlistEntry).body)
}

// load reads p and keeps it when it is small enough. It returns
// (nil, nil) for a file it does not keep (too large, or changing while
// read): the caller serves that one from the file system. The error is
// the file system's (os.Open's, for serveFile's not-found rules).
func (pc *playlistCache) load(p string) (*playlistEntry, error) {
	gen, now := pc.gen(), pc.now().UnixNano() // before the read: see get
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", p, err)
	}
	if !st.Mode().IsRegular() || st.Size() > pc.maxFile {
		return nil, nil
	}
	body := make([]byte, st.Size())
	if _, err := io.ReadFull(f, body); err != nil {
		return nil, nil // shorter than its size: being rewritten; not kept
	}
	if n, _ := f.Read(make([]byte, 1)); n != 0 {
		return nil, nil // longer: being written; not kept
	}
	mod := st.ModTime()
	e := &playlistEntry{
		path: p, body: body, mod: mod, size: st.Size(),
		// As serveOpenFile spells it: mtime-size in hex.
		etag:    []string{`"` + strconv.FormatInt(mod.UnixNano(), 16) + "-" + strconv.FormatInt(st.Size(), 16) + `"`},
		lastMod: []string{mod.UTC().Format(http.TimeFormat)},
		length:  []string{strconv.Itoa(len(body))},
		ctype:   []string{hlsTypes[filepath.Ext(p)]},
	}
	e.checked(gen, now)
	pc.put(e)
	return e, nil
}

func (pc *playlistCache) put(e *playlistEntry) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el, ok := pc.entries[e.path]; ok {
		pc.bytes -= len(el.Value.(*playlistEntry).body)
		pc.lru.Remove(el)
	}
	pc.entries[e.path] = pc.lru.PushFront(e)
	pc.bytes += len(e.body)
	for pc.bytes > pc.maxBytes && pc.lru.Len() > 1 {
		old := pc.lru.Back()
		oe := old.Value.(*playlistEntry)
		delete(pc.entries, oe.path)
		pc.lru.Remove(old)
		pc.bytes -= len(oe.body)
	}
}

// read is the small HLS file p's bytes for the server's own use (the P2P
// info hashes read the master playlist on every watch page and API
// answer): from memory as the players get it, else from the file system.
// The bytes are shared: callers never change them.
func (pc *playlistCache) read(p string) ([]byte, error) {
	if e, ok := pc.get(p); ok {
		return e.body, nil
	}
	e, err := pc.load(p)
	if err != nil {
		return nil, err
	}
	if e != nil {
		return e.body, nil
	}
	return os.ReadFile(p) // not kept: too large, or being written
}

// len is the number of files kept (tests).
func (pc *playlistCache) len() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.entries)
}

// serveCachedPlaylist answers a request for the small HLS file p from
// memory; handled is false when p is not kept (too large, or being
// written), and the caller serves it from the file system.
func (s *Server) serveCachedPlaylist(c echo.Context, p string) (handled bool, err error) {
	e, ok := s.playlists.get(p)
	if !ok {
		if e, err = s.playlists.load(p); err != nil || e == nil {
			return false, nil // serveFile says what the file system said
		}
	}
	return true, writePlaylist(c.Response(), c.Request(), e)
}

// writePlaylist sends e (headers other than the validators already set).
func writePlaylist(w http.ResponseWriter, r *http.Request, e *playlistEntry) error {
	h := w.Header()
	h["Etag"] = e.etag // net/http's canonical spelling of ETag
	if r.Header.Get("Range") != "" || r.Header.Get("If-Modified-Since") != "" ||
		r.Header.Get("If-Range") != "" || r.Header.Get("If-Match") != "" || r.Header.Get("If-Unmodified-Since") != "" {
		serveContent(w, r, "", e.mod, bytes.NewReader(e.body), e.size)
		return nil
	}
	// The common request, answered without ServeContent's parsing and
	// formatting.
	h["Last-Modified"] = e.lastMod
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagListed(inm, e.etag[0]) {
		delete(h, "Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h["Content-Length"] = e.length
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(e.body)
	return err
}

// hlsRoute is where the HLS files are served (server.go's route).
const hlsRoute = "/static/streaming-playlists/hls/"

// publicPlaylists answers, before echo, the requests a player sends most:
// a kept playlist of a video anyone may see (public or unlisted, addressed
// by its UUID). Such an answer does not depend on who asks, so nothing of
// the request is resolved: no session, no home network, no password
// cookies, no route table, no middleware chain (a third of what such a
// request cost). The video row still comes from the videos service (its
// cache, checked against the store's generation), asked as a stranger
// outside the home would be; whatever this path does not answer (another
// privacy, a query string such as a file token, a file not kept yet, a
// short UUID) goes through echo and serveHLS as before.
func (s *Server) publicPlaylists(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.servePublicPlaylist(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

func (s *Server) servePublicPlaylist(w http.ResponseWriter, r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" || r.URL.RawPath != "" {
		return false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, hlsRoute)
	if !ok {
		return false
	}
	id, rel, ok := strings.Cut(rest, "/")
	if !ok || len(id) != 36 || !cacheable(rel) {
		return false
	}
	clean, _, ok := hlsPath(rel)
	if !ok {
		return false
	}
	v, err := s.Videos.GetFile(r.Context(), visibility.Anonymous(false), id)
	// A video still encoding has growing playlists, sent uncached by
	// serveHLS.
	if err != nil || !visibility.SharedCache(v) || !v.Published() {
		return false
	}
	e, ok := s.playlists.get(filepath.Join(s.layout.HLS(v.UUID), filepath.FromSlash(clean)))
	if !ok {
		return false // read and kept by serveHLS
	}
	// What the activity middleware counts, for the idle trim (idle.go).
	s.activity.inFlight.Add(1)
	s.activity.busy.Store(true)
	defer func() {
		s.activity.lastEnd.Store(time.Now().UnixNano())
		s.activity.inFlight.Add(-1)
	}()
	h := w.Header()
	h["Access-Control-Allow-Origin"] = s.playlists.hdr.anyOrigin
	h["Access-Control-Expose-Headers"] = s.playlists.hdr.expose
	h["Content-Type"] = e.ctype
	if hlsGrows(clean) {
		h["Cache-Control"] = s.playlists.hdr.growing
	} else {
		h["Cache-Control"] = s.playlists.hdr.fixed
	}
	writePlaylist(w, r, e) // a write error is the client's leaving
	return true
}

// etagListed says whether If-None-Match names etag (weak comparison, as
// RFC 9110 section 13.1.2 asks for If-None-Match), or is "*".
func etagListed(inm, etag string) bool {
	for inm != "" {
		var item string
		for i := 0; ; i++ {
			if i == len(inm) {
				item, inm = inm, ""
				break
			}
			if inm[i] == ',' {
				item, inm = inm[:i], inm[i+1:]
				break
			}
		}
		for len(item) > 0 && (item[0] == ' ' || item[0] == '\t') {
			item = item[1:]
		}
		for len(item) > 0 && (item[len(item)-1] == ' ' || item[len(item)-1] == '\t') {
			item = item[:len(item)-1]
		}
		if len(item) > 2 && item[:2] == "W/" {
			item = item[2:]
		}
		if item == "*" || item == etag {
			return true
		}
	}
	return false
}
