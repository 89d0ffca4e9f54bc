package hardware

import (
	"bufio"
	"strconv"
	"strings"
)

// cpuInfo is what Cabane needs from /proc/cpuinfo. x86 kernels repeat
// "model name" and "flags" per processor; Raspberry Pi kernels append
// "Hardware", "Revision", "Serial" and "Model" once at the end (Pi 5 kernels
// omit "Hardware").
type cpuInfo struct {
	processors int
	modelName  string // x86 "model name"; ARMv7 "model name" is the core ("ARMv7 Processor rev 3")
	vendorID   string
	hardware   string
	revision   string
	model      string
	hypervisor bool
}

func parseCPUInfo(text string) cpuInfo {
	var c cpuInfo
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024) // x86 "flags" lines are long
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "processor":
			c.processors++
		case "model name":
			if c.modelName == "" && !strings.HasPrefix(val, "ARMv") {
				c.modelName = val
			}
		case "vendor_id":
			c.vendorID = val
		case "Hardware":
			c.hardware = val
		case "Revision":
			c.revision = val
		case "Model":
			c.model = val
		case "flags":
			if !c.hypervisor {
				c.hypervisor = hasField(val, "hypervisor")
			}
		}
	}
	return c
}

func hasField(s, word string) bool {
	for _, f := range strings.Fields(s) {
		if f == word {
			return true
		}
	}
	return false
}

// parseCPUList counts the CPUs in a kernel CPU list such as "0-3,6".
func parseCPUList(s string) int {
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(s), ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				continue
			}
		}
		n += b - a + 1
	}
	return n
}

// parseMemInfo returns MemTotal and MemAvailable in bytes (meminfo says kB,
// meaning KiB).
func parseMemInfo(text string) (total, avail uint64) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "MemTotal":
			total = kb * 1024
		case "MemAvailable":
			avail = kb * 1024
		}
	}
	return total, avail
}
