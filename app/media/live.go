package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/hardware"
)

// Live publishes a ladder's renditions while the one ffmpeg run that
// encodes them is still going, so that an upload that must be encoded is
// playable seconds after it arrives instead of after the whole ladder.
//
// ffmpeg writes its own EVENT playlists in the staging folder (see
// hardware.Ladder.Live); they are never shown to a player. Cabane reads
// them, keeps the segments whose bytes are all in the file, fsyncs the
// file, hard-links it into hlsDir under a live name of its own (LiveName:
// the same inode keeps growing) and only then writes its own EVENT
// playlist in hlsDir listing them. A listed byte range is therefore
// durable and never rewritten: ffmpeg appends fragments and never goes
// back.
//
// The live name is never the final one, and each run that cannot
// reproduce what an interrupted one listed takes a new one: libx264
// under VBV (-maxrate, capped CRF) with more than one thread is not
// bit-exact from run to run (its row-level rate control reads the sizes
// of frames other threads are still encoding; measured here: the same
// command, -threads 2, gave a different first segment), and neither are
// hardware encoders. So no URL ever serves other bytes than the ones a
// viewer was given under it: an old range either reads the same or 404s.
//
// When the run ends well the playlists ffmpeg leaves become VOD and are
// published exactly as a run without Live publishes them, under the final
// name; the live name stays a second name of the same inode, so a viewer
// still following the EVENT playlist reads on.
type Live struct {
	// Ready is called once, as soon as every rendition of the run lists a
	// first segment in hlsDir (the caller writes the master playlist). It
	// runs while later segments go on being listed; the run does not end
	// before it returns.
	Ready func(ctx context.Context, names []string) error
	// Withdrawn is called when a resumed run finds that a segment listed
	// by the interrupted one came out different (an encoder that is not
	// bit-exact from run to run, a software fallback): the live playlists
	// and files were removed (their URLs 404 from now on), and the run
	// publishes again from its start under new live names, calling Ready
	// again once every rendition lists a segment.
	Withdrawn func()
	// Poll is how often ffmpeg's playlists are read (default 250 ms).
	Poll time.Duration
	Log  *slog.Logger
}

// liveRun follows one ffmpeg run's staging folder.
type liveRun struct {
	opt             *Live
	hlsDir, staging string
	names           []string
	rends           []*liveRendition
	ready           bool
	lastErr         string
}

type liveRendition struct {
	name   string
	file   string // ffmpeg's file in the staging folder (the final name)
	prefix string
	// live: the name in hlsDir this run's playlist lists; the prior run's
	// when this run reproduces its bytes, else a new one.
	live      string
	priorLive string
	// prior: the segments an interrupted run listed in hlsDir (a viewer
	// may hold them). This run publishes nothing of the rendition until
	// its own file holds the very same bytes at the very same ranges.
	prior     []segment
	priorInit [32]byte
	priorSums [][32]byte
	linked    bool // hlsDir's name is this run's file
	listed    int  // segments listed in hlsDir by this run
}

func newLiveRun(opt *Live, hlsDir, staging, prefix string, names []string) *liveRun {
	lr := &liveRun{opt: opt, hlsDir: hlsDir, staging: staging, names: names}
	for _, n := range names {
		r := &liveRendition{name: n, file: hardware.FragmentedName(prefix, n), prefix: prefix}
		r.loadPrior(hlsDir)
		r.live = r.priorLive
		if r.live == "" {
			r.live = newLiveName(prefix, n)
		}
		lr.rends = append(lr.rends, r)
	}
	return lr
}

// loadPrior reads what an earlier, interrupted run of this rendition
// listed in hlsDir, with the hashes of those bytes as they are now.
func (r *liveRendition) loadPrior(hlsDir string) {
	mp, err := readMediaPlaylist(filepath.Join(hlsDir, hardware.MediaPlaylistName(r.name)))
	if err != nil {
		return // nothing listed (or nothing readable, which no player read either)
	}
	if !isLiveName(mp.initURI, r.prefix, r.name) {
		return // not a live playlist of ours (a finished VOD is never compared)
	}
	f, err := os.Open(filepath.Join(hlsDir, mp.initURI))
	if err != nil {
		return
	}
	defer f.Close()
	sum, err := hashRange(f, mp.initOffset, mp.initLength)
	if err != nil {
		return
	}
	sums := make([][32]byte, 0, len(mp.segments))
	for _, s := range mp.segments {
		h, err := hashRange(f, s.offset, s.length)
		if err != nil {
			return
		}
		sums = append(sums, h)
	}
	r.prior, r.priorInit, r.priorSums, r.priorLive = mp.segments, sum, sums, mp.initURI
}

// LiveName is a live name of a rendition's growing file:
// <prefix>-<resolution>-live-<token>.mp4. It never matches the final
// <prefix>-<resolution>-fragmented.mp4 (nor its glob), so what lists the
// finished files (torrents, segments-sha256.json) never sees it.
func LiveName(prefix, name, token string) string {
	return prefix + "-" + hardware.Resolution(name) + "-live-" + token + ".mp4"
}

// liveTokenBytes: 64 random bits per run. Random rather than counted or
// timed: a withdrawn file is gone, so a counter read from the folder could
// hand its name out again, and a Raspberry Pi's clock can go back at boot.
const liveTokenBytes = 8

func isLiveName(file, prefix, name string) bool {
	res, ok := LiveResolution(file, prefix)
	return ok && res == hardware.Resolution(name)
}

// LiveResolution reads a live name of prefix's files: the resolution of
// the rendition it was made for, and ok false for any other name.
func LiveResolution(file, prefix string) (resolution string, ok bool) {
	rest, ok := strings.CutPrefix(file, prefix+"-")
	if !ok {
		return "", false
	}
	res, token, ok := strings.Cut(rest, "-live-")
	if !ok || res == "" || strings.Contains(res, "-") {
		return "", false
	}
	token, ok = strings.CutSuffix(token, ".mp4")
	if !ok || len(token) != 2*liveTokenBytes {
		return "", false
	}
	if _, err := hex.DecodeString(token); err != nil {
		return "", false
	}
	return res, true
}

// newLiveName is a live name no run has used.
func newLiveName(prefix, name string) string {
	b := make([]byte, liveTokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return LiveName(prefix, name, hex.EncodeToString(b))
}

func hashRange(f *os.File, off, n int64) ([32]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, off, n)); err != nil {
		return [32]byte{}, err
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out, nil
}

// follow publishes until ctx ends; the caller cancels it once ffmpeg has
// exited and waits for it to return before publishing the final files.
//
// Ready runs beside the publishing, not inside a tick: the caller's work
// there (ffprobes, thumbnails, the master playlist) blocked every listing
// meanwhile; three ffprobes took 0.35 s on an idle 2-core box and 3.6 s
// with twelve busy processes beside, long enough for a short encode to end
// with its playlists listed once. follow still returns only once Ready
// has: the caller's final master must never be overwritten by a late one.
func (lr *liveRun) follow(ctx context.Context) {
	every := lr.opt.Poll
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var readyDone chan error // non-nil while Ready runs
	defer func() {
		if readyDone != nil {
			lr.report(<-readyDone)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-readyDone: // a nil channel never receives
			readyDone = nil
			lr.report(err)
			continue
		case <-t.C:
		}
		ready, err := lr.tick()
		lr.report(err)
		// Once ready, every rendition is linked, so no withdrawal (and no
		// second Ready) can come while this one runs.
		if ready && lr.opt.Ready != nil && readyDone == nil {
			done := make(chan error, 1)
			readyDone = done
			go func() { done <- lr.opt.Ready(ctx, lr.names) }()
		}
	}
}

// report logs a live publishing error once (not at every tick while it
// lasts). Live publishing is a courtesy: the encode goes on, and the
// final publication does not depend on it.
func (lr *liveRun) report(err error) {
	if err != nil && err.Error() != lr.lastErr {
		lr.lastErr = err.Error()
		lr.log().Warn("media: live publishing", "err", err)
	}
}

func (lr *liveRun) log() *slog.Logger {
	if lr.opt.Log != nil {
		return lr.opt.Log
	}
	return slog.Default()
}

// tick lists in hlsDir every segment ffmpeg has finished since the last
// one; ready is true once, when every rendition first lists a segment.
func (lr *liveRun) tick() (ready bool, err error) {
	for _, r := range lr.rends {
		same, err := lr.step(r)
		if err != nil {
			return false, fmt.Errorf("rendition %s: %w", r.name, err)
		}
		if !same {
			lr.withdraw()
			return false, nil
		}
	}
	if lr.ready {
		return false, nil
	}
	for _, r := range lr.rends {
		if r.listed == 0 {
			return false, nil
		}
	}
	lr.ready = true
	return true, nil
}

// step publishes r's newly complete segments; false means a segment an
// interrupted run listed came out different.
func (lr *liveRun) step(r *liveRendition) (bool, error) {
	src := filepath.Join(lr.staging, r.file)
	segs, mp, err := completeSegments(filepath.Join(lr.staging, hardware.MediaPlaylistName(r.name)), src)
	if err != nil || len(segs) <= r.listed || len(segs) < len(r.prior) {
		return true, nil // nothing new yet (ffmpeg has not written the playlist, or the bytes)
	}
	if !r.linked && len(r.prior) > 0 {
		same, err := r.matchesPrior(src, mp, segs)
		if err != nil || !same {
			return same, err
		}
	}
	// The bytes first, durably; then the name; then the playlist.
	if err := durable.SyncFile(src); err != nil {
		return true, err
	}
	if !r.linked {
		if err := linkInto(src, filepath.Join(lr.hlsDir, r.live)); err != nil {
			return true, err
		}
		r.linked = true
	}
	if err := durable.WriteFile(filepath.Join(lr.hlsDir, hardware.MediaPlaylistName(r.name)), eventPlaylist(mp, segs, r.live), 0o644); err != nil {
		return true, err
	}
	if r.listed == 0 {
		// A milestone of the time to playable (the bench breaks it down).
		lr.log().Info("media: first segment listed", "rendition", r.name)
	}
	r.listed = len(segs)
	return true, nil
}

// matchesPrior compares this run's first segments with the ones listed
// before the crash, byte for byte (by hash).
func (r *liveRendition) matchesPrior(src string, mp *mediaPlaylist, segs []segment) (bool, error) {
	f, err := os.Open(src)
	if err != nil {
		return true, err
	}
	defer f.Close()
	init, err := hashRange(f, mp.initOffset, mp.initLength)
	if err != nil || init != r.priorInit {
		return false, err
	}
	for i, p := range r.prior {
		s := segs[i]
		if s.offset != p.offset || s.length != p.length {
			return false, nil
		}
		h, err := hashRange(f, s.offset, s.length)
		if err != nil || h != r.priorSums[i] {
			return false, err
		}
	}
	return true, nil
}

// withdraw removes every live playlist and file of the interrupted run
// (playlists first: a listed file is always there), so their URLs 404
// rather than serve other bytes, and starts this run's publication over
// under new live names.
func (lr *liveRun) withdraw() {
	lr.log().Warn("media: a resumed encode does not reproduce the segments already published; withdrawing them and publishing under new names")
	for _, r := range lr.rends {
		os.Remove(filepath.Join(lr.hlsDir, hardware.MediaPlaylistName(r.name)))
	}
	for _, r := range lr.rends {
		if r.linked {
			os.Remove(filepath.Join(lr.hlsDir, r.live))
		}
		if r.priorLive != "" {
			os.Remove(filepath.Join(lr.hlsDir, r.priorLive))
		}
	}
	_ = durable.SyncDir(lr.hlsDir)
	if lr.opt.Withdrawn != nil {
		lr.opt.Withdrawn()
	}
	lr.ready = false
	for _, r := range lr.rends {
		r.live, r.linked, r.listed = newLiveName(r.prefix, r.name), false, 0
		r.prior, r.priorSums, r.priorLive = nil, nil, ""
	}
}

// completeSegments reads ffmpeg's playlist and keeps the segments (and
// requires the init section) whose bytes are all in file.
func completeSegments(playlist, file string) ([]segment, *mediaPlaylist, error) {
	mp, err := readMediaPlaylist(playlist)
	if err != nil {
		return nil, nil, err
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, nil, err
	}
	if mp.initURI != filepath.Base(file) || mp.initLength <= 0 || mp.initOffset+mp.initLength > st.Size() {
		return nil, mp, nil
	}
	var out []segment
	for _, s := range mp.segments {
		if s.uri != mp.initURI || s.length <= 0 || s.offset+s.length > st.Size() {
			break
		}
		out = append(out, s)
	}
	return out, mp, nil
}

// linkInto makes dst another name of src, replacing dst atomically.
func linkInto(src, dst string) error {
	tmp := filepath.Join(filepath.Dir(dst), ".live-"+filepath.Base(dst))
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		return fmt.Errorf("link %s: %w", filepath.Base(dst), err)
	}
	if err := durable.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// eventPlaylist is a byte-range EVENT media playlist listing segs of the
// file named uri, in the shape ffmpeg writes (so the final VOD one differs
// by its type, its end and the file's name).
func eventPlaylist(mp *mediaPlaylist, segs []segment, uri string) []byte {
	target := 1.0
	for _, s := range segs {
		target = max(target, math.Ceil(s.duration))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n", int(target))
	b.WriteString("#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	fmt.Fprintf(&b, "#EXT-X-MAP:URI=%q,BYTERANGE=\"%d@%d\"\n", uri, mp.initLength, mp.initOffset)
	for _, s := range segs {
		fmt.Fprintf(&b, "#EXTINF:%f,\n#EXT-X-BYTERANGE:%d@%d\n%s\n", s.duration, s.length, s.offset, uri)
	}
	return b.Bytes()
}

// finishLive turns the EVENT playlists ffmpeg left in dir into the VOD
// ones a run without Live writes: the type line is their only difference.
func finishLive(dir string, names []string) error {
	for _, n := range names {
		p := filepath.Join(dir, hardware.MediaPlaylistName(n))
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("finish live playlist: %w", err)
		}
		s := strings.Replace(string(b), "#EXT-X-PLAYLIST-TYPE:EVENT\n", "#EXT-X-PLAYLIST-TYPE:VOD\n", 1)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			return fmt.Errorf("finish live playlist: %w", err)
		}
	}
	return nil
}
