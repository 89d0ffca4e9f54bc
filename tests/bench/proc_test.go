package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// memStatus is a process's resident memory from /proc/<pid>/status, in KiB.
type memStatus struct {
	RSS int64 // VmRSS: resident now
	HWM int64 // VmHWM: the most it was resident since it started
}

func (m memStatus) String() string {
	return fmt.Sprintf("VmRSS %s, VmHWM %s", mib(m.RSS), mib(m.HWM))
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// readMem reads /proc/<pid>/status.
func readMem(pid int) (memStatus, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	defer f.Close()
	m, err := parseMem(f)
	if err != nil {
		return memStatus{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	return m, nil
}

// parseMem reads the VmRSS and VmHWM lines ("VmRSS:	   12345 kB").
func parseMem(r io.Reader) (memStatus, error) {
	var m memStatus
	found := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("odd %s line %q", key, sc.Text())
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %w", key, err)
		}
		if key == "VmRSS" {
			m.RSS = n
		} else {
			m.HWM = n
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if found != 2 {
		return m, fmt.Errorf("VmRSS or VmHWM missing (a kernel thread, or an exited process)")
	}
	return m, nil
}

// rssSampler records the peak VmRSS of a process, sampled at a fixed
// interval, until stopped.
type rssSampler struct {
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	peak  int64
	n     int
	err   error
}

func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			m, err := readMem(pid)
			s.mu.Lock()
			if err != nil && s.err == nil {
				s.err = err
			}
			s.peak = max(s.peak, m.RSS)
			s.n++
			s.mu.Unlock()
			select {
			case <-s.stopc:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// stop ends sampling and returns the peak VmRSS in KiB and the number of
// samples.
func (s *rssSampler) stop() (peak int64, samples int, err error) {
	close(s.stopc)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.n, s.err
}

// freeBytes is the space an unprivileged write could use under dir.
func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
