package media

import (
	"fmt"
	"math"
	"slices"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// DefaultHeights is the standard ladder.
var defaultHeights = []int{1080, 720, 480, 360}

const (
	defaultAudioBitrate = 128_000
	minAudioBitrate     = 64_000
	maxCopyAudioBitrate = 384_000 // PeerTube's getMaxAudioKBitrate for AAC
	copyMinFPS          = 2       // PeerTube's canDoQuickVideoTranscode
	// A standard rung above this fraction of the top one is too close to it
	// to be worth its CPU time (a 1088-line phone video needs no 1080p).
	nearDuplicate = 0.9
)

// Plan is what to run for one upload.
type Plan struct {
	AudioOnly bool
	// Copy, when non-nil, is the source video stream, published in HLS
	// without re-encoding (seconds, not minutes) before Encode runs.
	Copy *hardware.Rendition
	// Audio says the source's audio becomes the audio rendition, encoded
	// (or copied) once and shared by every video rendition: by CopyHLS
	// when there is a Copy, else by the first encode run.
	Audio        bool
	AudioBitrate int
	// CopyAudio says the audio is AAC-LC stereo and can be copied into the
	// audio rendition; otherwise it is encoded to AAC.
	CopyAudio bool
	// Encode are the renditions to encode in one ffmpeg process, tallest
	// first.
	Encode []hardware.Rendition
}

// Run is one ffmpeg process of a ladder: the backend and what it encodes.
// Its Args are exactly what ffmpeg receives after the Runner's global
// flags (CommandLine adds them).
type Run struct {
	Encoder hardware.Encoder
	Ladder  hardware.Ladder
}

// Args is the run's ffmpeg argument list.
func (r Run) Args() []string { return r.Encoder.Args(r.Ladder) }

// Runs splits rs (a plan's Encode, less what a resumed job already has)
// into ffmpeg processes as p says: at most p.MaxPerProcess renditions
// each, tallest first, with p's encoder, device and thread cap. Every
// encode goes through here, the doctor's preview included.
func Runs(p transcoding.Profile, input string, info *Info, rs []hardware.Rendition) []Run {
	enc := p.Backend()
	base := hardware.Ladder{
		Input:          input,
		SegmentSeconds: hardware.DefaultSegmentSeconds,
		Threads:        p.Threads,
	}
	if enc.Hardware() {
		base.Device = p.Device
	}
	per := p.MaxPerProcess
	if per <= 0 {
		per = len(rs)
	}
	var runs []Run
	for len(rs) > 0 {
		n := min(per, len(rs))
		l := base
		l.Renditions = slices.Clone(rs[:n])
		// The audio is encoded once, by the first run.
		if len(runs) == 0 && info != nil && info.Audio != nil {
			l.HasAudio, l.AudioBitrate = true, rs[0].AudioBitrate
		}
		runs = append(runs, Run{Encoder: enc, Ladder: l})
		rs = rs[n:]
	}
	return runs
}

// PlanFor decides, from a probe, between copying the source video and
// encoding it, and which rungs to encode.
//
// The source's own size is always a rung (PeerTube's
// always_transcode_original_resolution): copied when p.Copy allows, else
// encoded, keeping a 1440p or 4K upload's sharpness unless p.MaxHeight says
// the box cannot afford it, in which case the top rung is the tallest
// standard height within MaxHeight. Standard heights strictly below the top
// rung and within MaxHeight follow, skipping any within 10 % of it.
func PlanFor(info *Info, p transcoding.Profile) Plan {
	if info == nil || info.Video == nil {
		return Plan{AudioOnly: info != nil && info.Audio != nil}
	}
	v := info.Video
	dw, dh := v.DisplaySize()
	srcShort := min(dw, dh)
	portrait := dh > dw
	heights := p.Heights
	if len(heights) == 0 {
		heights = defaultHeights
	}
	heights = slices.Clone(heights)
	slices.Sort(heights)
	slices.Reverse(heights)
	heights = slices.Compact(heights)

	audioBitrate := audioBitrateFor(p, info.Audio)
	inputBitrate := v.BitRate
	if inputBitrate == 0 {
		inputBitrate = info.BitRate
	}

	plan := Plan{Audio: info.Audio != nil, AudioBitrate: audioBitrate}
	top := srcShort &^ 1 // even
	if p.Copy != transcoding.CopyNever && canCopyVideo(info, p.Copy == transcoding.CopyPrefer) {
		plan.Copy = &hardware.Rendition{
			Name:         fmt.Sprintf("%dp", srcShort),
			Width:        dw,
			Height:       dh,
			FPS:          v.FPS,
			VideoBitrate: int(inputBitrate),
			MaxRate:      int(inputBitrate),
			BufSize:      int(2 * inputBitrate),
		}
		plan.CopyAudio = info.Audio != nil && canCopyAudio(info.Audio)
	} else {
		if p.MaxHeight > 0 && top > p.MaxHeight {
			top = p.MaxHeight &^ 1
			for _, h := range heights {
				if h <= p.MaxHeight {
					top = h
					break
				}
			}
		}
		plan.Encode = append(plan.Encode, rendition(p, v, dw, dh, top, top == srcShort&^1, portrait, inputBitrate, audioBitrate))
	}

	for _, h := range heights {
		if h >= top || float64(h) > nearDuplicate*float64(top) || (p.MaxHeight > 0 && h > p.MaxHeight) {
			continue
		}
		plan.Encode = append(plan.Encode, rendition(p, v, dw, dh, h, false, portrait, inputBitrate, audioBitrate))
	}

	if p.MaxRenditions > 0 {
		keep := p.MaxRenditions
		if plan.Copy != nil {
			keep--
		}
		if keep < len(plan.Encode) {
			plan.Encode = plan.Encode[:max(0, keep)]
		}
	}
	return plan
}

// rendition sizes and budgets one encoded rung whose short side is short.
func rendition(p transcoding.Profile, v *VideoStream, dw, dh, short int, origin, portrait bool, inputBitrate int64, audioBitrate int) hardware.Rendition {
	w, h := scaledSize(dw, dh, short, portrait)
	fps := outputFPS(v.FPS, short, origin)
	bitrate := targetBitrate(w, h, fps, inputBitrate)
	if p.MaxBitrate > 0 {
		bitrate = min(bitrate, int64(p.MaxBitrate))
	}
	return hardware.Rendition{
		Name:         fmt.Sprintf("%dp", short),
		Width:        w,
		Height:       h,
		FPS:          fps,
		VideoBitrate: int(bitrate),
		MaxRate:      int(bitrate),
		BufSize:      int(2 * bitrate), // PeerTube: two seconds of VBV at the cap
		AudioBitrate: audioBitrate,
	}
}

// scaledSize is the size whose short side is short, keeping the display
// aspect ratio, both sides even (H.264 4:2:0 needs it).
func scaledSize(dw, dh, short int, portrait bool) (w, h int) {
	long, srcShort := max(dw, dh), min(dw, dh)
	l := int(math.Round(float64(short)*float64(long)/float64(srcShort)/2)) * 2
	s := short &^ 1
	if portrait {
		return s, l
	}
	return l, s
}

func audioBitrateFor(p transcoding.Profile, a *AudioStream) int {
	b := p.AudioBitrate
	if b <= 0 {
		b = defaultAudioBitrate
	}
	if a != nil && a.BitRate > 0 && int(a.BitRate) < b {
		b = max(int(a.BitRate), minAudioBitrate)
	}
	return b
}

// canCopyVideo: H.264 8-bit 4:2:0 (anything else some browser cannot
// play), square pixels and no rotation (MSE players ignore both flags),
// a sane frame rate, and a known bitrate within 20 Mb/s and, unless the
// board prefers copying (anyBPP), within PeerTube's max bits-per-pixel for
// the size.
func canCopyVideo(info *Info, anyBPP bool) bool {
	v := info.Video
	if v.Codec != "h264" || v.PixFmt != "yuv420p" || v.Rotation != 0 || math.Abs(v.SAR-1) > 0.01 {
		return false
	}
	switch v.Profile {
	case "High 10", "High 4:2:2", "High 4:4:4 Predictive", "High 10 Intra", "High 4:2:2 Intra", "High 4:4:4 Intra", "CAVLC 4:4:4":
		return false
	}
	if v.FPS < copyMinFPS || v.FPS > maxFPS {
		return false
	}
	b := v.BitRate
	if b == 0 {
		b = info.BitRate
	}
	if b <= 0 || b > copyBitrateCeiling {
		return false
	}
	return anyBPP || b <= theoreticalBitrate(v.Width, v.Height, v.FPS, bppMax)
}

// canCopyAudio: AAC-LC, mono or stereo (PeerTube forces stereo: other
// layouts break HLS in Chrome), at a known and reasonable bitrate.
func canCopyAudio(a *AudioStream) bool {
	return a.Codec == "aac" && (a.Profile == "LC" || a.Profile == "") &&
		a.Channels >= 1 && a.Channels <= 2 &&
		a.BitRate > 0 && a.BitRate <= maxCopyAudioBitrate
}
