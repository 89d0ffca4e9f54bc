package web

import (
	"bytes"
	"container/list"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// A player asks for the master playlist, the media playlists and
// segments-sha256.json again and again (a live-ish master grows as
// renditions land, so players re-fetch it), and each is a few hundred
// bytes: serving one from the file system cost open, fstat, read, close and
// the netpoller's registration of the file, most of a request's CPU (129 µs
// against nginx's 33). playlistCache keeps their bytes in memory, keyed by
// path, and checks each hit against the file with one stat: the bytes are
// served only while the file's mtime and size are those they were read
// with, so a playlist rewritten by a new rendition, or removed with its
// video, is never served stale.
//
// Only bytes are kept, never a decision: the route still asks GetFile (the
// visibility rules, with this request's viewer, on the cached video row)
// before it looks here, and sets the cache headers from that answer.
type playlistCache struct {
	mu       sync.Mutex
	entries  map[string]*list.Element // path -> *playlistEntry
	lru      list.List                // front: most recently used
	bytes    int                      // sum of the bodies' lengths
	maxBytes int
	maxFile  int64
}

type playlistEntry struct {
	path    string
	body    []byte
	mod     time.Time
	size    int64
	etag    string // as serveOpenFile spells it: mtime-size in hex
	lastMod string // Last-Modified, formatted once
}

const (
	// A master playlist is ~300 B, a media playlist of a single-file
	// rendition a few KB, segments-sha256.json ~100 B per segment: 64 KiB
	// bounds a long video's media playlist, 1 MiB the whole cache (a few
	// hundred videos' playlists on a home box).
	playlistMaxFile  = 64 << 10
	playlistMaxBytes = 1 << 20
)

func newPlaylistCache() *playlistCache {
	return &playlistCache{entries: map[string]*list.Element{}, maxBytes: playlistMaxBytes, maxFile: playlistMaxFile}
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
// from; a stale entry is dropped. One stat per call.
func (pc *playlistCache) get(p string) (*playlistEntry, bool) {
	pc.mu.Lock()
	el, ok := pc.entries[p]
	pc.mu.Unlock()
	if !ok {
		return nil, false
	}
	e := el.Value.(*playlistEntry)
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() != e.size || !st.ModTime().Equal(e.mod) {
		pc.drop(p, el)
		return nil, false
	}
	pc.mu.Lock()
	if pc.entries[p] == el {
		pc.lru.MoveToFront(el)
	}
	pc.mu.Unlock()
	return e, true
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
		etag:    `"` + strconv.FormatInt(mod.UnixNano(), 16) + "-" + strconv.FormatInt(st.Size(), 16) + `"`,
		lastMod: mod.UTC().Format(http.TimeFormat),
	}
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
	r, h := c.Request(), c.Response().Header()
	h.Set("ETag", e.etag)
	if r.Header.Get("Range") == "" && r.Header.Get("If-Modified-Since") == "" &&
		r.Header.Get("If-Range") == "" && r.Header.Get("If-Match") == "" && r.Header.Get("If-Unmodified-Since") == "" {
		// The common request, answered without ServeContent's parsing
		// and formatting.
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			if etagListed(inm, e.etag) {
				h.Del("Content-Type")
				h.Set("Last-Modified", e.lastMod)
				c.Response().WriteHeader(http.StatusNotModified)
				return true, nil
			}
		}
		h.Set("Last-Modified", e.lastMod)
		h.Set("Content-Length", strconv.Itoa(len(e.body)))
		c.Response().WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, err = c.Response().Write(e.body)
		}
		return true, err
	}
	serveContent(c.Response(), r, "", e.mod, bytes.NewReader(e.body), e.size)
	return true, nil
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
