package redundancy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
)

// Doer sends a request through the outbound client (httpclient.Client).
type Doer interface {
	Do(ctx context.Context, req *http.Request) (*http.Response, error)
}

// ErrOverBudget: the copy would exceed the admin's budget; it is dropped.
var ErrOverBudget = errors.New("redundancy: the copy would exceed the mirroring budget")

type copyJob struct {
	UUID string `json:"uuid"`
}

// Limits of what a copy reads from the origin.
const (
	maxPlaylist = 1 << 20 // one playlist or segments-sha256.json
	maxFiles    = 64      // files of one video (a ladder and its playlists)
)

// Register makes q run the copies.
func (s *Service) Register(q Queue) { q.Register(JobKind, s.Handle) }

// Handle copies one mirrored video: its Video object fetched again from
// its origin (the HLS playlist and the segments' hashes it names), every
// file into a staging folder beside the copies, each byte range checked
// against the origin's segments-sha256.json, the folder renamed into
// place, the mirror marked ready and announced with a Create CacheFile.
// The budget is checked before each file and bounds each download; a
// copy that does not fit, or whose files do not match their hashes, is
// dropped.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p copyJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	m, err := s.Mirror.Store.MirroredByUUID(ctx, p.UUID)
	if errors.Is(err, model.ErrNotFound) {
		return nil // evicted meanwhile
	}
	if err != nil {
		return err
	}
	if m.State != model.MirrorCopying {
		return nil
	}
	err = s.copy(ctx, &m)
	if err != nil {
		permanent := errors.Is(err, jobs.ErrPermanent) || errors.Is(err, ErrOverBudget) || j.Attempts >= j.MaxAttempts
		if permanent && ctx.Err() == nil {
			s.log().Warn("redundancy: copy dropped", "video", m.UUID, "err", err)
			s.failedCopy(m.VideoID)
			if derr := s.evict(context.WithoutCancel(ctx), m, "its copy failed"); derr != nil {
				s.log().Warn("redundancy: drop a failed copy", "video", m.UUID, "err", derr)
			}
			if !errors.Is(err, jobs.ErrPermanent) {
				err = fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
			}
		}
		return err
	}
	// Evicted while copying: the files go with it.
	if _, err := s.Mirror.Store.MirroredByUUID(ctx, m.UUID); errors.Is(err, model.ErrNotFound) {
		return os.RemoveAll(filepath.Join(s.Mirror.Dir, m.UUID))
	}
	m.State = model.MirrorReady
	if err := s.Mirror.Store.SetMirrored(ctx, m); err != nil {
		return err
	}
	s.log().Info("redundancy: video mirrored", "video", m.UUID, "bytes", m.Size)
	return s.announce(ctx, "Create", m)
}

// retryFailedAfter is how long a video whose copy was dropped (too large,
// bad hashes, gone) is left out of the candidates: the next tick must not
// download it again.
const retryFailedAfter = 24 * time.Hour

func (s *Service) failedCopy(videoID int64) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	if s.failed == nil {
		s.failed = map[int64]time.Time{}
	}
	s.failed[videoID] = s.now().Add(retryFailedAfter)
}

// recentlyFailed says whether a video's copy was dropped lately.
func (s *Service) recentlyFailed(videoID int64) bool {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	until, ok := s.failed[videoID]
	if ok && !s.now().Before(until) {
		delete(s.failed, videoID)
		return false
	}
	return ok
}

// copy downloads m's files into place and sets m's size and origin.
func (s *Service) copy(ctx context.Context, m *model.MirroredVideo) error {
	cfg, err := s.MirroringConfig(ctx)
	if err != nil {
		return err
	}
	others, err := s.Mirror.Store.Mirrored(ctx)
	if err != nil {
		return err
	}
	var usedByOthers int64
	for _, o := range others {
		if o.VideoID != m.VideoID && !manual(o) {
			usedByOthers += o.Size
		}
	}
	c := &copier{s: s, left: cfg.Budget - usedByOthers}
	if manual(*m) {
		c.left = s.manualBound(m.Size)
	}
	if c.left <= 0 {
		return ErrOverBudget
	}
	doc, err := s.Mirror.Fetch.Object(ctx, m.IRI)
	if err != nil {
		return fmt.Errorf("fetch video %s: %w", m.IRI, err)
	}
	var v vocab.Video
	if err := json.Unmarshal(doc, &v); err != nil || v.ID != m.IRI {
		return fmt.Errorf("%w: video %s: not its Video object", jobs.ErrPermanent, m.IRI)
	}
	master, sha := "", ""
	for _, l := range v.URL {
		if l.MediaType != vocab.MediaHLS || master != "" {
			continue
		}
		master = l.Href
		for _, t := range l.Tag {
			if t.Name == "sha256" && t.MediaType == vocab.MediaJSON {
				sha = t.Href
			}
		}
	}
	if master == "" || sha == "" {
		return fmt.Errorf("%w: video %s has no HLS playlist with segment hashes", jobs.ErrPermanent, m.IRI)
	}
	to, err := s.origin(ctx, v)
	if err != nil {
		return err
	}
	b, err := json.Marshal(to)
	if err != nil {
		return err
	}
	m.OriginInbox = string(b)

	final := filepath.Join(s.Mirror.Dir, m.UUID)
	c.dir = filepath.Join(s.Mirror.Dir, ".partial-"+m.UUID)
	if err := os.RemoveAll(c.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("mirror folder: %w", err)
	}
	defer os.RemoveAll(c.dir) // a copy that did not finish leaves nothing
	c.base, err = url.Parse(master)
	if err != nil {
		return fmt.Errorf("%w: master %q", jobs.ErrPermanent, master)
	}
	if err := c.fetchTree(ctx, master, sha); err != nil {
		return err
	}
	if err := c.verify(); err != nil {
		return err
	}
	if err := durable.SyncDir(c.dir); err != nil {
		return err
	}
	if err := os.RemoveAll(final); err != nil {
		return err
	}
	if err := os.Rename(c.dir, final); err != nil {
		return fmt.Errorf("mirror in place: %w", err)
	}
	if err := durable.SyncDir(s.Mirror.Dir); err != nil {
		return err
	}
	m.Size = c.total
	return nil
}

// manualBound bounds a copy the admin asked for, which no budget bounds:
// the size its origin gave for its files and 5% more (PeerTube's
// tolerance) with room for the playlists; unknown, what the disk can
// spare above the low-disk threshold, or maxManualCopy when that is
// unknown too. Each file is checked against the low disk as well.
func (s *Service) manualBound(declared int64) int64 {
	if declared > 0 {
		return declared + declared/20 + 1<<20
	}
	if s.Mirror.Free != nil {
		if free, ok := s.Mirror.Free(s.Mirror.Dir); ok {
			low := s.Mirror.LowDisk
			if low == 0 {
				low = DefaultLowDisk
			}
			return free - low
		}
	}
	return maxManualCopy
}

// maxManualCopy bounds a copy the admin asked for when neither its size
// nor the free space is known.
const maxManualCopy = 8 << 30

// origin is where the video's announcements go: its channel (the Group
// it is attributed to), else its account.
func (s *Service) origin(ctx context.Context, v vocab.Video) (federation.Recipient, error) {
	var actor string
	for _, a := range v.AttributedTo {
		if a.Type == vocab.TypeGroup || actor == "" {
			actor = a.ID
		}
	}
	if actor == "" || s.Mirror.Origin == nil {
		return federation.Recipient{}, fmt.Errorf("%w: video %s has no origin actor", jobs.ErrPermanent, v.ID)
	}
	return s.Mirror.Origin(ctx, actor)
}

// copier downloads one video's files into dir, within left bytes.
type copier struct {
	s     *Service
	dir   string
	base  *url.URL // the master playlist: every file is in its folder
	left  int64
	total int64
	files []string // names fetched, in order
	sha   string   // the segments' hashes' file name
}

// fetchTree fetches the hashes, the master playlist, its media
// playlists, and the files they name.
func (c *copier) fetchTree(ctx context.Context, master, sha string) error {
	shaName, err := c.name(sha)
	if err != nil {
		return err
	}
	if _, err := c.get(ctx, shaName, maxPlaylist); err != nil {
		return err
	}
	c.sha = shaName
	masterName, err := c.name(master)
	if err != nil {
		return err
	}
	body, err := c.get(ctx, masterName, maxPlaylist)
	if err != nil {
		return err
	}
	for _, ref := range playlistRefs(body) {
		name, err := c.name(ref)
		if err != nil {
			return err
		}
		if c.have(name) {
			continue
		}
		media, err := c.get(ctx, name, maxPlaylist)
		if err != nil {
			return err
		}
		if !strings.HasSuffix(name, ".m3u8") {
			continue
		}
		for _, fref := range playlistRefs(media) {
			fname, err := c.name(fref)
			if err != nil {
				return err
			}
			if c.have(fname) {
				continue
			}
			if _, err := c.get(ctx, fname, -1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *copier) have(name string) bool {
	for _, f := range c.files {
		if f == name {
			return true
		}
	}
	return false
}

// name is a reference's file name: it must resolve into the master
// playlist's folder, on its server (the mirror keeps the origin's names
// under one folder, which is what players and PeerTube expect).
func (c *copier) name(ref string) (string, error) {
	u, err := c.base.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%w: reference %q", jobs.ErrPermanent, ref)
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host || path.Dir(u.Path) != path.Dir(c.base.Path) || u.RawQuery != "" {
		return "", fmt.Errorf("%w: %s is outside the playlist's folder", jobs.ErrPermanent, u)
	}
	name := path.Base(u.Path)
	if name == "." || name == "/" || strings.HasPrefix(name, ".") || len(name) > 255 || strings.ContainsAny(name, "\\\x00") {
		return "", fmt.Errorf("%w: file name %q", jobs.ErrPermanent, name)
	}
	return name, nil
}

// get downloads one file of the folder, checking the budget first (what
// is left, against its Content-Length) and bounding the body by it; limit
// > 0 bounds it further. Playlists are returned.
func (c *copier) get(ctx context.Context, name string, limit int64) ([]byte, error) {
	if len(c.files) >= maxFiles {
		return nil, fmt.Errorf("%w: more than %d files", jobs.ErrPermanent, maxFiles)
	}
	if c.left <= 0 {
		return nil, ErrOverBudget
	}
	u := c.base.ResolveReference(&url.URL{Path: path.Join(path.Dir(c.base.Path), name)})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.s.Mirror.HTTP.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone || resp.StatusCode == http.StatusForbidden {
			err = fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
		}
		return nil, err
	}
	if resp.ContentLength > c.left {
		return nil, fmt.Errorf("%w: %s is %d bytes, %d left", ErrOverBudget, name, resp.ContentLength, c.left)
	}
	bound := c.left
	if limit > 0 && limit < bound {
		bound = limit
	}
	if c.s.lowDisk(max(resp.ContentLength, 0)) {
		return nil, fmt.Errorf("%w: the disk is running low", ErrOverBudget)
	}
	f, err := os.OpenFile(filepath.Join(c.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("mirror %s: %w", name, err)
	}
	var keep bytes.Buffer
	w := io.Writer(f)
	if strings.HasSuffix(name, ".m3u8") {
		w = io.MultiWriter(f, &keep)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, bound+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if n > bound {
		if bound == c.left {
			return nil, fmt.Errorf("%w: %s is larger than the %d bytes left", ErrOverBudget, name, c.left)
		}
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", jobs.ErrPermanent, name, bound)
	}
	c.left -= n
	c.total += n
	c.files = append(c.files, name)
	return keep.Bytes(), nil
}

// verify checks every byte range segments-sha256.json lists (PeerTube's
// format: per file, per "start-end" range, the hex sha256; or, for a file
// of its own, the file's hash), and that every media file is listed.
func (c *copier) verify() error {
	b, err := os.ReadFile(filepath.Join(c.dir, c.sha))
	if err != nil {
		return err
	}
	var hashes map[string]json.RawMessage
	if err := json.Unmarshal(b, &hashes); err != nil {
		return fmt.Errorf("%w: %s: %w", jobs.ErrPermanent, c.sha, err)
	}
	for _, name := range c.files {
		if name == c.sha || strings.HasSuffix(name, ".m3u8") {
			continue
		}
		raw, ok := hashes[name]
		if !ok {
			// An init section (EXT-X-MAP) of fragmented MP4 is not listed
			// when it is a range of a listed file; a separate file must be.
			return fmt.Errorf("%w: %s is not in %s", jobs.ErrPermanent, name, c.sha)
		}
		if err := c.verifyFile(name, raw); err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) verifyFile(name string, raw json.RawMessage) error {
	f, err := os.Open(filepath.Join(c.dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var whole string
	if json.Unmarshal(raw, &whole) == nil {
		return checkRange(f, name, 0, st.Size(), whole)
	}
	var ranges map[string]string
	if err := json.Unmarshal(raw, &ranges); err != nil || len(ranges) == 0 {
		return fmt.Errorf("%w: %s: no hashes for %s", jobs.ErrPermanent, c.sha, name)
	}
	for r, want := range ranges {
		a, z, ok := strings.Cut(r, "-")
		start, err1 := strconv.ParseInt(a, 10, 64)
		end, err2 := strconv.ParseInt(z, 10, 64)
		if !ok || err1 != nil || err2 != nil || start < 0 || end < start || end >= st.Size() {
			return fmt.Errorf("%w: %s: range %q of %s", jobs.ErrPermanent, c.sha, r, name)
		}
		if err := checkRange(f, name, start, end-start+1, want); err != nil {
			return err
		}
	}
	return nil
}

func checkRange(f *os.File, name string, off, n int64, want string) error {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, off, n)); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
		return fmt.Errorf("%w: %s bytes %d-%d: sha256 %s, the origin says %s", jobs.ErrPermanent, name, off, off+n-1, got, want)
	}
	return nil
}

// playlistRefs are the URIs an HLS playlist names: its non-comment lines
// and the URI attributes of its tags (EXT-X-MEDIA, EXT-X-MAP).
func playlistRefs(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			if i := strings.Index(line, `URI="`); i >= 0 && strings.HasPrefix(line, "#EXT-X-") {
				rest := line[i+5:]
				if j := strings.IndexByte(rest, '"'); j > 0 {
					out = append(out, rest[:j])
				}
			}
		default:
			out = append(out, line)
		}
	}
	return out
}
