package media

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"cabane.dev/cabane/app/durable"
)

// staging is a scratch directory inside hlsDir where ffmpeg writes. Being on
// the same filesystem makes the final move a rename: a rendition is either
// absent or complete at its final path, even after a power cut.
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

// mkdirs creates the staging directory of each rendition: the hls muxer
// does not create directories.
func (s *staging) mkdirs(names ...string) error {
	for _, n := range names {
		if err := os.Mkdir(filepath.Join(s.dir, n), 0o755); err != nil {
			return fmt.Errorf("create rendition dir: %w", err)
		}
	}
	return nil
}

// publish fsyncs each finished rendition and renames it to hlsDir/<name>,
// replacing an older one (a re-transcode) only once the new one is durable.
func (s *staging) publish(names ...string) error {
	for _, n := range names {
		src := filepath.Join(s.dir, n)
		if err := syncTree(src); err != nil {
			return fmt.Errorf("sync rendition %s: %w", n, err)
		}
	}
	for _, n := range names {
		dst := filepath.Join(s.hlsDir, n)
		old := filepath.Join(s.dir, n+".old")
		hadOld := false
		if err := os.Rename(dst, old); err == nil {
			hadOld = true
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("move aside old rendition %s: %w", n, err)
		}
		if err := os.Rename(filepath.Join(s.dir, n), dst); err != nil {
			if hadOld {
				_ = os.Rename(old, dst)
			}
			return fmt.Errorf("publish rendition %s: %w", n, err)
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

// syncTree fsyncs every file of dir, then dir itself.
func syncTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := durable.SyncFile(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return durable.SyncDir(dir)
}
