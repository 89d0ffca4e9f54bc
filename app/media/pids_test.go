package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary play a server running one long ffmpeg
// through the Runner (see runChild); its value is the RunDir.
const childEnv = "CABANE_MEDIA_TEST_CHILD_RUNDIR"

// longArgs is an ffmpeg that encodes until killed, cheaply.
var longArgs = []string{"-re", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=5", "-c:v", "libx264", "-preset", "ultrafast", "-f", "null", "-"}

func runChild() {
	r := &Runner{RunDir: os.Getenv(childEnv)}
	err := r.runFFmpeg(context.Background(), longArgs, 0, nil)
	fmt.Fprintln(os.Stderr, "child: ffmpeg returned:", err)
	os.Exit(3)
}

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && !strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

// readPids waits for the run directory's pid file to name n processes.
func readPids(t *testing.T, runDir string, n int) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(runDir, pidsFile))
		var pids []int
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Fields(line); len(f) == 2 {
				if p, err := strconv.Atoi(f[0]); err == nil {
					pids = append(pids, p)
				}
			}
		}
		if len(pids) >= n {
			return pids
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never listed %d processes", pidsFile, n)
	return nil
}

// kill -9 of the server takes its ffmpeg with it (parent-death signal),
// within a second.
func TestFFmpegDiesWithTheServer(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Fatalf("this test needs Linux's /proc: %v", err)
	}
	runDir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"="+runDir)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	ffmpegPid := readPids(t, runDir, 1)[0]
	t.Cleanup(func() { killGroup(ffmpegPid) }) // should the test fail
	time.Sleep(300 * time.Millisecond)         // let it get into its encode
	if !alive(ffmpegPid) {
		t.Fatalf("ffmpeg %d is not running before the kill", ffmpegPid)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed := time.Now()
	for alive(ffmpegPid) {
		if time.Since(killed) > time.Second {
			t.Fatalf("ffmpeg %d still running 1 s after its server was killed", ffmpegPid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("ffmpeg gone %v after kill -9 of its parent", time.Since(killed).Round(time.Millisecond))
}

// A clean run leaves no pid file behind.
func TestPidFileListsRunningFFmpegOnly(t *testing.T) {
	runDir := t.TempDir()
	r := &Runner{RunDir: runDir}
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- r.runFFmpeg(ctx, longArgs, 0, nil) }()
	pid := readPids(t, runDir, 1)[0]
	if !alive(pid) {
		t.Fatalf("listed pid %d is not running", pid)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(runDir, pidsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pid file after the run: %v, want none", err)
	}
}

// At start-up, an ffmpeg an earlier run left behind is killed; a process
// whose pid is listed but that is not the one recorded (the pid was reused)
// is left alone.
func TestKillLeftovers(t *testing.T) {
	runDir := t.TempDir()
	// A leftover: an ffmpeg without the parent-death signal, as if its
	// server had died without taking it along.
	left := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, longArgs...)...)
	left.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := left.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { left.Wait(); close(waited) }()
	t.Cleanup(func() { killGroup(left.Process.Pid) })
	// Another process whose pid is in the file with another start time.
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	var st uint64
	var err error
	for range 100 { // /proc appears with the process, but be patient
		if st, err = startTime(left.Process.Pid); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	ost, err := startTime(other.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	list := fmt.Sprintf("%d %d\n%d %d\n1 0\n", left.Process.Pid, st, other.Process.Pid, ost+1)
	if err := os.WriteFile(filepath.Join(runDir, pidsFile), []byte(list), 0o640); err != nil {
		t.Fatal(err)
	}
	n, err := (&Runner{RunDir: runDir}).KillLeftovers()
	if err != nil || n != 1 {
		t.Fatalf("KillLeftovers = %d, %v; want 1 killed", n, err)
	}
	select {
	case <-waited:
	case <-time.After(2 * time.Second):
		t.Fatal("the leftover ffmpeg is still running")
	}
	if !alive(other.Process.Pid) {
		t.Error("a process whose pid was reused was killed")
	}
	if _, err := os.Stat(filepath.Join(runDir, pidsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file after KillLeftovers: %v, want removed", err)
	}
}

// Under the memory cap, a small encode runs and an enormous frame fails
// with ErrMemoryLimit (an allocation error, or the stall that a thread
// without memory for its stack causes) instead of taking the box's memory.
func TestMemoryLimit(t *testing.T) {
	r := &Runner{MemoryLimit: 400 << 20, StallTimeout: 5 * time.Second}
	small := []string{"-f", "lavfi", "-i", "color=s=64x64:d=0.2", "-vf", "scale=32:-2", "-f", "null", "-"}
	if err := r.runFFmpeg(testCtx(t), small, 0, nil); err != nil {
		t.Fatalf("a small run under a 400 MiB cap: %v", err)
	}
	big := []string{"-f", "lavfi", "-i", "color=s=12000x12000:d=0.04", "-vf", "scale=320:-2", "-f", "null", "-"}
	start := time.Now()
	err := r.runFFmpeg(testCtx(t), big, 0, nil)
	if !errors.Is(err, ErrMemoryLimit) || !strings.Contains(err.Error(), "400 MiB") {
		t.Fatalf("a 12000×12000 frame under a 400 MiB cap: %v; want ErrMemoryLimit naming the cap", err)
	}
	t.Logf("refused after %v: %v", time.Since(start).Round(time.Millisecond), err)
	for total, want := range map[int64]int64{0: 0, 512 << 20: 1 << 30, 4 << 30: 8 << 30} {
		if got := AutoMemoryLimit(total); got != want {
			t.Errorf("AutoMemoryLimit(%d MiB) = %d MiB, want %d MiB", total>>20, got>>20, want>>20)
		}
	}
}

// A stall far from the memory cap (a starved disk, say) is an ordinary,
// retryable failure: it is not blamed on memory, which would fail the
// video for good.
func TestStallWithoutMemoryEvidenceIsNotMemory(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "ffmpeg")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Runner{FFmpeg: fake, MemoryLimit: 64 << 30, StallTimeout: time.Second, RunDir: dir}
	err := r.runFFmpeg(testCtx(t), []string{"-i", "x"}, 0, nil)
	if !errors.Is(err, ErrStalled) || errors.Is(err, ErrMemoryLimit) {
		t.Fatalf("stalled far below the cap: %v; want ErrStalled and not ErrMemoryLimit", err)
	}
}
