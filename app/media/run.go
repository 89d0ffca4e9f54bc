package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// globalArgs come before every ffmpeg command line: quiet stderr (warnings
// and errors only, so the tail we keep holds the cause), machine-readable
// progress on stdout, never read stdin, overwrite outputs.
var globalArgs = []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-progress", "pipe:1", "-nostats"}

// CommandLine is the whole argument list ffmpeg receives for args: the
// global flags every run gets, then args.
func CommandLine(args []string) []string {
	return append(append([]string{}, globalArgs...), args...)
}

// stderrTail is how much of ffmpeg's stderr an error carries.
const stderrTail = 4 << 10

// ErrMemoryLimit means ffmpeg needed more memory than Runner.MemoryLimit
// allows: the video is too large for this box. Retrying cannot help.
var ErrMemoryLimit = errors.New("ffmpeg ran out of the memory this box allows it")

// ErrStalled means ffmpeg reported no progress for Runner.StallTimeout and
// was killed.
var ErrStalled = errors.New("ffmpeg stopped making progress")

// errStalledAtCap is a stall whose process had reached the memory cap.
var errStalledAtCap = fmt.Errorf("%w with its address space at the memory cap", ErrStalled)

// defaultStallTimeout is StallTimeout's default: ffmpeg reports progress
// every half second while its main loop runs, and even one 4K frame
// through a whole x264 ladder on a Pi takes seconds, not minutes.
const defaultStallTimeout = 2 * time.Minute

// memoryErrors are what ffmpeg and the loader print when an allocation
// fails (under RLIMIT_AS a failed mmap is ENOMEM).
var memoryErrors = []string{"Cannot allocate memory", "get_buffer() failed", "failed to map segment", "out of memory",
	"Out of memory", "bad_alloc"}

// runFFmpeg runs one ffmpeg process to completion. total is the media
// duration for progress percentages (0: unknown). The child is killed with
// its whole process group when ctx ends, when it stalls, or when the
// server dies (see startInGroup).
func (r *Runner) runFFmpeg(ctx context.Context, args []string, total time.Duration, fn func(Progress)) error {
	// The parent-death signal is tied to the forking thread: keep it ours
	// until the child is reaped.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	full := CommandLine(args)
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	cmd := exec.CommandContext(runCtx, r.ffmpeg(), full...)
	startInGroup(cmd)
	if r.MemoryLimit > 0 {
		// Two malloc arenas instead of eight per core: the arenas' reserved
		// but untouched 64 MiB would otherwise count against RLIMIT_AS.
		cmd.Env = append(os.Environ(), "MALLOC_ARENA_MAX=2")
	}
	// After a kill, do not wait forever for pipes a stray grandchild holds.
	cmd.WaitDelay = 5 * time.Second
	tail := &tailBuffer{max: stderrTail}
	cmd.Stderr = tail
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("ffmpeg stdout: %w", err)
	}
	log := r.logger()
	log.Debug("media: run ffmpeg", "args", full)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", r.ffmpeg(), err)
	}
	pid := cmd.Process.Pid
	r.track(pid)
	defer r.untrack(pid)
	if r.MemoryLimit > 0 {
		if err := limitMemory(pid, r.MemoryLimit); err != nil {
			log.Warn("media: could not cap ffmpeg's memory", "err", err)
		}
	}
	r.lowerPriority(pid)

	out := &activityReader{r: stdout}
	out.touch()
	watchDone := make(chan struct{})
	defer close(watchDone)
	go r.watchStall(out, stop, watchDone, pid)

	parseErr := ParseProgress(out, total, func(p Progress) {
		if fn != nil {
			fn(p)
		}
	})
	// Drain whatever is left so ffmpeg never blocks on a full pipe.
	_, _ = io.Copy(io.Discard, out)
	waitErr := cmd.Wait()
	log.Debug("media: ffmpeg done", "took", time.Since(start), "err", waitErr)
	if ctx.Err() != nil {
		return fmt.Errorf("ffmpeg: %w", context.Cause(ctx))
	}
	if errors.Is(context.Cause(runCtx), errStalledAtCap) {
		return fmt.Errorf("%w after %v, at %w (%d MiB): %s", ErrStalled, r.stallTimeout(), ErrMemoryLimit, r.MemoryLimit>>20, tail.String())
	}
	if errors.Is(context.Cause(runCtx), ErrStalled) {
		return fmt.Errorf("%w for %v: %s", ErrStalled, r.stallTimeout(), tail.String())
	}
	if waitErr != nil {
		var exit *exec.ExitError
		if errors.As(waitErr, &exit) {
			if r.MemoryLimit > 0 && outOfMemory(tail.String(), exit) {
				return fmt.Errorf("%w (%d MiB; the video is too large for this box): %s", ErrMemoryLimit, r.MemoryLimit>>20, tail.String())
			}
			return fmt.Errorf("ffmpeg failed (%v): %s", waitErr, tail.String())
		}
		return fmt.Errorf("ffmpeg: %w", waitErr)
	}
	if parseErr != nil {
		return fmt.Errorf("ffmpeg progress: %w", parseErr)
	}
	return nil
}

// outOfMemory tells a failure caused by the memory cap: an allocation
// error in the output, or a crash (code that does not check malloc).
func outOfMemory(stderr string, exit *exec.ExitError) bool {
	for _, m := range memoryErrors {
		if strings.Contains(stderr, m) {
			return true
		}
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		switch ws.Signal() {
		case syscall.SIGSEGV, syscall.SIGABRT, syscall.SIGBUS:
			return true
		}
	}
	return false
}

func (r *Runner) stallTimeout() time.Duration {
	if r.StallTimeout > 0 {
		return r.StallTimeout
	}
	return defaultStallTimeout
}

// watchStall stops the run when ffmpeg has written no progress for the
// stall timeout, until done is closed.
func (r *Runner) watchStall(out *activityReader, stop context.CancelCauseFunc, done <-chan struct{}, pid int) {
	limit := r.stallTimeout()
	t := time.NewTicker(min(limit/4, time.Second))
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if out.idle() >= limit {
				// Blame memory only with evidence: a process whose address
				// space reached the cap (a thread that cannot get its stack
				// leaves ffmpeg waiting forever). Anything else, a starved
				// SD card say, is an ordinary failure worth retrying.
				cause := ErrStalled
				if peak := vmPeak(pid); r.MemoryLimit > 0 && peak >= r.MemoryLimit*8/10 {
					cause = errStalledAtCap
				}
				r.logger().Warn("media: ffmpeg reported no progress; killing it", "for", limit, "cause", cause)
				stop(cause)
				return
			}
		}
	}
}

// activityReader remembers when it last read something.
type activityReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.touch()
	}
	return n, err
}

func (a *activityReader) touch()              { a.last.Store(time.Now().UnixNano()) }
func (a *activityReader) idle() time.Duration { return time.Since(time.Unix(0, a.last.Load())) }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(bytes.ToValidUTF8(t.buf, []byte("?"))))
	if s == "" {
		return "no error output"
	}
	return s
}
