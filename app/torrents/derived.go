package torrents

import (
	"container/list"
	"io/fs"
	"sync"
	"syscall"
)

// A video's API answer gives every file's magnet link, and a torrent
// request its .torrent: both were built from the file's piece record read
// from disk each time (one open and read per file per request) and hashed
// again (the info hash is a SHA-1 over some 20 kB). A published file never
// changes, so what is derived from it is kept here, and a request costs one
// stat per file: the entry is used only while the file on disk is the very
// one it was derived from (same inode, size and modification time). A
// re-encode renames a new file into place (a new inode), a deletion makes
// the stat fail: neither can be served what was derived from the old file.
//
// The cache is bounded by bytes (the piece hashes dominate: about 20 kB a
// file, as much again for each .torrent kept) and forgets the least
// recently used file first.

// fileID is what tells one file from its replacement at the same path.
type fileID struct {
	dev, ino     uint64
	size, mtimeN int64
}

func identity(st fs.FileInfo) fileID {
	id := fileID{size: st.Size(), mtimeN: st.ModTime().UnixNano()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(sys.Dev), sys.Ino
	}
	return id
}

// matches reports whether p was hashed from the file id names.
func (id fileID) matches(p Pieces) bool { return p.Length == id.size && p.ModTime == id.mtimeN }

// derived is what one file gives: its pieces, the info hash under each
// info name asked for (the name follows the title), and the torrents built
// for each name and web seed (the web seed follows the host the viewer
// reached: a few at most, the LAN's and the public one).
type derived struct {
	key      string
	id       fileID
	p        Pieces
	hashes   []namedHash
	torrents []builtTorrent
}

type namedHash struct{ name, hash string }

type builtTorrent struct {
	name, webSeed string
	b             []byte
}

// derivedVariants bounds the names (and name × web seed pairs) kept per
// file: a title edited now and then, two or three hosts.
const derivedVariants = 4

func (d *derived) bytes() int64 {
	n := int64(len(d.p.Hashes)) + 256
	for _, t := range d.torrents {
		n += int64(len(t.b))
	}
	return n
}

// derivedCache is the bounded cache of derived, keyed by video and file.
type derivedCache struct {
	max int64 // bytes; 0: defaultDerivedBytes

	mu   sync.Mutex
	size int64
	ll   list.List // of *derived, most recently used first
	m    map[string]*list.Element
}

// defaultDerivedBytes: some 200 files, far more than a home box plays at
// once, for a few MB of a Raspberry Pi's memory.
const defaultDerivedBytes = 8 << 20

func derivedKey(uuid, file string) string { return uuid + "/" + file }

// get returns the entry for key when it was derived from the file id.
func (c *derivedCache) get(key string, id fileID) (*derived, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		return nil, false
	}
	d := el.Value.(*derived)
	if d.id != id {
		c.remove(el)
		return nil, false
	}
	c.ll.MoveToFront(el)
	return d, true
}

// put remembers the pieces of the file id, replacing what key held.
func (c *derivedCache) put(key string, id fileID, p Pieces) *derived {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.remove(el)
	}
	if c.m == nil {
		c.m = map[string]*list.Element{}
	}
	d := &derived{key: key, id: id, p: p}
	c.m[key] = c.ll.PushFront(d)
	c.size += d.bytes()
	c.trim()
	return d
}

// forget drops key (its file is gone).
func (c *derivedCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.remove(el)
	}
}

// infoHash is f's info hash, computed once per file and info name.
func (c *derivedCache) infoHash(d *derived, f File) string {
	c.mu.Lock()
	for _, h := range d.hashes {
		if h.name == f.Name {
			c.mu.Unlock()
			return h.hash
		}
	}
	c.mu.Unlock()
	hash := f.computeInfoHash()
	c.mu.Lock()
	defer c.mu.Unlock()
	d.hashes = append(d.hashes, namedHash{f.Name, hash})
	if len(d.hashes) > derivedVariants {
		d.hashes = d.hashes[1:]
	}
	return hash
}

// torrent is f's .torrent, built once per file, info name and web seed.
func (c *derivedCache) torrent(d *derived, f File) []byte {
	c.mu.Lock()
	for _, t := range d.torrents {
		if t.name == f.Name && t.webSeed == f.WebSeed {
			c.mu.Unlock()
			return t.b
		}
	}
	c.mu.Unlock()
	b := f.Torrent()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Counted only while d is still the cached entry (not dropped or
	// replaced meanwhile): remove subtracts what bytes says then.
	el, cached := c.m[d.key]
	cached = cached && el.Value == d
	d.torrents = append(d.torrents, builtTorrent{f.Name, f.WebSeed, b})
	grew := int64(len(b))
	if len(d.torrents) > derivedVariants {
		grew -= int64(len(d.torrents[0].b))
		d.torrents = d.torrents[1:]
	}
	if cached {
		c.size += grew
		c.trim()
	}
	return b
}

func (c *derivedCache) remove(el *list.Element) {
	d := el.Value.(*derived)
	c.ll.Remove(el)
	delete(c.m, d.key)
	c.size -= d.bytes()
}

// trim forgets the least recently used files until the cache fits,
// always keeping the newest one.
func (c *derivedCache) trim() {
	limit := c.max
	if limit <= 0 {
		limit = defaultDerivedBytes
	}
	for c.size > limit && c.ll.Len() > 1 {
		c.remove(c.ll.Back())
	}
}
