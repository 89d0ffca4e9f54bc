package hardware

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Libx264 is the software H.264 backend, always available and the fallback
// when a hardware encoder fails its trial encode. Its flags follow
// PeerTube's default VOD profile (packages/ffmpeg/src/
// ffmpeg-default-transcoding-profile.ts and shared/encoder-options.ts).
type Libx264 struct {
	// Preset is x264's speed/quality preset; "" means "veryfast", PeerTube's
	// choice and the only one a Raspberry Pi 5 can afford.
	Preset string
	// RCLookahead caps x264's rc-lookahead, the frames it buffers ahead for
	// frame-type and rate decisions (veryfast: 10; slower presets 40-60).
	// Each buffered frame is a full picture per rendition, so a 1 GB board
	// bounds it. 0 keeps the preset's own value.
	RCLookahead int
}

// Libx264 implements Encoder.
var _ Encoder = Libx264{}

// Name implements Encoder.
func (Libx264) Name() string { return "libx264" }

// Hardware implements Encoder.
func (Libx264) Hardware() bool { return false }

// MaxHeight implements Encoder: software has no size limit.
func (Libx264) MaxHeight() int { return 0 }

// MaxBitrate implements Encoder: software has no bitrate limit.
func (Libx264) MaxBitrate() int { return 0 }

// x264CRF is x264's own default, which PeerTube relies on implicitly: it
// passes -maxrate/-bufsize but no -b:v, so x264 runs capped CRF. We say it
// out loud so a change of ffmpeg default cannot change our output.
const x264CRF = "23"

// Args implements Encoder: one ffmpeg process decodes the input once, splits
// the frames, and encodes every rendition from them.
func (e Libx264) Args(l Ladder) []string {
	preset := e.Preset
	if preset == "" {
		preset = "veryfast"
	}
	var args []string
	if l.Threads > 0 {
		// Before -i, -threads caps the decoder too: its frame threads each
		// hold reference pictures, which a small board cannot afford
		// beside the encoders.
		args = append(args, "-threads", strconv.Itoa(l.Threads))
	}
	args = append(args, "-i", l.Input, "-filter_complex", softwareFilterGraph(l.Renditions))
	for i, r := range l.Renditions {
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
		gop := strconv.Itoa(keyframeInterval(r.FPS))
		args = append(args,
			"-c:v", "libx264",
			"-preset", preset,
			"-profile:v", "high",
			"-pix_fmt", "yuv420p",
			// Capped CRF as in PeerTube: constant quality, never above
			// MaxRate over BufSize. Static scenes (slides, talking heads)
			// stay small instead of padding up to a fixed bitrate.
			"-crf", x264CRF,
			"-maxrate", strconv.Itoa(r.MaxRate),
			"-bufsize", strconv.Itoa(r.BufSize),
			// PeerTube: b-strategy 1 (fast heuristic) is what makes 16
			// B-frames affordable (PeerTube PR #774).
			"-bf", "16",
			"-b_strategy", "1",
			// A keyframe every 2 s and no scene-cut keyframes: each
			// rendition's segments then start at the same instants, which
			// ABR switching needs. PeerTube sets only -g; scene cuts there
			// can shift one rendition's segment boundaries.
			"-g", gop,
			"-sc_threshold", "0",
		)
		if e.RCLookahead > 0 {
			args = append(args, "-rc-lookahead", strconv.Itoa(e.RCLookahead))
		}
		if l.Threads > 0 {
			args = append(args, "-threads", strconv.Itoa(l.Threads))
		}
		args = append(args, HLSOutputArgs(l, r)...)
	}
	if l.HasAudio {
		args = append(args, AudioOutputArgs(l)...)
	}
	return args
}

// AACArgs encodes the audio as stereo AAC-LC. PeerTube forces stereo because
// other layouts break HLS playback in Chrome.
func AACArgs(bitrate int) []string {
	if bitrate <= 0 {
		bitrate = 128000
	}
	return []string{"-c:a", "aac", "-b:a", strconv.Itoa(bitrate), "-ac", "2"}
}

// softwareFilterGraph splits the decoded video once per rendition and
// scales each branch. The fps filter comes first so dropped frames are never
// scaled; it is always present (like PeerTube's -r) because it also turns a
// variable-frame-rate phone video into the constant rate that a
// frame-counted keyframe interval needs.
func softwareFilterGraph(rs []Rendition) string {
	branch := func(r Rendition) string {
		return fmt.Sprintf("fps=%s,scale=%d:%d,setsar=1,format=yuv420p", FormatFPS(r.FPS), r.Width, r.Height)
	}
	if len(rs) == 1 {
		return "[0:v:0]" + branch(rs[0]) + "[v0]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[0:v:0]split=%d", len(rs))
	for i := range rs {
		fmt.Fprintf(&b, "[s%d]", i)
	}
	for i, r := range rs {
		fmt.Fprintf(&b, ";[s%d]%s[v%d]", i, branch(r), i)
	}
	return b.String()
}

// keyframeInterval is the GOP length in frames for KeyframeSeconds.
func keyframeInterval(fps float64) int {
	if fps <= 0 {
		fps = 30
	}
	return max(1, int(math.Round(fps*KeyframeSeconds)))
}

// FormatFPS writes a frame rate for ffmpeg, keeping NTSC rates exact
// (29.97 must be 30000/1001, not a rounded decimal that drifts).
func FormatFPS(fps float64) string {
	if fps <= 0 {
		return "30"
	}
	if n := math.Round(fps * 1.001); math.Abs(fps-n/1.001) < 0.005 && math.Abs(fps-n) > 0.005 {
		return fmt.Sprintf("%d/1001", int(n*1000))
	}
	return strconv.FormatFloat(fps, 'f', -1, 64)
}
