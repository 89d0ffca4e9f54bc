package media

import (
	"os/exec"
	"syscall"
)

// startInGroup puts the child in its own process group, so that a cancel
// kills ffmpeg and anything it spawned, never the server.
func startInGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// Linux ioprio ABI (include/uapi/linux/ioprio.h).
const (
	ioprioWhoPgrp   = 2
	ioprioClassIdle = 3
	ioprioClassShft = 13
)

// lowerPriority applies Nice and IdleIO to the child's whole process group.
// PRIO_PGRP and IOPRIO_WHO_PGRP reach every thread of the group (per-pid
// calls would reach only the main thread), and threads started later
// inherit from their already-lowered parent. Both are best effort: a
// container may forbid them, and a slow transcode beats a failed one.
func (r *Runner) lowerPriority(pid int) {
	if r.Nice > 0 {
		if err := syscall.Setpriority(syscall.PRIO_PGRP, pid, r.Nice); err != nil {
			r.logger().Warn("media: setpriority failed", "pid", pid, "nice", r.Nice, "err", err)
		}
	}
	if r.IdleIO {
		prio := uintptr(ioprioClassIdle << ioprioClassShft)
		if _, _, errno := syscall.Syscall(syscall.SYS_IOPRIO_SET, ioprioWhoPgrp, uintptr(pid), prio); errno != 0 {
			r.logger().Warn("media: ioprio_set failed", "pid", pid, "err", errno)
		}
	}
}
