// Command bench measures the one-process ladder against the alternatives,
// for the figures in DESIGN.md:
//
//	go run ./app/media/internal/bench                     # 60 s 1080p30 clip
//	BENCH_SECONDS=10 go run ./app/media/internal/bench    # quicker
//
// It times (a) Runner.EncodeLadder with Libx264 (one process, decode once),
// (b) the same argument list run by hand with exec.Command, which shows what
// the Runner adds (staging, fsync, progress parsing), (c) one ffmpeg per
// rendition in sequence (PeerTube's way), and Runner.CopyHLS of the same
// H.264/AAC clip. The clip is cached in os.TempDir() between runs.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

func main() {
	seconds := 60
	if s := os.Getenv("BENCH_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			log.Fatalf("BENCH_SECONDS=%q: want a positive number of seconds", s)
		}
		seconds = n
	}
	ctx := context.Background()
	in, err := sourceClip(ctx, seconds)
	if err != nil {
		log.Fatal(err)
	}
	r := &media.Runner{}
	info, err := r.Probe(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	plan := media.PlanFor(info, transcoding.Profile{Copy: transcoding.CopyNever})
	run := media.Runs(transcoding.Profile{}, in, info, plan.Encode)[0]
	enc, ladder := run.Encoder, run.Ladder
	work, err := os.MkdirTemp("", "cabane-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	fmt.Printf("source: %s, %ds 1080p30 H.264/AAC, ladder:", in, seconds)
	for _, rend := range ladder.Renditions {
		fmt.Printf(" %s", rend.Name)
	}
	fmt.Printf("; %d CPUs\n\n", numCPU())

	a := measure("(a) EncodeLadder, one process", func() (int64, error) {
		return 0, r.EncodeLadder(ctx, enc, ladder, info.Duration, filepath.Join(work, "a"), nil)
	})
	b := measure("(b) same args, bare exec.Command", func() (int64, error) {
		l := ladder
		l.OutputDir = filepath.Join(work, "b")
		return runBare(ctx, enc.Args(l), l)
	})
	c := measure("(c) one process per rendition", func() (int64, error) {
		var peak int64
		for _, rend := range ladder.Renditions {
			l := ladder
			l.OutputDir = filepath.Join(work, "c")
			l.Renditions = []hardware.Rendition{rend}
			rss, err := runBare(ctx, enc.Args(l), l)
			if err != nil {
				return 0, err
			}
			peak = max(peak, rss)
		}
		return peak, nil
	})
	copyPlan := media.PlanFor(info, transcoding.Profile{})
	if copyPlan.Copy == nil {
		log.Fatal("the source clip should qualify for the copy path")
	}
	cp := measure("CopyHLS (stream copy)", func() (int64, error) {
		return 0, r.CopyHLS(ctx, in, info, copyPlan, filepath.Join(work, "copy"), "bench", nil)
	})

	fmt.Printf("\na/b (Runner overhead)          = %.3f\n", a.wall.Seconds()/b.wall.Seconds())
	fmt.Printf("c/a (per-rendition vs ladder)  = %.3f wall, %.3f CPU\n", c.wall.Seconds()/a.wall.Seconds(), c.cpu.Seconds()/a.cpu.Seconds())
	fmt.Printf("copy vs ladder                 = %.1fx faster\n", a.wall.Seconds()/cp.wall.Seconds())
}

type result struct{ wall, cpu time.Duration }

// measure times f and the CPU its child processes used. f returns the peak
// RSS it saw (0 when it cannot tell: the Runner does not expose rusage).
func measure(name string, f func() (int64, error)) result {
	before := childCPU()
	start := time.Now()
	rss, err := f()
	res := result{wall: time.Since(start), cpu: childCPU() - before}
	if err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	line := fmt.Sprintf("%-36s wall %7.2fs  CPU %7.2fs", name, res.wall.Seconds(), res.cpu.Seconds())
	if rss > 0 {
		line += fmt.Sprintf("  peak RSS %4d MB", rss>>20)
	}
	fmt.Println(line)
	return res
}

// runBare runs ffmpeg with exactly the Runner's global flags and args and
// returns its peak RSS in bytes.
func runBare(ctx context.Context, args []string, l hardware.Ladder) (int64, error) {
	if err := os.MkdirAll(l.OutputDir, 0o755); err != nil {
		return 0, err
	}
	global := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-progress", "pipe:1", "-nostats"}
	cmd := exec.CommandContext(ctx, "ffmpeg", append(global, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("ffmpeg: %w", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10, nil // Linux reports KiB
	}
	return 0, nil
}

func childCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func numCPU() int {
	n := 0
	data, _ := os.ReadFile("/proc/cpuinfo")
	for i := 0; i+9 < len(data); i++ {
		if string(data[i:i+9]) == "processor" && (i == 0 || data[i-1] == '\n') {
			n++
		}
	}
	return n
}

// sourceClip makes (once) a 1080p30 H.264/AAC clip at a bitrate the copy
// path accepts, in os.TempDir().
func sourceClip(ctx context.Context, seconds int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("cabane-bench-1080p30-%ds.mp4", seconds))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp.mp4"
	d := strconv.Itoa(seconds)
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration="+d,
		"-c:v", "libx264", "-preset", "veryfast", "-b:v", "5M", "-maxrate", "6M", "-bufsize", "10M", "-g", "60", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "128k", "-shortest", tmp)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("generate %s: %w", path, err)
	}
	return path, os.Rename(tmp, path)
}
