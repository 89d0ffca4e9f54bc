package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/hardware"
)

// The old layout: one folder per rendition holding index.m3u8, init.mp4
// and one .m4s file per segment, the master naming "<name>/index.m3u8".
// An fMP4 init segment followed by its media segments, byte for byte, IS
// a fragmented MP4: the migration writes that file beside the old ones and
// never re-encodes (the old renditions keep their muxed audio).
const legacyPlaylist = "index.m3u8"

// Migration steps, in order; a test hook may stop the migration after any.
const (
	StepFile     = "file"     // a rendition's single file is in place
	StepPlaylist = "playlist" // its byte-range playlist is in place
	StepHashes   = "hashes"   // segments-sha256.json is in place
	StepMaster   = "master"   // the master names the new playlists
	StepCleanup  = "cleanup"  // the old folders are gone
)

// MigrateLegacy converts hlsDir (a video's HLS folder, files named after
// prefix, its UUID) from the old layout, if it is in it. Until the master
// playlist is switched, by one atomic rename, players read the old files,
// which stay untouched; everything the new master names is durable before
// it is switched; the old files go only after. A crash at any point leaves
// the video playable, and running it again finishes the job. after, when
// not nil, is called after each step (tests stop there); its error stops
// the migration. It reports whether anything was to migrate.
func MigrateLegacy(hlsDir, prefix string, after func(step string) error) (bool, error) {
	if after == nil {
		after = func(string) error { return nil }
	}
	masterPath := filepath.Join(hlsDir, "master.m3u8")
	master, err := os.ReadFile(masterPath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // not published yet: its job writes the new layout
	}
	if err != nil {
		return false, fmt.Errorf("migrate %s: %w", hlsDir, err)
	}
	// What a killed run left: never named by any playlist.
	stale, _ := filepath.Glob(filepath.Join(hlsDir, ".migrate-*"))
	for _, f := range stale {
		os.Remove(f)
	}
	names := legacyNames(master)
	if len(names) == 0 {
		// Switched already (or new): only old folders may be left.
		return removeLegacyDirs(hlsDir, after)
	}
	for _, n := range names {
		if err := migrateRendition(hlsDir, prefix, n, after); err != nil {
			return true, fmt.Errorf("migrate %s rendition %s: %w", hlsDir, n, err)
		}
	}
	if err := durable.SyncDir(hlsDir); err != nil {
		return true, fmt.Errorf("migrate %s: %w", hlsDir, err)
	}
	if err := WriteSegmentHashes(hlsDir, nil, names...); err != nil {
		return true, fmt.Errorf("migrate %s: %w", hlsDir, err)
	}
	if err := after(StepHashes); err != nil {
		return true, err
	}
	for _, n := range names {
		master = bytes.ReplaceAll(master, []byte("\n"+n+"/"+legacyPlaylist), []byte("\n"+hardware.MediaPlaylistName(n)))
	}
	if err := durable.WriteFile(masterPath, master, 0o644); err != nil {
		return true, fmt.Errorf("migrate %s: switch master: %w", hlsDir, err)
	}
	if err := after(StepMaster); err != nil {
		return true, err
	}
	_, err = removeLegacyDirs(hlsDir, after)
	return true, err
}

// legacyNames are the renditions a master names in the old layout.
func legacyNames(master []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(master))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, ok := strings.CutSuffix(line, "/"+legacyPlaylist); ok && !strings.HasPrefix(line, "#") && localFile(name) {
			names = append(names, name)
		}
	}
	return names
}

func localFile(n string) bool {
	return n != "" && n == filepath.Base(n) && !strings.HasPrefix(n, ".")
}

// migrateRendition writes rendition n's single file, concatenating its
// init and segments, then its byte-range playlist; each lands by rename
// after an fsync, so a name in place is always complete.
func migrateRendition(hlsDir, prefix, n string, after func(string) error) error {
	dir := filepath.Join(hlsDir, n)
	mp, err := readMediaPlaylist(filepath.Join(dir, legacyPlaylist))
	if err != nil {
		return err
	}
	if mp.initURI == "" || !localFile(mp.initURI) {
		return fmt.Errorf("playlist has no usable EXT-X-MAP")
	}
	parts := []string{mp.initURI}
	for _, s := range mp.segments {
		if !localFile(s.uri) || s.length != 0 {
			return fmt.Errorf("playlist names %q", s.uri)
		}
		parts = append(parts, s.uri)
	}
	file := hardware.FragmentedName(prefix, n)
	sizes, err := concatDurably(dir, parts, filepath.Join(hlsDir, file))
	if err != nil {
		return err
	}
	if err := after(StepFile); err != nil {
		return err
	}
	var b strings.Builder
	target := 1
	for _, s := range mp.segments {
		target = max(target, int(s.duration+0.999))
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n", target)
	fmt.Fprintf(&b, "#EXT-X-MAP:URI=%q,BYTERANGE=\"%d@0\"\n", file, sizes[0])
	off := sizes[0]
	for i, s := range mp.segments {
		fmt.Fprintf(&b, "#EXTINF:%.6f,\n#EXT-X-BYTERANGE:%d@%d\n%s\n", s.duration, sizes[i+1], off, file)
		off += sizes[i+1]
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	if err := durable.WriteFile(filepath.Join(hlsDir, hardware.MediaPlaylistName(n)), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return after(StepPlaylist)
}

// concatDurably writes parts of dir, in order, to dst through a hidden
// temporary file (never served: hidden names are refused), fsyncs it and
// renames it into place. It returns each part's size.
func concatDurably(dir string, parts []string, dst string) ([]int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".migrate-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	defer tmp.Close()
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		f, err := os.Open(filepath.Join(dir, p))
		if err != nil {
			return nil, err
		}
		sizes[i], err = io.Copy(tmp, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", p, err)
		}
	}
	if err := tmp.Chmod(0o644); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	return sizes, os.Rename(tmp.Name(), dst) // the caller fsyncs the folder
}

// removeLegacyDirs removes the old rendition folders of a switched video.
func removeLegacyDirs(hlsDir string, after func(string) error) (bool, error) {
	old, _ := filepath.Glob(filepath.Join(hlsDir, "*", legacyPlaylist))
	if len(old) == 0 {
		return false, nil
	}
	for _, pl := range old {
		if err := os.RemoveAll(filepath.Dir(pl)); err != nil {
			return true, fmt.Errorf("remove old rendition: %w", err)
		}
	}
	if err := durable.SyncDir(hlsDir); err != nil {
		return true, err
	}
	return true, after(StepCleanup)
}
