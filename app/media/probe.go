package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrNotMedia means ffprobe found no audio or video stream it can read: a
// text file, an image, an empty or truncated upload.
var ErrNotMedia = errors.New("not a video or audio file ffmpeg can read")

// Info is what Probe learns about a file.
type Info struct {
	Duration time.Duration // 0 if unknown
	Format   string        // ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Size     int64         // bytes
	BitRate  int64         // whole file, bits/s; 0 if unknown
	Video    *VideoStream  // nil for audio-only files
	Audio    *AudioStream  // nil for silent videos
}

// VideoStream describes the first real video stream (cover art excluded).
type VideoStream struct {
	Codec, Profile, PixFmt string  // "h264", "High", "yuv420p"
	Width, Height          int     // coded size in pixels
	FPS                    float64 // average frame rate; 0 if unknown
	BitRate                int64   // bits/s; 0 if unknown
	Rotation               int     // clockwise degrees a player must turn the picture: 0, 90, 180 or 270
	SAR                    float64 // sample aspect ratio; 1 for square pixels
}

// AudioStream describes the first audio stream.
type AudioStream struct {
	Codec, Profile string // "aac", "LC"
	Channels       int
	SampleRate     int
	BitRate        int64 // bits/s; 0 if unknown
}

// DisplaySize is the picture's size as shown: rotation and non-square
// pixels applied. ffmpeg applies both when it decodes and scales.
func (v *VideoStream) DisplaySize() (w, h int) {
	w, h = v.Width, v.Height
	if v.SAR > 0 && math.Abs(v.SAR-1) > 0.01 {
		w = int(math.Round(float64(w) * v.SAR))
	}
	if v.Rotation == 90 || v.Rotation == 270 {
		w, h = h, w
	}
	return w, h
}

// Probe runs ffprobe on path. It returns an error wrapping ErrNotMedia when
// the file holds no audio or video that ffmpeg can read.
func (r *Runner) Probe(ctx context.Context, path string) (*Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("probe %s: %w (the file is empty)", path, ErrNotMedia)
	}
	raw, err := r.ffprobeJSON(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	info, err := raw.info()
	if err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	if info.Size == 0 {
		info.Size = st.Size()
	}
	return info, nil
}

// probeTimeout bounds one ffprobe run: reading a file's headers takes a
// second, even on a Pi with a large file.
const probeTimeout = time.Minute

// ffprobeJSON runs ffprobe and decodes its JSON. An ffprobe that ran and
// refused the file is ErrNotMedia; one that could not run is not.
func (r *Runner) ffprobeJSON(ctx context.Context, path string, extra ...string) (*probeOutput, error) {
	out, err := r.ffprobeRaw(ctx, path, extra...)
	if err != nil {
		return nil, err
	}
	var p probeOutput
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("decode ffprobe output: %w", err)
	}
	return &p, nil
}

// Metadata is ffprobe's description of a file (format, streams,
// chapters): what PeerTube's /videos/{id}/metadata/{fileId} answers.
func (r *Runner) Metadata(ctx context.Context, path string) (json.RawMessage, error) {
	out, err := r.ffprobeRaw(ctx, path, "-show_chapters")
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", path, err)
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("metadata of %s: ffprobe wrote no JSON", path)
	}
	return out, nil
}

// ffprobeRaw runs ffprobe and returns its JSON output.
func (r *Runner) ffprobeRaw(ctx context.Context, path string, extra ...string) ([]byte, error) {
	args := append([]string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams"}, extra...)
	args = append(args, "-i", path)
	// A crafted file can keep ffprobe busy or make it allocate without end:
	// it gets a time limit and the encoders' memory cap, and dies with the
	// server too. It runs while an uploader waits for the answer.
	ctx, cancel := context.WithTimeoutCause(ctx, probeTimeout, fmt.Errorf("ffprobe took longer than %v", probeTimeout))
	defer cancel()
	cmd := exec.CommandContext(ctx, r.ffprobe(), args...)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	startInGroup(cmd)
	tail := &tailBuffer{max: stderrTail}
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tail
	err := cmd.Start()
	if err == nil {
		if r.MemoryLimit > 0 {
			if lerr := limitMemory(cmd.Process.Pid, r.MemoryLimit); lerr != nil {
				r.logger().Warn("media: could not cap ffprobe's memory", "err", lerr)
			}
		}
		err = cmd.Wait()
	}
	out := stdout.Bytes()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && ctx.Err() == nil {
			return nil, fmt.Errorf("%w (%s)", ErrNotMedia, lastLine(tail.String()))
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ffprobe: %w", context.Cause(ctx))
		}
		return nil, fmt.Errorf("run %s: %w", r.ffprobe(), err)
	}
	return out, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// probeOutput mirrors the part of `ffprobe -print_format json` we read.
type probeOutput struct {
	Streams []probeStream `json:"streams"`
	Format  struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		Size       string `json:"size"`
		BitRate    string `json:"bit_rate"`
	} `json:"format"`
}

type probeStream struct {
	CodecType     string            `json:"codec_type"`
	CodecName     string            `json:"codec_name"`
	Profile       string            `json:"profile"`
	Level         int               `json:"level"`
	PixFmt        string            `json:"pix_fmt"`
	Width         int               `json:"width"`
	Height        int               `json:"height"`
	SAR           string            `json:"sample_aspect_ratio"`
	AvgFrameRate  string            `json:"avg_frame_rate"`
	RFrameRate    string            `json:"r_frame_rate"`
	BitRate       string            `json:"bit_rate"`
	Channels      int               `json:"channels"`
	SampleRate    string            `json:"sample_rate"`
	Tags          map[string]string `json:"tags"`
	Disposition   map[string]int    `json:"disposition"`
	SideDataList  []map[string]any  `json:"side_data_list"`
	Duration      string            `json:"duration"`
	ChannelLayout string            `json:"channel_layout"`
}

// stillFormats are demuxers that read one picture, not a video.
func isStillFormat(name string) bool {
	return name == "image2" || strings.HasSuffix(name, "_pipe") || name == "tty"
}

func (p *probeOutput) info() (*Info, error) {
	info := &Info{
		Format:   p.Format.FormatName,
		Duration: parseSeconds(p.Format.Duration),
		Size:     parseInt(p.Format.Size),
		BitRate:  parseInt(p.Format.BitRate),
	}
	for i := range p.Streams {
		s := &p.Streams[i]
		switch s.CodecType {
		case "video":
			// Cover art in an MP3 or M4A is a "video" stream of one picture.
			if info.Video != nil || s.Disposition["attached_pic"] == 1 || isStillFormat(info.Format) || s.CodecName == "ansi" {
				continue
			}
			// A crafted or broken header can claim any size; the planner
			// and the encoders divide by and scale to it, so refuse it here,
			// naming the value as ffprobe gave it.
			if s.Width <= 0 {
				return nil, fmt.Errorf("%w: the video stream's width is %d", ErrNotMedia, s.Width)
			}
			if s.Height <= 0 {
				return nil, fmt.Errorf("%w: the video stream's height is %d", ErrNotMedia, s.Height)
			}
			info.Video = s.video()
		case "audio":
			if info.Audio == nil {
				info.Audio = &AudioStream{
					Codec:      s.CodecName,
					Profile:    s.Profile,
					Channels:   max(0, s.Channels),
					SampleRate: int(parseInt(s.SampleRate)),
					BitRate:    parseInt(s.BitRate),
				}
			}
		}
	}
	if info.Video == nil && info.Audio == nil {
		return nil, ErrNotMedia
	}
	if info.Video != nil && info.Video.BitRate == 0 && info.BitRate > 0 {
		// WebM and MKV give no per-stream bitrate: the file's minus the
		// audio's is close enough to plan with.
		ab := int64(0)
		if info.Audio != nil {
			ab = info.Audio.BitRate
		}
		info.Video.BitRate = max(0, info.BitRate-ab)
	}
	return info, nil
}

func (s *probeStream) video() *VideoStream {
	v := &VideoStream{
		Codec:    s.CodecName,
		Profile:  s.Profile,
		PixFmt:   s.PixFmt,
		Width:    max(0, s.Width),
		Height:   max(0, s.Height),
		BitRate:  parseInt(s.BitRate),
		FPS:      parseRate(s.AvgFrameRate),
		SAR:      parseRate(strings.Replace(s.SAR, ":", "/", 1)),
		Rotation: s.rotation(),
	}
	if v.FPS == 0 {
		v.FPS = parseRate(s.RFrameRate)
	}
	if v.SAR <= 0 {
		v.SAR = 1
	}
	return v
}

// rotation reads the display matrix (ffmpeg ≥ 5: side data, counter-clockwise
// degrees) or the legacy rotate tag (clockwise), as clockwise degrees.
func (s *probeStream) rotation() int {
	deg := 0
	for _, sd := range s.SideDataList {
		if rot, ok := sd["rotation"].(float64); ok {
			deg = -int(math.Round(rot))
		}
	}
	if deg == 0 {
		if t, err := strconv.Atoi(s.Tags["rotate"]); err == nil {
			deg = t
		}
	}
	deg %= 360
	if deg < 0 {
		deg += 360
	}
	return (deg + 45) / 90 * 90 % 360
}

// parseInt reads a size, a bitrate or a sample rate; a file can claim a
// negative one, which means as little as a missing one: 0.
func parseInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return max(0, n)
}

// maxDuration is far beyond any real file and far below time.Duration's
// limit (292 years), so a claimed 1e300 s cannot overflow into a negative.
const maxDuration = 1000 * 24 * time.Hour

func parseSeconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) {
		return 0
	}
	if f > maxDuration.Seconds() {
		return maxDuration
	}
	return time.Duration(f * float64(time.Second))
}

// parseRate reads "30000/1001", "30/1" or "1.5"; "0/0", negative,
// infinite and junk values give 0.
func parseRate(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	var r float64
	if !ok {
		r, _ = strconv.ParseFloat(s, 64)
	} else {
		n, err1 := strconv.ParseFloat(num, 64)
		d, err2 := strconv.ParseFloat(den, 64)
		if err1 != nil || err2 != nil || d == 0 {
			return 0
		}
		r = n / d
	}
	if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0
	}
	return r
}
