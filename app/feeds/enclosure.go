package feeds

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/hardware"
)

// A feed's enclosure must be one file that podcast apps and feed readers
// download and play. Renditions are stored as PeerTube stores them, one
// fragmented MP4 each (<uuid>-<resolution>-fragmented.mp4), and that file
// is the enclosure. A data directory not yet migrated from the old layout
// (a folder of init.mp4 and .m4s segments per rendition) is served the same
// way: the init segment followed by every media segment, in the playlist's
// order, is that same fragmented MP4, assembled on the fly.

// MP4Type is an enclosure's MIME type.
const MP4Type = "video/mp4"

// ParseDownloadName splits "<uuid>-<height>-fragmented.mp4" (the last
// part of uris.Download).
func ParseDownloadName(name string) (uuid string, height int, ok bool) {
	base, found := strings.CutSuffix(name, "-fragmented.mp4")
	if !found {
		return "", 0, false
	}
	i := strings.LastIndexByte(base, '-')
	if i <= 0 {
		return "", 0, false
	}
	h, err := strconv.Atoi(base[i+1:])
	if err != nil || h < 0 || h > 10000 {
		return "", 0, false
	}
	return base[:i], h, true
}

// Part is one file of an assembled MP4.
type Part struct {
	Path string
	Size int64
}

// Fragmented is a rendition's files, in order, as one MP4.
type Fragmented struct {
	Parts   []Part
	Size    int64
	ModTime time.Time // the newest part's
}

// sizeCache remembers assembled sizes: a feed names 20 videos' renditions,
// and an hour-long one has 900 segments to stat. An entry holds while the
// rendition's playlist is the same file (same size and time).
type sizeCache struct {
	mu sync.Mutex
	m  map[string]sizeEntry
}

type sizeEntry struct {
	playlistSize int64
	playlistTime time.Time
	size         int64
}

// maxSizeEntries bounds the cache; it is cleared when full.
const maxSizeEntries = 4096

// size is the assembled file's length, for an enclosure.
func (c *sizeCache) size(hlsDir, prefix, rendition string) (int64, error) {
	if !localName(rendition) || !localName(prefix) {
		return 0, fmt.Errorf("rendition %q: %w", rendition, os.ErrNotExist)
	}
	if f, ok := openSingle(hlsDir, prefix, rendition); ok {
		return f.Size, nil
	}
	pl := filepath.Join(hlsDir, rendition, legacyPlaylist)
	st, err := os.Stat(pl)
	if err != nil {
		return 0, fmt.Errorf("stat playlist of %s: %w", rendition, err)
	}
	c.mu.Lock()
	e, ok := c.m[pl]
	c.mu.Unlock()
	if ok && e.playlistSize == st.Size() && e.playlistTime.Equal(st.ModTime()) {
		return e.size, nil
	}
	f, err := OpenFragmented(hlsDir, prefix, rendition)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxSizeEntries {
		c.m = map[string]sizeEntry{}
	}
	c.m[pl] = sizeEntry{playlistSize: st.Size(), playlistTime: st.ModTime(), size: f.Size}
	c.mu.Unlock()
	return f.Size, nil
}

// legacyPlaylist is a rendition's playlist in the old layout's folder.
const legacyPlaylist = "index.m3u8"

// openSingle finds the rendition's single file, published once its media
// playlist is in place (the file lands first).
func openSingle(hlsDir, prefix, rendition string) (Fragmented, bool) {
	if _, err := os.Stat(filepath.Join(hlsDir, hardware.MediaPlaylistName(rendition))); err != nil {
		return Fragmented{}, false
	}
	p := filepath.Join(hlsDir, hardware.FragmentedName(prefix, rendition))
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return Fragmented{}, false
	}
	return Fragmented{Parts: []Part{{Path: p, Size: st.Size()}}, Size: st.Size(), ModTime: st.ModTime()}, true
}

// OpenFragmented finds the rendition's single file (named after prefix,
// the video's UUID) or, in a data directory not yet migrated, reads its
// legacy playlist and stats its segments.
func OpenFragmented(hlsDir, prefix, rendition string) (Fragmented, error) {
	var out Fragmented
	if !localName(rendition) || !localName(prefix) {
		return out, fmt.Errorf("rendition %q: %w", rendition, os.ErrNotExist)
	}
	if f, ok := openSingle(hlsDir, prefix, rendition); ok {
		return f, nil
	}
	dir := filepath.Join(hlsDir, rendition)
	pl, err := os.Open(filepath.Join(dir, legacyPlaylist))
	if err != nil {
		return out, fmt.Errorf("open playlist of %s: %w", rendition, err)
	}
	defer pl.Close()
	var names []string
	ended := false
	sc := bufio.NewScanner(pl)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			uri, ok := mapURI(line)
			if !ok {
				return out, fmt.Errorf("playlist of %s: bad %s", rendition, line)
			}
			names = append([]string{uri}, names...)
		case line == "#EXT-X-ENDLIST":
			ended = true
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			names = append(names, line)
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read playlist of %s: %w", rendition, err)
	}
	// A playlist still growing (an encode in progress) is not a file yet.
	if !ended || len(names) < 2 {
		return out, fmt.Errorf("playlist of %s: %w", rendition, errIncomplete)
	}
	for _, n := range names {
		if !localName(n) {
			return out, fmt.Errorf("playlist of %s names %q", rendition, n)
		}
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil {
			return out, fmt.Errorf("stat %s: %w", n, err)
		}
		out.Parts = append(out.Parts, Part{Path: p, Size: st.Size()})
		out.Size += st.Size()
		if st.ModTime().After(out.ModTime) {
			out.ModTime = st.ModTime()
		}
	}
	return out, nil
}

var errIncomplete = errors.New("not complete")

// mapURI is the URI of an #EXT-X-MAP tag.
func mapURI(line string) (string, bool) {
	_, rest, ok := strings.Cut(line, `URI="`)
	if !ok {
		return "", false
	}
	uri, _, ok := strings.Cut(rest, `"`)
	return uri, ok && uri != ""
}

// localName: a file in the rendition's own folder, as the packager writes
// them; never a path elsewhere.
func localName(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsAny(n, `/\`+"\x00") && !strings.HasPrefix(n, ".")
}

// Reader reads the parts as one file; it implements io.ReadSeeker for
// http.ServeContent (ranges, HEAD), opening one part at a time.
type Reader struct {
	f      Fragmented
	starts []int64 // each part's offset
	off    int64
	cur    *os.File
	curIdx int
}

// NewReader reads f; Close it.
func NewReader(f Fragmented) *Reader {
	r := &Reader{f: f, curIdx: -1}
	var o int64
	for _, p := range f.Parts {
		r.starts = append(r.starts, o)
		o += p.Size
	}
	return r
}

// Read reads from the part that holds the current offset.
func (r *Reader) Read(b []byte) (int, error) {
	if r.off >= r.f.Size {
		return 0, io.EOF
	}
	i := sort.Search(len(r.starts), func(i int) bool { return r.starts[i] > r.off }) - 1
	if i != r.curIdx {
		if r.cur != nil {
			r.cur.Close()
			r.cur = nil
		}
		f, err := os.Open(r.f.Parts[i].Path)
		if err != nil {
			return 0, fmt.Errorf("open part: %w", err)
		}
		r.cur, r.curIdx = f, i
	}
	in := r.off - r.starts[i]
	left := r.f.Parts[i].Size - in
	if int64(len(b)) > left {
		b = b[:left]
	}
	n, err := r.cur.ReadAt(b, in)
	r.off += int64(n)
	if err == io.EOF && n == len(b) {
		err = nil
	}
	if err == io.EOF {
		// the part shrank since it was measured: never pad with zeros
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Seek moves the offset.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.f.Size
	default:
		return 0, errors.New("seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative offset")
	}
	r.off = offset
	return offset, nil
}

// Close closes the open part.
func (r *Reader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}

// ErrDownloadDisabled: the viewer may see the video but its creator
// turned downloads off.
var ErrDownloadDisabled = errors.New("downloads of this video are disabled")

// Download finds a rendition's single file by the video's UUID and the
// rendition's resolution (PeerTube's: the short side, 0 for the audio), if
// viewer may fetch the video's files and download them.
func (s *Service) Download(ctx context.Context, viewer visibility.Viewer, uuid string, resolution int) (model.Video, Fragmented, error) {
	return s.single(ctx, viewer, uuid, resolution, true)
}

// WebVideoFile is the same file as Download, as PeerTube's web video
// (files[].fileUrl): a player's or yt-dlp's, so downloadEnabled does not
// govern it, as it does not govern the HLS files.
func (s *Service) WebVideoFile(ctx context.Context, viewer visibility.Viewer, uuid string, resolution int) (model.Video, Fragmented, error) {
	return s.single(ctx, viewer, uuid, resolution, false)
}

func (s *Service) single(ctx context.Context, viewer visibility.Viewer, uuid string, resolution int, download bool) (model.Video, Fragmented, error) {
	v, err := s.Videos.GetFile(ctx, viewer, uuid)
	if err != nil {
		return v, Fragmented{}, err
	}
	if !v.Published() {
		return v, Fragmented{}, model.ErrNotFound
	}
	if download && !visibility.Download(viewer, v) {
		return v, Fragmented{}, ErrDownloadDisabled
	}
	rs, err := s.Videos.Renditions(ctx, v)
	if err != nil {
		return v, Fragmented{}, fmt.Errorf("renditions of %s: %w", v.UUID, err)
	}
	for _, r := range rs {
		if hardware.Resolution(r.Name) == strconv.Itoa(resolution) {
			f, err := s.fileOf(ctx, v.UUID, rs, r)
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, errIncomplete) {
				err = model.ErrNotFound
			}
			return v, f, err
		}
	}
	return v, Fragmented{}, model.ErrNotFound
}
