package media

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"cabane.dev/cabane/hardware"
)

// ErrDiskFull means a write failed because the disk is full. ffmpeg does
// not always say so: on a full disk its HLS muxer writes empty segments and
// an empty playlist and exits 0, so every run's output is checked too.
var ErrDiskFull = errors.New("the disk is full")

// nearlyFull is the free space under which a failed or empty write is
// blamed on the disk: less than one segment of any rendition.
const nearlyFull = 1 << 20

// checkRendition makes sure dir holds rendition name worth publishing: its
// media playlist lists at least one segment, every file it names is a
// non-empty file in dir, and every byte range lies inside its file. It
// returns the duration packaged (the sum of the segments' EXTINF), which
// is what a player will play, whatever the source's header claimed.
func checkRendition(dir, name string) (time.Duration, error) {
	mp, err := readMediaPlaylist(filepath.Join(dir, hardware.MediaPlaylistName(name)))
	if err != nil {
		return 0, fmt.Errorf("rendition %s: %w", name, err)
	}
	ends := map[string]int64{} // file -> the end of its furthest range
	if mp.initURI != "" {
		ends[mp.initURI] = mp.initOffset + mp.initLength
	}
	var secs float64
	for _, s := range mp.segments {
		ends[s.uri] = max(ends[s.uri], s.offset+s.length)
		secs += s.duration
	}
	for f, end := range ends {
		if f != filepath.Base(f) {
			return 0, fmt.Errorf("rendition %s: playlist names %q outside its folder", name, f)
		}
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			return 0, fmt.Errorf("rendition %s: %w", name, err)
		}
		if st.Size() == 0 || st.Size() < end {
			return 0, fmt.Errorf("rendition %s: %s is %d bytes, its playlist addresses %d", name, f, st.Size(), end)
		}
	}
	if secs <= 0 {
		return 0, fmt.Errorf("rendition %s: its segments last 0 s", name)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// blameDisk wraps err in ErrDiskFull, with the space left, when the write
// failed for lack of space: the error says so, or dir's filesystem is
// (nearly) full now.
func blameDisk(dir string, err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	free, ok := freeBytes(dir)
	if errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "No space left on device") || (ok && free < nearlyFull) {
		if ok {
			return fmt.Errorf("%w (%s free): %w", ErrDiskFull, humanBytes(free), err)
		}
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
