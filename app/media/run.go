package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
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

// runFFmpeg runs one ffmpeg process to completion. total is the media
// duration for progress percentages (0: unknown). The child is killed with
// its whole process group when ctx ends.
func (r *Runner) runFFmpeg(ctx context.Context, args []string, total time.Duration, fn func(Progress)) error {
	full := CommandLine(args)
	cmd := exec.CommandContext(ctx, r.ffmpeg(), full...)
	startInGroup(cmd)
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
	r.lowerPriority(cmd.Process.Pid)

	parseErr := ParseProgress(stdout, total, func(p Progress) {
		if fn != nil {
			fn(p)
		}
	})
	// Drain whatever is left so ffmpeg never blocks on a full pipe.
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	log.Debug("media: ffmpeg done", "took", time.Since(start), "err", waitErr)
	if ctx.Err() != nil {
		return fmt.Errorf("ffmpeg: %w", context.Cause(ctx))
	}
	if waitErr != nil {
		var exit *exec.ExitError
		if errors.As(waitErr, &exit) {
			return fmt.Errorf("ffmpeg failed (%v): %s", waitErr, tail.String())
		}
		return fmt.Errorf("ffmpeg: %w", waitErr)
	}
	if parseErr != nil {
		return fmt.Errorf("ffmpeg progress: %w", parseErr)
	}
	return nil
}

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
