package media

import (
	"fmt"
	"math"
	"slices"

	"cabane.dev/cabane/hardware"
)

// Policy bounds the ladder. The zero value is PeerTube's defaults.
type Policy struct {
	// Heights are the standard rungs, as the picture's short side (a
	// portrait 720×1280 video is "720p", as in PeerTube). Default 1080,
	// 720, 480, 360.
	Heights []int
	// MaxRenditions caps the ladder, the copied rendition included; the
	// tallest rungs are kept. 0: no cap. A 1 GB board wants 2 or 3.
	MaxRenditions int
	// MaxHeight caps the encoded rungs' short side (the encoder's
	// MaxHeight, or less on a weak board). A copied source is not capped:
	// copying costs nothing. 0: no cap.
	MaxHeight int
	// MaxBitrate caps every encoded rung's video bitrate (the encoder's
	// MaxBitrate). 0: no cap.
	MaxBitrate int
	// NoCopy forces encoding even when the source video could be copied
	// (the brief's KeepSource, inverted so the zero value copies).
	NoCopy bool
	// AudioBitrate for encoded AAC, bits/s; default 128000. A source with
	// less keeps its own bitrate (not below 64000).
	AudioBitrate int
}

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
	// CopyAudio says the audio is AAC-LC stereo and can be copied into the
	// Copy rendition too; otherwise CopyHLS encodes AAC.
	CopyAudio bool
	// Encode are the renditions to encode in one ffmpeg process, tallest
	// first.
	Encode []hardware.Rendition
}

// Ladder is the hardware.Ladder that encodes p.Encode from input. The media
// Runner sets OutputDir; the caller may set Threads and Device.
func (p Plan) Ladder(input string, info *Info) hardware.Ladder {
	return hardware.Ladder{
		Input:          input,
		HasAudio:       info != nil && info.Audio != nil,
		Renditions:     slices.Clone(p.Encode),
		SegmentSeconds: hardware.DefaultSegmentSeconds,
	}
}

// PlanFor decides, from a probe, between copying the source video and
// encoding it, and which rungs to encode.
//
// The source's own size is always a rung (PeerTube's
// always_transcode_original_resolution): a 1440p or 4K upload keeps its
// sharpness unless p.MaxHeight says the box cannot afford it, in which case
// the top rung is the tallest standard height within MaxHeight. Standard
// heights strictly below the top rung follow, skipping any within 10 % of it.
func PlanFor(info *Info, p Policy) Plan {
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

	audioBitrate := p.audioBitrate(info.Audio)
	inputBitrate := v.BitRate
	if inputBitrate == 0 {
		inputBitrate = info.BitRate
	}

	var plan Plan
	top := srcShort &^ 1 // even
	if !p.NoCopy && canCopyVideo(info) {
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
		if !plan.CopyAudio && info.Audio != nil {
			plan.Copy.AudioBitrate = audioBitrate
		}
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
		plan.Encode = append(plan.Encode, p.rendition(v, dw, dh, top, top == srcShort&^1, portrait, inputBitrate, audioBitrate))
	}

	for _, h := range heights {
		if h >= top || float64(h) > nearDuplicate*float64(top) || (p.MaxHeight > 0 && h > p.MaxHeight) {
			continue
		}
		plan.Encode = append(plan.Encode, p.rendition(v, dw, dh, h, false, portrait, inputBitrate, audioBitrate))
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
func (p Policy) rendition(v *VideoStream, dw, dh, short int, origin, portrait bool, inputBitrate int64, audioBitrate int) hardware.Rendition {
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

func (p Policy) audioBitrate(a *AudioStream) int {
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
// a sane frame rate, and a known bitrate within PeerTube's max
// bits-per-pixel for the size and within 20 Mb/s.
func canCopyVideo(info *Info) bool {
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
	return b <= theoreticalBitrate(v.Width, v.Height, v.FPS, bppMax)
}

// canCopyAudio: AAC-LC, mono or stereo (PeerTube forces stereo: other
// layouts break HLS in Chrome), at a known and reasonable bitrate.
func canCopyAudio(a *AudioStream) bool {
	return a.Codec == "aac" && (a.Profile == "LC" || a.Profile == "") &&
		a.Channels >= 1 && a.Channels <= 2 &&
		a.BitRate > 0 && a.BitRate <= maxCopyAudioBitrate
}
