package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
)

// pidsFile lists, under Runner.RunDir, the ffmpeg processes this server is
// running: "<pid> <start time>" per line. The parent-death signal kills
// them when the server dies; the file is for what that cannot reach (a
// wrapper's grandchild, a kernel that lost the signal) and is read at the
// next start by KillLeftovers.
const pidsFile = "ffmpeg.pids"

type procID struct {
	pid   int
	start uint64
}

// track records a started child; untrack forgets it. The file is rewritten
// whole through durable.WriteFile: a crash never leaves half a list.
func (r *Runner) track(pid int) {
	if r.RunDir == "" {
		return
	}
	st, err := startTime(pid)
	if err != nil {
		return // already gone, or not Linux
	}
	r.pidMu.Lock()
	defer r.pidMu.Unlock()
	r.pids = append(r.pids, procID{pid, st})
	r.writePids()
}

func (r *Runner) untrack(pid int) {
	if r.RunDir == "" {
		return
	}
	r.pidMu.Lock()
	defer r.pidMu.Unlock()
	r.pids = slices.DeleteFunc(r.pids, func(p procID) bool { return p.pid == pid })
	r.writePids()
}

// writePids rewrites the file from r.pids; r.pidMu is held.
func (r *Runner) writePids() {
	path := filepath.Join(r.RunDir, pidsFile)
	if len(r.pids) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.logger().Warn("media: remove pid file", "err", err)
		}
		return
	}
	var b bytes.Buffer
	for _, p := range r.pids {
		fmt.Fprintf(&b, "%d %d\n", p.pid, p.start)
	}
	err := os.MkdirAll(r.RunDir, 0o750)
	if err == nil {
		err = durable.WriteFile(path, b.Bytes(), 0o640)
	}
	if err != nil {
		// Best effort: the parent-death signal is the main defence.
		r.logger().Warn("media: write pid file", "err", err)
	}
}

// KillLeftovers kills the ffmpeg processes an earlier run of the server
// recorded in RunDir and that are still alive, and waits (up to 2 s) until
// they are gone. Call it at start-up before jobs resume: a leftover encode
// would otherwise keep writing into a staging folder the resumed job is
// about to delete. A recorded pid is killed only if its start time still
// matches, so a pid the kernel has since given to another process is left
// alone (a stricter test than looking for the data directory in its
// command line, which a relative path or a wrapper script would defeat).
// It returns how many processes it killed.
func (r *Runner) KillLeftovers() (int, error) {
	if r.RunDir == "" {
		return 0, nil
	}
	path := filepath.Join(r.RunDir, pidsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	var killed []procID
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		pid, err1 := strconv.Atoi(f[0])
		st, err2 := strconv.ParseUint(f[1], 10, 64)
		if err1 != nil || err2 != nil || pid <= 1 || pid == os.Getpid() {
			continue
		}
		if now, err := startTime(pid); err != nil || now != st {
			continue // gone, or the pid is someone else's now
		}
		r.logger().Warn("media: killing an ffmpeg left running by an earlier run", "pid", pid)
		killGroup(pid)
		killed = append(killed, procID{pid, st})
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, p := range killed {
		for time.Now().Before(deadline) {
			if now, err := startTime(p.pid); err != nil || now != p.start {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return len(killed), fmt.Errorf("remove %s: %w", path, err)
	}
	return len(killed), nil
}
