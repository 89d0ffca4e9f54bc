package hardware

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// readProbeCache returns the cached result; ok is false when there is none.
func readProbeCache(path string) (res ProbeResult, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ProbeResult{}, false, nil
	}
	if err != nil {
		return ProbeResult{}, false, fmt.Errorf("read probe cache %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return ProbeResult{}, false, fmt.Errorf("decode probe cache %s: %w", path, err)
	}
	return res, true, nil
}

// writeProbeCache writes the result atomically: a temporary file in the same
// directory, fsynced, renamed over the old one, and the directory fsynced,
// so a power cut leaves the old cache or the new one, never half of one.
func writeProbeCache(path string, res ProbeResult) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode probe cache: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write probe cache %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write probe cache %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write probe cache %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync probe cache %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close probe cache %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename probe cache into %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync probe cache dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync probe cache dir %s: %w", dir, err)
	}
	return nil
}
