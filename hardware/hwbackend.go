package hardware

import (
	"fmt"
	"strconv"
	"strings"
)

// hwSpec is what differs between the hardware backends; hwArgs assembles it
// into one ffmpeg process: decode once (on the CPU, which reads every codec
// a phone or camera produces, where hardware decoders would each need their
// own fallback), upload once, split, scale per rendition, encode each, write
// one HLS playlist per rendition.
type hwSpec interface {
	Encoder
	// defaultDevice is the device used when Ladder.Device is empty.
	defaultDevice() string
	// deviceArgs are the global options that open the device (before -i).
	deviceArgs(device string) []string
	// uploadFilter turns decoded CPU frames into what the scaler takes;
	// empty when scaling happens on the CPU.
	uploadFilter() string
	// scaleFilter resizes one branch.
	scaleFilter(r Rendition) string
	// codecArgs are -c:v and the encoder's rate control, profile and GOP
	// flags for one rendition whose bitrates are already capped.
	codecArgs(r Rendition) []string
}

// hwArgs builds the argument list of a whole ladder for a hardware backend.
// input is the input's options ending with "-i <input>"; output returns the
// muxer flags of one rendition (HLS for a ladder, "-f null -" for a trial).
func hwArgs(s hwSpec, l Ladder, input []string, output func(Rendition) []string) []string {
	device := l.Device
	if device == "" {
		device = s.defaultDevice()
	}
	args := append([]string{}, s.deviceArgs(device)...)
	if l.Threads > 0 {
		// Before -i, -threads caps the decoder: with the encoding on the
		// hardware block, decoding is where the CPU time and frame memory go.
		args = append(args, "-threads", strconv.Itoa(l.Threads))
	}
	args = append(args, input...)
	args = append(args, "-filter_complex", hwFilterGraph(s, l.Renditions))
	for i, r := range l.Renditions {
		r = capBitrate(r, s.MaxBitrate())
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
		args = append(args, s.codecArgs(r)...)
		args = append(args, keyframeArgs(r)...)
		args = append(args, output(r)...)
	}
	return args
}

// hwLadderArgs is Encoder.Args for a hardware backend.
func hwLadderArgs(s hwSpec, l Ladder) []string {
	args := hwArgs(s, l, []string{"-i", l.Input}, func(r Rendition) []string { return HLSOutputArgs(l, r) })
	if l.HasAudio {
		args = append(args, AudioOutputArgs(l)...)
	}
	return args
}

// hwFilterGraph uploads once before the split, so a four-rung ladder costs
// one upload, not four. fps comes before the scaler so dropped frames are
// never scaled, and turns variable-frame-rate phone video into the constant
// rate that a frame-counted GOP needs; it passes hardware frames through
// untouched.
func hwFilterGraph(s hwSpec, rs []Rendition) string {
	var head []string
	if up := s.uploadFilter(); up != "" {
		head = append(head, up)
	}
	branch := func(r Rendition) string {
		return "fps=" + FormatFPS(r.FPS) + "," + s.scaleFilter(r)
	}
	if len(rs) == 1 {
		return "[0:v:0]" + strings.Join(append(head, branch(rs[0])), ",") + "[v0]"
	}
	var b strings.Builder
	b.WriteString("[0:v:0]" + strings.Join(append(head, fmt.Sprintf("split=%d", len(rs))), ","))
	for i := range rs {
		fmt.Fprintf(&b, "[s%d]", i)
	}
	for i, r := range rs {
		fmt.Fprintf(&b, ";[s%d]%s[v%d]", i, branch(r), i)
	}
	return b.String()
}

// keyframeArgs gives every backend the same 2 s keyframe cadence, so all
// renditions' segments start at the same instants (ABR switching). -g alone
// is not enough on hardware: some drivers ignore the GOP size (the Pi's
// bcm2835 encoder honours only its own I-period control), while every one
// of them honours a forced keyframe.
func keyframeArgs(r Rendition) []string {
	return []string{
		"-g", strconv.Itoa(keyframeInterval(r.FPS)),
		"-force_key_frames", "expr:gte(t,n_forced*" + strconv.Itoa(KeyframeSeconds) + ")",
	}
}

// capBitrate keeps a rendition inside what the backend accepts.
func capBitrate(r Rendition, limit int) Rendition {
	if limit <= 0 {
		return r
	}
	r.VideoBitrate = min(r.VideoBitrate, limit)
	if r.MaxRate > 0 {
		r.MaxRate = min(r.MaxRate, limit)
	}
	return r
}

// rateArgs are the common VBR flags: target, ceiling and VBV buffer.
func rateArgs(r Rendition) []string {
	args := []string{"-b:v", strconv.Itoa(r.VideoBitrate)}
	if r.MaxRate > 0 {
		args = append(args, "-maxrate", strconv.Itoa(r.MaxRate))
	}
	if r.BufSize > 0 {
		args = append(args, "-bufsize", strconv.Itoa(r.BufSize))
	}
	return args
}
