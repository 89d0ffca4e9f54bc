package hardware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// DefaultTrialTimeout bounds one trial encode. A working encoder finishes
// one second of 720p in well under a second; a broken driver can hang.
const DefaultTrialTimeout = 20 * time.Second

// trialSource is about one second of 720p30 test pattern, like a phone clip.
const trialSource = "testsrc2=size=1280x720:rate=30:duration=1"

// trialRendition exercises the backend's scaler as well as its encoder.
func trialRendition() Rendition {
	return Rendition{Name: "trial", Width: 640, Height: 360, FPS: 30, VideoBitrate: 1_000_000, MaxRate: 1_000_000, BufSize: 2_000_000}
}

// TrialArgs is the argument list of enc's trial encode on device: the
// backend's own device, upload, scale and encoder flags, from a lavfi test
// pattern to the null muxer. It is not defined for software encoders, which
// need no proof.
func TrialArgs(enc Encoder, device string) ([]string, error) {
	s, ok := enc.(hwSpec)
	if !ok {
		return nil, fmt.Errorf("trial %s: not a hardware backend", enc.Name())
	}
	l := Ladder{Device: device, Renditions: []Rendition{trialRendition()}}
	input := []string{"-f", "lavfi", "-i", trialSource}
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error"}
	return append(args, hwArgs(s, l, input, func(Rendition) []string { return []string{"-f", "null", "-"} })...), nil
}

// TrialEncode proves that enc works on this machine: it returns nil when
// the trial encode exits cleanly within timeout (0 means
// DefaultTrialTimeout), else an error carrying ffmpeg's last words.
func TrialEncode(ctx context.Context, ffmpegPath string, enc Encoder, device string, timeout time.Duration) error {
	args, err := TrialArgs(enc, device)
	if err != nil {
		return err
	}
	if timeout <= 0 {
		timeout = DefaultTrialTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffmpegPath, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second // a hung driver must not hold the pipes open
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("trial %s: timed out after %s", enc.Name(), timeout)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("trial %s: %w: %s", enc.Name(), err, lastLine(msg))
		}
		return fmt.Errorf("trial %s: %w", enc.Name(), err)
	}
	return nil
}
