//go:build !linux

package media

import "os/exec"

// Cabane ships for Linux only; this keeps the package building elsewhere
// (a developer's laptop) with plain process handling.
func startInGroup(cmd *exec.Cmd) {}

func (r *Runner) lowerPriority(pid int) {}
