package testrig

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Mem is a process's resident memory from /proc/<pid>/status, in KiB.
type Mem struct {
	RSS int64 // VmRSS: resident now
	HWM int64 // VmHWM: the most it was resident since it started
	// VmRSS's parts (kernels since 4.5): anonymous memory (the heap,
	// SQLite's caches: what the process alone holds) and file-backed
	// pages (the mapped binary: shared with the page cache, reclaimable).
	Anon, File int64
}

func (m Mem) String() string {
	s := fmt.Sprintf("VmRSS %s, VmHWM %s", MiB(m.RSS), MiB(m.HWM))
	if m.Anon+m.File > 0 {
		s += fmt.Sprintf(" (RssAnon %s, RssFile %s)", MiB(m.Anon), MiB(m.File))
	}
	return s
}

// MiB writes a KiB count as mebibytes.
func MiB(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// ReadMem reads /proc/<pid>/status.
func ReadMem(pid int) (Mem, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Mem{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	defer f.Close()
	m, err := ParseMem(f)
	if err != nil {
		return Mem{}, fmt.Errorf("read memory of %d: %w", pid, err)
	}
	return m, nil
}

// ParseMem reads the VmRSS and VmHWM lines ("VmRSS:	   12345 kB").
func ParseMem(r io.Reader) (Mem, error) {
	var m Mem
	found := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM" && key != "RssAnon" && key != "RssFile") {
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
		switch key {
		case "VmRSS":
			m.RSS = n
			found++
		case "VmHWM":
			m.HWM = n
			found++
		case "RssAnon":
			m.Anon = n
		case "RssFile":
			m.File = n
		}
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if found != 2 {
		return m, fmt.Errorf("VmRSS or VmHWM missing (a kernel thread, or an exited process)")
	}
	return m, nil
}

// CPUTime reads utime+stime of pid from /proc/<pid>/stat.
func CPUTime(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields count from after its ')'.
	_, rest, ok := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("odd /proc/%d/stat", pid)
	}
	var ticks int64
	for _, s := range f[11:13] { // utime, stime
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil // USER_HZ is 100 on Linux
}
