package hardware

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SpeedTrial is one measured encode: a 1080p H.264 test clip through the
// chosen encoder's real ladder arguments to one rendition of Height.
type SpeedTrial struct {
	Height  int
	Seconds float64       // length of the test clip
	Wall    time.Duration // whole ffmpeg run, start-up included
	Speed   float64       // × real time, ffmpeg's own "speed=" (encoding only)
	Err     string        // why the trial failed; the other fields are then partial
}

// measureSpeeds encodes a generated clip once per height with enc's real
// Args (HLS output included), so the figure is what an upload will see.
// Failures of one trial are recorded in it; the error is for a failure to
// prepare (no temp dir, clip generation failing) or a cancelled ctx.
func measureSpeeds(ctx context.Context, ffmpeg string, enc Encoder, device string, p LadderPolicy, seconds float64, heights []int) ([]SpeedTrial, error) {
	enc = p.Configure(enc) // the preset and rc-lookahead a real job gets
	dir, err := os.MkdirTemp("", "cabane-doctor-*")
	if err != nil {
		return nil, fmt.Errorf("speed trial: %w", err)
	}
	defer os.RemoveAll(dir)

	// The source is H.264 like almost every upload, so decoding costs
	// what it will cost in production. ultrafast keeps its making short.
	src := filepath.Join(dir, "source.mp4")
	dur := strconv.FormatFloat(seconds, 'f', -1, 64)
	if _, err := runTimed(ctx, ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration="+dur,
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", src); err != nil {
		return nil, fmt.Errorf("speed trial: make test clip: %w", err)
	}

	var trials []SpeedTrial
	for _, h := range heights {
		tr := SpeedTrial{Height: h, Seconds: seconds}
		r := speedRendition(h)
		l := Ladder{
			Input: src, OutputDir: filepath.Join(dir, "out"), Renditions: []Rendition{r},
			SegmentSeconds: DefaultSegmentSeconds, Threads: p.Threads, Device: device,
		}
		if err := os.MkdirAll(l.OutputDir, 0o755); err != nil {
			return trials, fmt.Errorf("speed trial: %w", err)
		}
		args := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-y"}, enc.Args(l)...)
		start := time.Now()
		out, err := runTimed(ctx, ffmpeg, args...)
		tr.Wall = time.Since(start)
		if ctx.Err() != nil {
			return trials, fmt.Errorf("speed trial: %w", ctx.Err())
		}
		if err != nil {
			tr.Err = err.Error()
		} else {
			tr.Speed = lastSpeed(out)
			if tr.Speed == 0 && tr.Wall > 0 {
				tr.Speed = seconds / tr.Wall.Seconds()
			}
		}
		trials = append(trials, tr)
	}
	return trials, nil
}

// speedRendition is a 16:9 rung at 30 fps and 0.1 bit per pixel.
func speedRendition(h int) Rendition {
	w := (h*16/9 + 1) &^ 1
	br := w * h * 30 / 10
	return Rendition{Name: fmt.Sprintf("%dp", h), Width: w, Height: h, FPS: 30, VideoBitrate: br, MaxRate: br, BufSize: 2 * br}
}

// runTimed runs ffmpeg with a generous bound (a speed trial on a Pi 5 is
// slow, a hung one must still end) and returns stdout.
func runTimed(ctx context.Context, ffmpeg string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return out, fmt.Errorf("%w: %s", err, lastLine(msg))
		}
		return out, err
	}
	return out, nil
}

// lastSpeed reads the last "speed=1.23x" of ffmpeg's -progress output.
func lastSpeed(progress []byte) float64 {
	var speed float64
	sc := bufio.NewScanner(bytes.NewReader(progress))
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "speed=")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "x")), 64); err == nil {
			speed = f
		}
	}
	return speed
}
