//go:build !linux

package media

import (
	"errors"
	"os/exec"
)

// Cabane ships for Linux only; this keeps the package building elsewhere
// (a developer's laptop) with plain process handling.
func startInGroup(cmd *exec.Cmd) {}

func (r *Runner) lowerPriority(pid int) {}

func limitMemory(pid int, bytes int64) error { return nil }

// AutoMemoryLimit is 0 (no cap) where the cap is not implemented.
func AutoMemoryLimit(int64) int64 { return 0 }

func startTime(pid int) (uint64, error) { return 0, errors.ErrUnsupported }

func killGroup(pid int) {}

func freeBytes(dir string) (int64, bool) { return 0, false }

// vmPeak is unknown here: stalls are never blamed on memory.
func vmPeak(int) int64 { return 0 }
