package hardware

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"cabane.dev/cabane/app/durable"
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
	if err := durable.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write probe cache: %w", err)
	}
	return nil
}
