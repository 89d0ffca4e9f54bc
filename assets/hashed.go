package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
)

// URLPrefix is where the static files are served.
const URLPrefix = "/static-assets/"

// hashLen is how many hex digits of the SHA-256 go into a file's name:
// 48 bits, plenty to tell two versions of one file apart.
const hashLen = 12

// Asset is one static file with its content-hashed name. The bytes never
// change while the binary runs, so a hashed URL can be cached for a year.
type Asset struct {
	Name        string // "js/player.js"
	Hashed      string // "js/player.0123456789ab.js"
	Hash        string // the hex digits in Hashed
	ContentType string
	Plain       []byte

	gzipOnce sync.Once
	gz       []byte // nil when gzip does not make it smaller
}

// Gzip is the file gzipped at the best level, or nil when that does not
// save at least a tenth (images, fonts). It is compressed on first use and
// kept: start-up pays only for hashing.
func (a *Asset) Gzip() []byte {
	a.gzipOnce.Do(func() {
		if !compressible(a.ContentType) {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level: no error
		zw.Write(a.Plain)                                        // writes to memory: no error
		zw.Close()
		if buf.Len() < len(a.Plain)*9/10 {
			a.gz = buf.Bytes()
		}
	})
	return a.gz
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// Catalog is every static file, by plain and by hashed name.
type Catalog struct {
	byName   map[string]*Asset
	byHashed map[string]*Asset
}

// NewCatalog reads and hashes every file of fsys.
func NewCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Asset{}, byHashed: map[string]*Asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])[:hashLen]
		ext := path.Ext(p)
		ctype := mime.TypeByExtension(ext)
		switch ext { // not left to the system's mime tables
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a := &Asset{Name: p, Hashed: strings.TrimSuffix(p, ext) + "." + h + ext, Hash: h, ContentType: ctype, Plain: b}
		c.byName[a.Name], c.byHashed[a.Hashed] = a, a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// URL is the hashed URL of a file, for templates: {{asset "js/player.js"}}.
// An unknown name is an error, so a typo fails the page's render (and its
// test) instead of shipping a dead link.
func (c *Catalog) URL(name string) (string, error) {
	a, ok := c.byName[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return URLPrefix + a.Hashed, nil
}

// Lookup finds a file by the path after URLPrefix. hashed says the path
// named this very version, so the answer may be cached for good; the
// plain name (links from before hashing, from outside) still works.
func (c *Catalog) Lookup(p string) (a *Asset, hashed, ok bool) {
	if a, ok := c.byHashed[p]; ok {
		return a, true, true
	}
	a, ok = c.byName[p]
	return a, false, ok
}

// Hashed is the catalog of the embedded static files, built on first use
// and then only read: the embedded bytes cannot change while the binary
// runs, so one catalog per process is a constant, not shared state.
var Hashed = sync.OnceValue(func() *Catalog {
	c, err := NewCatalog(Static())
	if err != nil {
		// The files are embedded in the binary: reading them cannot fail.
		panic(fmt.Sprintf("embedded assets: %v", err))
	}
	return c
})
