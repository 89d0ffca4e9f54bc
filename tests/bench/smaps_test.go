package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// anonSplit is where a process's anonymous resident memory lies, read
// from /proc/<pid>/smaps: mappings at Go's classic arena addresses
// (0xc000000000; Go 1.26 may place the heap elsewhere, then this reads 0),
// the main thread's stack, and every other anonymous mapping, the biggest
// named with their virtual size (Go reserves its heap in 64 MiB arenas;
// modernc SQLite's allocator maps small pages outside the Go heap).
type anonSplit struct {
	goArenaKiB, otherKiB, stackKiB, fileKiB int64
	otherMaps                               int
	biggestOther                            []string
	// The binary's own mappings (code, read-only data, pclntab): resident
	// KiB of mapped KiB, by permissions. Faults map 64 KiB around the page
	// touched, so a page of each package's init maps most of the file.
	binary []string
}

func (a anonSplit) String() string {
	return fmt.Sprintf("anonymous: Go heap arenas %.1f MiB, other anonymous mappings %.1f MiB in %d mappings (biggest: %s), stack %.1f MiB; file-backed %.1f MiB (the binary: %s)",
		float64(a.goArenaKiB)/1024, float64(a.otherKiB)/1024, a.otherMaps, strings.Join(a.biggestOther, ", "), float64(a.stackKiB)/1024, float64(a.fileKiB)/1024, strings.Join(a.binary, ", "))
}

func readAnonSplit(pid int) (anonSplit, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return anonSplit{}, fmt.Errorf("smaps: %w", err)
	}
	defer f.Close()
	var out anonSplit
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	type m struct {
		rng, perms string
		kib        int64
		size       uint64
		name       string
	}
	var cur m
	var others []m
	flush := func() {
		if cur.rng == "" {
			return
		}
		start, _ := strconv.ParseUint(strings.SplitN(cur.rng, "-", 2)[0], 16, 64)
		switch {
		case cur.name == "[stack]":
			out.stackKiB += cur.kib
		case cur.name != "" && !strings.HasPrefix(cur.name, "["):
			out.fileKiB += cur.kib
			if cur.name == exe {
				out.binary = append(out.binary, fmt.Sprintf("%s %.1f of %.1f MiB", cur.perms, float64(cur.kib)/1024, float64(cur.size)/(1<<20)))
			}
		case start >= 0xc000000000 && start < 0xd000000000:
			out.goArenaKiB += cur.kib
		default:
			out.otherKiB += cur.kib
			if cur.kib > 0 {
				out.otherMaps++
				others = append(others, cur)
			}
		}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		if strings.Contains(fs[0], "-") && !strings.HasSuffix(fs[0], ":") {
			flush()
			cur = m{rng: fs[0]}
			if len(fs) >= 2 {
				cur.perms = fs[1]
			}
			if lo, hi, ok := strings.Cut(fs[0], "-"); ok {
				a, _ := strconv.ParseUint(lo, 16, 64)
				b, _ := strconv.ParseUint(hi, 16, 64)
				cur.size = b - a
			}
			if len(fs) >= 6 {
				cur.name = strings.Join(fs[5:], " ")
			}
			continue
		}
		if fs[0] == "Rss:" && len(fs) >= 2 {
			cur.kib, _ = strconv.ParseInt(fs[1], 10, 64)
		}
	}
	flush()
	for i := 0; i < 3 && len(others) > 0; i++ {
		b := 0
		for j := range others {
			if others[j].kib > others[b].kib {
				b = j
			}
		}
		out.biggestOther = append(out.biggestOther, fmt.Sprintf("%d KiB resident of %d MiB", others[b].kib, others[b].size>>20))
		others = append(others[:b], others[b+1:]...)
	}
	return out, sc.Err()
}
