package media

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// startInGroup puts the child in its own process group, so that a cancel
// kills ffmpeg and anything it spawned, never the server; and asks the
// kernel to SIGKILL it when its parent dies (kill -9 of cabane, an OOM
// kill), so no encode outlives the server and writes into a staging folder
// that the resumed job deletes.
//
// The parent-death signal fires when the OS thread that forked the child
// exits, not the process: callers hold runtime.LockOSThread from before
// Start until Wait returns, so that thread stays theirs (the Go runtime
// ends a thread only when a goroutine locked to it exits still locked).
func startInGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
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

// limitMemory caps the child's address space (RLIMIT_AS) right after it
// starts: its threads and children share or inherit the cap. Only ffmpeg's
// start-up (loading libraries) runs before it.
func limitMemory(pid int, bytes int64) error {
	lim := unix.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	if err := unix.Prlimit(pid, unix.RLIMIT_AS, &lim, nil); err != nil {
		return fmt.Errorf("prlimit RLIMIT_AS of %d: %w", pid, err)
	}
	return nil
}

// AutoMemoryLimit sizes the ffmpeg memory cap from the box's memory: twice
// MemTotal, at least 1 GiB. RLIMIT_AS counts address space, not resident
// memory: ffmpeg maps ~300 MB of libraries before it decodes a frame, and a
// 1080p four-rendition x264 ladder measured 1.17 GB of address space for
// 0.49 GB resident (with MALLOC_ARENA_MAX=2, which the runner sets so that
// untouched malloc arenas, 64 MiB each, do not count). Twice the RAM lets
// every normal encode through and stops one whose real use would approach
// all of the RAM before the kernel's OOM killer picks a victim (maybe the
// server). total is the box's MemTotal (app passes the detected board's);
// 0 (unknown) sets no cap.
func AutoMemoryLimit(total int64) int64 {
	if total <= 0 {
		return 0
	}
	return max(2*total, 1<<30)
}

// startTime is a process's start time in clock ticks since boot (field 22
// of /proc/<pid>/stat). With the pid it names one process for good: a pid
// reused by another process has another start time.
func startTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	if f[0] == "Z" { // a zombie is already dead: nothing to kill
		return 0, os.ErrNotExist
	}
	return strconv.ParseUint(f[19], 10, 64)
}

func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL) // ffmpeg leads its own group
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// freeBytes is the space left for an unprivileged writer on dir's
// filesystem; ok is false when it cannot be read.
func freeBytes(dir string) (n int64, ok bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// vmPeak is a process's peak address space in bytes (VmPeak, what
// RLIMIT_AS bounds); 0 when it cannot be read.
func vmPeak(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmPeak:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
