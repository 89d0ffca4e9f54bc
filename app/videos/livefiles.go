package videos

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/hardware"
)

// Superseded live files. A video playable while it encodes is served from
// live names (media.LiveName: <uuid>-<res>-live-<token>.mp4) that its
// EVENT playlists list; once the encode ends, the VOD playlists list the
// final <uuid>-<res>-fragmented.mp4, and the live name stays a second name
// of the same inode for the viewers still following the EVENT playlist.
// It is superseded from then on, and so is the live file of a run whose
// renditions were encoded again (a retried job, a resumed run that
// withdrew what it had published), which holds a whole copy of the old
// bytes. Nothing removed them.
//
// A live file is removed once no playlist of the video lists it and
// either it is not the rendition's final file (other bytes) or the
// playlist that stopped listing it did so more than liveGrace ago.
// Removing only unlisted files keeps every playlist's files in place, so
// a crash anywhere in the sweep leaves a playable video; what it left is
// removed by the next sweep: the video's next job, or the next start.
//
// The sweep and the video's job never run at once (folderLocks): a run
// links its live file into hls/ before its playlist lists it.

// liveGrace: how long a live name stays after the VOD playlist replaced
// the EVENT one listing it. A player reloads an EVENT playlist every
// segment (2 to 6 s) and then follows the VOD one; minutes are plenty.
const liveGrace = 10 * time.Minute

// liveSweep removes a video's superseded live files.
type liveSweep struct {
	now    time.Time
	remove func(path string) error // os.Remove; a test stops it midway
}

// sweep removes what is superseded in hlsDir, the hls/ folder of the
// video whose files are named after prefix (its UUID).
func (w liveSweep) sweep(hlsDir, prefix string) (removed int, err error) {
	entries, err := os.ReadDir(hlsDir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("live files of %s: %w", prefix, err)
	}
	var live []string
	listed := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
		case strings.HasSuffix(name, ".m3u8"):
			uris, err := playlistURIs(filepath.Join(hlsDir, name))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				// A playlist that cannot be read may list anything:
				// nothing is removed until it can.
				return 0, fmt.Errorf("live files of %s: %w", prefix, err)
			}
			for _, u := range uris {
				listed[u] = true
			}
		case strings.HasPrefix(name, ".live-"):
			// A link a run made and had not yet renamed into place
			// (media.linkInto): never a name a player was given.
			if _, ok := media.LiveResolution(strings.TrimPrefix(name, ".live-"), prefix); ok {
				live = append(live, name)
			}
		default:
			if _, ok := media.LiveResolution(name, prefix); ok {
				live = append(live, name)
			}
		}
	}
	for _, name := range live {
		if listed[name] || w.serving(hlsDir, prefix, name) {
			continue
		}
		if err := w.remove(filepath.Join(hlsDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, fmt.Errorf("remove superseded live file %s: %w", name, err)
		}
		removed++
	}
	return removed, nil
}

// serving reports whether the unlisted live file name may still be read
// by a viewer of the EVENT playlist that listed it: it is the rendition's
// final file, whose playlist changed less than liveGrace ago.
func (w liveSweep) serving(hlsDir, prefix, name string) bool {
	res, ok := media.LiveResolution(name, prefix)
	if !ok { // a .live- link
		return false
	}
	liveSt, err := os.Stat(filepath.Join(hlsDir, name))
	if err != nil {
		return false
	}
	// A resolution is a rendition name hardware.Resolution leaves as is.
	finalSt, err := os.Stat(filepath.Join(hlsDir, hardware.FragmentedName(prefix, res)))
	if err != nil || !os.SameFile(liveSt, finalSt) {
		return false
	}
	pl, err := os.Stat(filepath.Join(hlsDir, hardware.MediaPlaylistName(res)))
	return err == nil && w.now.Sub(pl.ModTime()) < liveGrace
}

// playlistURIs lists the files a playlist names: its URI lines and URI
// attributes (EXT-X-MAP, EXT-X-MEDIA).
func playlistURIs(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			out = append(out, line)
			continue
		}
		for rest := line; ; {
			_, after, ok := strings.Cut(rest, `URI="`)
			if !ok {
				break
			}
			uri, tail, ok := strings.Cut(after, `"`)
			if !ok {
				break
			}
			out = append(out, uri)
			rest = tail
		}
	}
	return out, sc.Err()
}

// sweepLive removes v's superseded live files; the caller holds its folder.
func (s *Service) sweepLive(uuid string) {
	n, err := liveSweep{now: time.Now(), remove: os.Remove}.sweep(s.Layout.HLS(uuid), uuid)
	if err != nil {
		s.Log.Warn("remove superseded live files", "video", uuid, "err", err)
	}
	if n > 0 {
		s.Log.Info("superseded live files removed", "video", uuid, "files", n)
	}
}

// processOwning is process with the video's folder to itself, sweeping
// its superseded live files before (what a crash left) and after (what
// this run superseded).
func (s *Service) processOwning(ctx context.Context, j *jobs.Job, v model.Video, p processPayload) error {
	unlock := s.folders.lock(v.UUID)
	defer unlock()
	s.sweepLive(v.UUID)
	defer s.sweepLive(v.UUID)
	return s.process(ctx, j, v, p)
}

// SweepLiveFiles removes the superseded live files of every video whose
// job is not running. It runs beside the server at start: a sweep a crash
// interrupted finishes here.
func (s *Service) SweepLiveFiles(ctx context.Context) error {
	entries, err := os.ReadDir(s.Layout.Media())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweep live files: %w", err)
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.IsDir() || !localName(e.Name()) {
			continue
		}
		unlock, ok := s.folders.tryLock(e.Name())
		if !ok {
			continue // its job runs, and sweeps when it starts and ends
		}
		s.sweepLive(e.Name())
		unlock()
	}
	return nil
}

// folderLocks gives one video's folder to one owner at a time: its job,
// or the live-file sweep.
type folderLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when released
}

func (f *folderLocks) lock(uuid string) (unlock func()) {
	for {
		unlock, ok, wait := f.acquire(uuid)
		if ok {
			return unlock
		}
		<-wait
	}
}

func (f *folderLocks) tryLock(uuid string) (unlock func(), ok bool) {
	unlock, ok, _ = f.acquire(uuid)
	return unlock, ok
}

func (f *folderLocks) acquire(uuid string) (unlock func(), ok bool, wait <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch, held := f.held[uuid]; held {
		return nil, false, ch
	}
	if f.held == nil {
		f.held = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	f.held[uuid] = ch
	return func() {
		f.mu.Lock()
		delete(f.held, uuid)
		f.mu.Unlock()
		close(ch)
	}, true, nil
}
