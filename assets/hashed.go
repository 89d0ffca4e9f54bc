package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
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
	Size        int64

	// The bytes stay in the binary's read-only data, read through fsys
	// when served: a copy of every file on the heap cost 0.7 MB of the
	// idle server's memory for files most visits never ask for.
	fsys     fs.FS
	gzipOnce sync.Once
	gz       []byte // nil when gzip does not make it smaller
}

// Open is the file's bytes (a seekable reader over the embedded data).
func (a *Asset) Open() (io.ReadSeekCloser, error) {
	f, err := a.fsys.Open(a.Name)
	if err != nil {
		return nil, fmt.Errorf("open asset %s: %w", a.Name, err)
	}
	rs, ok := f.(io.ReadSeekCloser)
	if !ok {
		f.Close()
		return nil, fmt.Errorf("asset %s cannot seek", a.Name)
	}
	return rs, nil
}

// Gzip is the file gzipped at the best level, or nil when that does not
// save at least a tenth (images, fonts). It is compressed on first use and
// kept: start-up pays only for hashing.
func (a *Asset) Gzip() []byte {
	a.gzipOnce.Do(func() {
		if !compressible(a.ContentType) {
			return
		}
		plain, err := fs.ReadFile(a.fsys, a.Name)
		if err != nil {
			return // embedded: cannot fail; served plain if it did
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level: no error
		zw.Write(plain)                                          // writes to memory: no error
		zw.Close()
		if buf.Len() < len(plain)*9/10 {
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
		f, err := fsys.Open(p)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		defer f.Close()
		sum := sha256.New()
		n, err := io.Copy(sum, f)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		h := hex.EncodeToString(sum.Sum(nil))[:hashLen]
		ext := path.Ext(p)
		a := &Asset{Name: p, Hashed: strings.TrimSuffix(p, ext) + "." + h + ext, Hash: h, ContentType: contentType(ext), Size: n, fsys: fsys}
		c.byName[a.Name], c.byHashed[a.Hashed] = a, a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// contentType is a static file's type, from a table of the kinds Cabane
// ships rather than the system's mime tables: loading /etc/mime.types
// kept 0.45 MB for the process's life, and its answers vary by machine.
func contentType(ext string) string {
	switch strings.ToLower(ext) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	case ".txt", "":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
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
