package userimport

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"cabane.dev/cabane/app/userexport"
)

// ErrBadArchive wraps every reason an archive is refused; the rest of the
// message is for the user.
var ErrBadArchive = errors.New("this archive cannot be imported")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadArchive, fmt.Sprintf(format, args...))
}

// badAt says where in the archive err, a refusal, was found.
func badAt(where string, err error) error {
	if !errors.Is(err, ErrBadArchive) {
		return fmt.Errorf("%s: %w", where, err)
	}
	return bad("%s: %s", where, strings.TrimPrefix(err.Error(), ErrBadArchive.Error()+": "))
}

// Limits bound what one archive may ask of the box. Zero fields take
// DefaultLimits'.
type Limits struct {
	// MaxEntries is the most files an archive may hold (PeerTube: 10,000).
	MaxEntries int
	// MinExpanded and ExpandRatio bound the archive's expanded size: at
	// most max(MinExpanded, ExpandRatio × the archive's size), as
	// PeerTube's importer bounds its unzip (1 GB, twice the archive).
	MinExpanded int64
	ExpandRatio int64
	// MaxJSON is the most one peertube/*.json file may expand to.
	MaxJSON int64
	// Reserve is the free disk an import must leave (the box keeps
	// serving and encoding).
	Reserve int64
}

// DefaultLimits are PeerTube's, and a 64 MiB JSON file (metadata of tens
// of thousands of videos).
var DefaultLimits = Limits{MaxEntries: 10000, MinExpanded: 1 << 30, ExpandRatio: 2, MaxJSON: 64 << 20, Reserve: 512 << 20}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxEntries > 0 {
		d.MaxEntries = l.MaxEntries
	}
	if l.MinExpanded > 0 {
		d.MinExpanded = l.MinExpanded
	}
	if l.ExpandRatio > 0 {
		d.ExpandRatio = l.ExpandRatio
	}
	if l.MaxJSON > 0 {
		d.MaxJSON = l.MaxJSON
	}
	if l.Reserve > 0 {
		d.Reserve = l.Reserve
	}
	return d
}

// archive is an open ZIP read in place from disk: its central directory
// is in memory (bounded by MaxEntries), every entry is streamed.
type archive struct {
	f       *os.File
	zr      *zip.Reader
	files   map[string]*zip.File
	limits  Limits
	size    int64 // of the archive
	content int64 // what its video and picture files expand to
}

func openArchive(p string, l Limits) (*archive, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open archive: %w", err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if errors.Is(err, zip.ErrInsecurePath) {
		f.Close()
		return nil, bad("a file name in it tries to leave the archive (an absolute path, \"..\" or a backslash)")
	}
	if err != nil {
		f.Close()
		return nil, bad("it is not a ZIP file (%v)", err)
	}
	a := &archive{f: f, zr: zr, limits: l.orDefault(), size: st.Size()}
	if err := a.checkEntries(); err != nil {
		f.Close()
		return nil, err
	}
	return a, nil
}

func (a *archive) Close() error { return a.f.Close() }

// checkEntries refuses, from the central directory alone, before any
// byte is expanded: too many entries, names that leave the archive,
// links and other non-files, the same name twice, and a declared
// expanded size beyond the limit.
func (a *archive) checkEntries() error {
	l := a.limits
	if len(a.zr.File) > l.MaxEntries {
		return bad("it holds %d files, more than the %d an archive may", len(a.zr.File), l.MaxEntries)
	}
	a.files = make(map[string]*zip.File, len(a.zr.File))
	var total uint64
	for _, f := range a.zr.File {
		name := f.Name
		if name == "" || strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || strings.Contains(name, "\x00") ||
			(len(name) > 1 && name[1] == ':') {
			return bad("the file name %q tries to leave the archive", name)
		}
		for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
			if part == ".." || part == "." || part == "" {
				return bad("the file name %q tries to leave the archive", name)
			}
		}
		mode := f.Mode()
		if mode&os.ModeSymlink != 0 {
			return bad("%q is a symbolic link; an archive holds plain files only", name)
		}
		if mode.IsDir() || strings.HasSuffix(name, "/") {
			continue
		}
		if !mode.IsRegular() {
			return bad("%q is not a plain file", name)
		}
		key := strings.ToLower(name) // two names one case-insensitive disk would merge
		if _, dup := a.files[key]; dup {
			return bad("the name %q is in it twice", name)
		}
		a.files[key] = f
		total += f.UncompressedSize64
		if strings.HasPrefix(name, "files/") {
			a.content += int64(f.UncompressedSize64)
		}
	}
	if max := a.maxExpanded(); total > uint64(max) {
		return bad("it expands to %s, more than the %s an archive of %s may", bytes(int64(min(total, 1<<62))), bytes(max), bytes(a.size))
	}
	return nil
}

func (a *archive) maxExpanded() int64 {
	return max(a.limits.MinExpanded, a.limits.ExpandRatio*a.size)
}

// file is the entry name names; ok false when the archive lacks it.
func (a *archive) file(name string) (*zip.File, bool) {
	f, ok := a.files[strings.ToLower(name)]
	return f, ok
}

// resolve turns an archiveFiles path (relative to the peertube/ folder,
// "../files/videos/…", as PeerTube writes them) into an entry name;
// a path that leaves the archive is refused, as PeerTube's
// getSafeArchivePathOrThrow refuses it.
func (a *archive) resolve(rel string) (string, error) {
	if rel == "" {
		return "", nil
	}
	if strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\") || strings.Contains(rel, "\x00") {
		return "", bad("the file path %q tries to leave the archive", rel)
	}
	p := path.Join("peertube", rel)
	if p == ".." || strings.HasPrefix(p, "../") || p == "." {
		return "", bad("the file path %q tries to leave the archive", rel)
	}
	if _, ok := a.file(p); !ok {
		return "", bad("it names %s, which it does not hold", p)
	}
	return p, nil
}

// openRel is open of the entry an archiveFiles path names (resolve).
func (a *archive) openRel(rel string) (io.ReadCloser, error) {
	name, err := a.resolve(rel)
	if err != nil {
		return nil, err
	}
	return a.open(name)
}

// open streams an entry, refusing more bytes than its declared size: a
// ZIP whose entries expand beyond what its directory says is refused
// as it expands, never written out whole.
func (a *archive) open(name string) (io.ReadCloser, error) {
	f, ok := a.file(name)
	if !ok {
		return nil, bad("it has no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, bad("%s cannot be read (%v)", name, err)
	}
	return &boundedReader{rc: rc, left: int64(f.UncompressedSize64), name: name}, nil
}

type boundedReader struct {
	rc   io.ReadCloser
	left int64
	name string
}

func (b *boundedReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	// archive/zip answers ErrFormat to a read past the declared size.
	if b.left < 0 || errors.Is(err, zip.ErrFormat) {
		return n, bad("%s expands beyond the size its archive declares", b.name)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, bad("%s is damaged (%v)", b.name, err)
	}
	return n, err
}

func (b *boundedReader) Close() error { return b.rc.Close() }

// readJSON decodes a peertube/*.json file into v; a missing one is
// ok=false when optional, refused when not.
func (a *archive) readJSON(name string, v any, optional bool) (ok bool, err error) {
	f, present := a.file(name)
	if !present {
		if optional {
			return false, nil
		}
		return false, bad("it has no %s: it is not an account archive of PeerTube (6.1 or later) or Cabane", name)
	}
	if f.UncompressedSize64 > uint64(a.limits.MaxJSON) {
		return false, bad("%s is %s, more than the %s it may be", name, bytes(int64(min(f.UncompressedSize64, 1<<62))), bytes(a.limits.MaxJSON))
	}
	rc, err := a.open(name)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(v); err != nil {
		if errors.Is(err, ErrBadArchive) {
			return false, err
		}
		return false, bad("%s is not valid JSON of PeerTube's format (%v)", name, err)
	}
	return true, nil
}

// eachVideo streams peertube/videos.json, one video at a time: a channel
// of thousands is never in memory whole.
func (a *archive) eachVideo(ctx context.Context, fn func(i int, v userexport.VideoJSON) error) error {
	const name = "peertube/videos.json"
	f, ok := a.file(name)
	if !ok {
		return bad("it has no %s: it is not an account archive of PeerTube (6.1 or later) or Cabane", name)
	}
	if f.UncompressedSize64 > uint64(a.limits.MaxJSON) {
		return bad("%s is %s, more than the %s it may be", name, bytes(int64(min(f.UncompressedSize64, 1<<62))), bytes(a.limits.MaxJSON))
	}
	rc, err := a.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	malformed := func(err error) error {
		if errors.Is(err, ErrBadArchive) {
			return err
		}
		return bad("%s is not valid JSON of PeerTube's format (%v)", name, err)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return malformed(fmt.Errorf("it does not start with an object"))
	}
	seen := false
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return malformed(err)
		}
		if k != "videos" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return malformed(err)
			}
			continue
		}
		seen = true
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return malformed(fmt.Errorf("\"videos\" is not an array"))
		}
		for i := 0; dec.More(); i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			var v userexport.VideoJSON
			if err := dec.Decode(&v); err != nil {
				return malformed(fmt.Errorf("video %d: %w", i+1, err))
			}
			if err := fn(i, v); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return malformed(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return malformed(err)
	}
	if !seen {
		return malformed(fmt.Errorf("no \"videos\" array"))
	}
	return nil
}

// bytes writes a size for people.
func bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
