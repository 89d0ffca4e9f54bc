package media

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Progress is one report of a running ffmpeg.
type Progress struct {
	Percent   float64       // 0–100; 0 while the total duration is unknown
	Speed     float64       // media seconds per wall second (1.5 = 1.5x); 0 if unknown
	OutTime   time.Duration // how much media has been written
	Remaining time.Duration // estimated wall time left; 0 if unknown
}

// ParseProgress reads ffmpeg's `-progress pipe:1 -nostats` stream: blocks of
// key=value lines, each ending with progress=continue or progress=end. fn is
// called once per block. total may be 0 (unknown): only OutTime is then
// reported. Percent never goes backwards and reaches 100 at progress=end.
func ParseProgress(r io.Reader, total time.Duration, fn func(Progress)) error {
	sc := bufio.NewScanner(r)
	var cur, last Progress
	for sc.Scan() {
		key, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok {
			continue
		}
		switch key {
		case "out_time_us":
			// out_time_ms is microseconds too (an old ffmpeg bug kept for
			// compatibility); out_time_us says what it means.
			if us, err := strconv.ParseInt(value, 10, 64); err == nil && us >= 0 {
				cur.OutTime = time.Duration(us) * time.Microsecond
			}
		case "speed":
			if s, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), "x"), 64); err == nil {
				cur.Speed = s
			}
		case "progress":
			p := cur
			if total > 0 {
				p.Percent = min(100, 100*float64(p.OutTime)/float64(total))
				if value == "end" {
					p.Percent = 100
				}
				p.Percent = max(p.Percent, last.Percent)
				if p.Speed > 0 && p.Percent < 100 {
					p.Remaining = time.Duration(float64(total-p.OutTime) / p.Speed).Round(time.Second)
				}
			}
			last = p
			fn(p)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read progress: %w", err)
	}
	return nil
}
