package hardware

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteText prints the report for a person at a terminal.
func (r Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	line := func(label, format string, args ...any) {
		fmt.Fprintf(bw, "%-13s %s\n", label, fmt.Sprintf(format, args...))
	}
	b := r.Board
	line("Board:", "%s (%s%s)", orUnknown(b.Model), b.Kind, map[bool]string{true: ", virtual machine"}[b.Virtual])
	if b.CPU != "" {
		line("CPU:", "%s, %d cores", b.CPU, b.Cores)
	} else {
		line("CPU:", "%d cores", b.Cores)
	}
	line("Memory:", "%d MiB total, %d MiB available", b.MemTotal>>20, b.MemAvail>>20)
	if r.DiskErr != "" {
		line("Disk:", "%s: %s", r.DataDir, r.DiskErr)
	} else {
		line("Disk:", "%s: %s free of %s", r.DataDir, humanBytes(r.DiskFree), humanBytes(r.DiskTotal))
	}
	if len(b.Thermal) > 0 {
		var zs []string
		for _, z := range b.Thermal {
			zs = append(zs, fmt.Sprintf("%s %.1f °C", z.Type, float64(z.MilliCelsius)/1000))
		}
		line("Temperature:", "%s", strings.Join(zs, ", "))
	}
	line("Devices:", "%s", devicesText(b))
	if r.BoardErr != "" {
		line("", "detection errors: %s", r.BoardErr)
	}

	p := r.Probe
	line("ffmpeg:", "%s", orUnknown(p.FFmpegVersion))
	cached := "probed now"
	if p.Cached {
		cached = "from cache, probed " + p.ProbedAt.Format("2006-01-02 15:04 MST")
	}
	line("Encoders:", "listed %s; working %s (%s)", listOrNone(p.Listed), listOrNone(p.Working), cached)
	for _, name := range sortedKeys(p.Failures) {
		line("", "%s: %s", name, p.Failures[name])
	}
	if r.Chosen != nil {
		kind := "software"
		if r.Chosen.Hardware() {
			kind = "hardware"
			if r.Device != "" {
				kind += " on " + r.Device
			}
		}
		if v, ok := r.Chosen.(VAAPI); ok && v.LowPower {
			kind += ", low-power mode"
		}
		line("Encoder:", "%s (%s)", r.Chosen.Name(), kind)
	}

	pol := r.Policy
	if pol.Encoder != "" {
		var hs []string
		for _, h := range pol.Heights {
			hs = append(hs, fmt.Sprintf("%dp", h))
		}
		extra := ""
		if pol.X264Preset != "" {
			extra = "; x264 preset " + pol.X264Preset
			if pol.X264RCLookahead > 0 {
				extra += fmt.Sprintf(", rc-lookahead %d", pol.X264RCLookahead)
			}
		}
		if pol.PreferCopy {
			extra += "; prefers the copy path"
		}
		line("Ladder:", "%s; %d per process; %d threads%s", strings.Join(hs, ", "), pol.MaxPerProcess, pol.Threads, extra)
		for _, why := range pol.Reasons {
			line("", "- %s", why)
		}
	}
	for i, s := range r.Speeds {
		label := ""
		if i == 0 {
			label = "Speed:"
		}
		if s.Err != "" {
			line(label, "%dp: failed after %.1f s: %s", s.Height, s.Wall.Seconds(), s.Err)
			continue
		}
		line(label, "%dp: %.2f× real time (%.0f s clip, %.1f s wall)", s.Height, s.Speed, s.Seconds, s.Wall.Seconds())
	}
	return bw.Flush()
}

func devicesText(b Board) string {
	var ds []string
	for _, n := range b.RenderNodes {
		ds = append(ds, fmt.Sprintf("%s (%s)", n.Path, orUnknown(n.Driver)))
	}
	for _, d := range b.V4L2Encoders {
		ds = append(ds, fmt.Sprintf("%s (%s)", d.Path, d.Name))
	}
	ds = append(ds, b.NVIDIA.Devices...)
	if b.NVIDIA.Driver != "" {
		ds = append(ds, b.NVIDIA.Driver)
	}
	return listOrNone(ds)
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// humanBytes prints a size in binary units, one decimal.
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
