package testrig

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Clip describes a test clip rendered from lavfi's testsrc2 picture and a
// sine tone. The zero value is a 2 s 640x360 30 fps H.264/AAC clip; the
// container is the output file's extension.
type Clip struct {
	Seconds    float64 // length; 2 when 0
	Size       string  // "WxH"; "640x360" when empty
	FPS        int     // 30 when 0
	Video      string  // "h264" (default), "vp9" or "none" (audio only)
	Silent     bool    // no audio stream
	Bitrate    int     // video kbit/s, also the cap (x1.2); the encoder's choice when 0
	GOP        int     // frames between keyframes; 2 s when 0
	SampleRate int     // audio Hz; 48000 when 0
	Preset     string  // x264 preset; "veryfast" when empty
	Args       []string
	// Args are further output options, e.g. "-movflags", "+faststart".
}

func (c Clip) withDefaults() Clip {
	if c.Seconds == 0 {
		c.Seconds = 2
	}
	if c.Size == "" {
		c.Size = "640x360"
	}
	if c.FPS == 0 {
		c.FPS = 30
	}
	if c.Video == "" {
		c.Video = "h264"
	}
	if c.GOP == 0 {
		c.GOP = 2 * c.FPS
	}
	if c.SampleRate == 0 {
		c.SampleRate = 48000
	}
	if c.Preset == "" {
		c.Preset = "veryfast"
	}
	return c
}

// FFmpegArgs are the ffmpeg arguments that render c into out.
func (c Clip) FFmpegArgs(out string) ([]string, error) {
	c = c.withDefaults()
	secs := strconv.FormatFloat(c.Seconds, 'f', -1, 64)
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-y"}
	if c.Video != "none" {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%s:rate=%d:duration=%s", c.Size, c.FPS, secs))
	}
	if !c.Silent {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=%d:duration=%s", c.SampleRate, secs))
	}
	ext := strings.ToLower(filepath.Ext(out))
	switch c.Video {
	case "h264":
		args = append(args, "-c:v", "libx264", "-preset", c.Preset, "-pix_fmt", "yuv420p", "-g", strconv.Itoa(c.GOP))
	case "vp9":
		args = append(args, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-pix_fmt", "yuv420p",
			"-g", strconv.Itoa(c.GOP))
		if c.Bitrate == 0 {
			args = append(args, "-b:v", "1M")
		}
	case "none":
		if c.Silent {
			return nil, fmt.Errorf("clip %s: neither video nor audio", out)
		}
	default:
		return nil, fmt.Errorf("clip %s: unknown video codec %q", out, c.Video)
	}
	if c.Bitrate > 0 && c.Video != "none" {
		args = append(args, "-b:v", fmt.Sprintf("%dk", c.Bitrate), "-maxrate", fmt.Sprintf("%dk", c.Bitrate*6/5),
			"-bufsize", fmt.Sprintf("%dk", c.Bitrate*12/5))
	}
	if !c.Silent {
		switch ext {
		case ".webm", ".ogg", ".opus":
			args = append(args, "-c:a", "libopus", "-b:a", "64k")
		case ".mp3":
			args = append(args, "-c:a", "libmp3lame", "-b:a", "128k")
		default:
			args = append(args, "-c:a", "aac", "-b:a", "96k", "-ac", "2")
		}
	}
	return append(append(args, c.Args...), out), nil
}

// MakeClip renders c into path (its extension picks the container) and
// returns path.
func MakeClip(t testing.TB, path string, c Clip) string {
	t.Helper()
	args, err := c.FFmpegArgs(path)
	if err != nil {
		t.Fatal(err)
	}
	// Bounded: a recipe that never ends must fail, not outlive the test.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return path
}
