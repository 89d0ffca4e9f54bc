package media

import (
	"fmt"
	"os"
	"path/filepath"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/hardware"
)

// staging is a scratch directory inside hlsDir where ffmpeg writes. Being on
// the same filesystem makes the final move a rename: a rendition's file is
// either absent or complete at its final path, even after a power cut.
type staging struct {
	hlsDir, dir string
}

func newStaging(hlsDir string) (*staging, error) {
	if err := os.MkdirAll(hlsDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", hlsDir, err)
	}
	dir, err := os.MkdirTemp(hlsDir, ".partial-")
	if err != nil {
		return nil, fmt.Errorf("create staging dir in %s: %w", hlsDir, err)
	}
	return &staging{hlsDir: hlsDir, dir: dir}, nil
}

// publish fsyncs each finished rendition's two files (its fragmented MP4,
// then its playlist) and renames them into hlsDir, replacing an older one
// (a re-transcode) only once the new one is durable. The file goes first:
// a playlist in place always names a complete file.
func (s *staging) publish(prefix string, names ...string) error {
	var files []string
	for _, n := range names {
		files = append(files, hardware.FragmentedName(prefix, n), hardware.MediaPlaylistName(n))
	}
	for _, f := range files {
		if err := durable.SyncFile(filepath.Join(s.dir, f)); err != nil {
			return fmt.Errorf("sync %s: %w", f, err)
		}
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(s.dir, f), filepath.Join(s.hlsDir, f)); err != nil {
			return fmt.Errorf("publish %s: %w", f, err)
		}
	}
	if err := durable.SyncDir(s.hlsDir); err != nil {
		return fmt.Errorf("sync %s: %w", s.hlsDir, err)
	}
	return nil
}

// cleanup removes the staging directory and whatever is left in it: the
// renditions of a failed run, or the ones replaced by publish.
func (s *staging) cleanup() error {
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("remove staging dir: %w", err)
	}
	return nil
}
