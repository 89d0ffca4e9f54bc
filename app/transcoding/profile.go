// Package transcoding turns what the box is (the board), what it proved
// it can do (the encoders' trial encodes) and what the admin chose into the
// one Profile that media plans and ffmpeg runs from. It knows nothing of
// HTTP or SQL: the admin's choice is saved through Settings.
package transcoding

import (
	"fmt"
	"slices"
	"strings"

	"cabane.dev/cabane/hardware"
)

// CopyMode says when the source's video stream is published as-is.
type CopyMode int

const (
	// CopyIfFit (the zero value) copies an H.264 8-bit 4:2:0 source whose
	// bitrate is within PeerTube's bits-per-pixel budget for its size: a
	// fatter one is re-encoded, which viewers' connections will thank.
	CopyIfFit CopyMode = iota
	// CopyPrefer copies any such source up to 20 Mb/s, bits per pixel
	// regardless: on a board that cannot afford to encode the source's size
	// the alternative is not a leaner top rung but no top rung at all.
	CopyPrefer
	// CopyNever always encodes (benchmarks, or an admin who wants every
	// rendition to come out of the encoder).
	CopyNever
)

// Profile is everything ffmpeg is told about how this box encodes: media
// plans the ladder from it (media.PlanFor) and groups the rungs into
// ffmpeg processes with it (media.Runs); nothing else decides a rung, a
// thread count or an encoder flag. The zero value is PeerTube's defaults
// with libx264 and no caps.
type Profile struct {
	// Encoder is the backend with its settings applied (libx264 carries
	// its preset and rc-lookahead); nil means hardware.Libx264{}.
	Encoder hardware.Encoder
	// Device is the hardware encoder's device node, from its trial.
	Device string
	// Heights are the standard rungs (short side), tallest first; nil
	// means 1080, 720, 480, 360.
	Heights []int
	// MaxHeight caps the top rung, the source's own size included when it
	// is encoded; a copied source is not capped (copying costs nothing).
	// 0: a 4K upload keeps a 2160p rung.
	MaxHeight int
	// MaxBitrate caps every encoded rung's video bitrate, bits/s; 0: none.
	MaxBitrate int
	// MaxRenditions caps the ladder, the copy included, keeping the
	// tallest; 0: no cap.
	MaxRenditions int
	// Copy says when the source is published by stream copy.
	Copy CopyMode
	// Threads caps each ffmpeg process's decoder threads and, for libx264,
	// each rendition's encoder threads; 0 lets ffmpeg decide.
	Threads int
	// MaxPerProcess is how many renditions one ffmpeg process encodes; the
	// ladder is split into several processes beyond it. 0: all in one.
	MaxPerProcess int
	// Workers is how many jobs (so ffmpeg processes) run at once.
	Workers int
	// AudioBitrate for encoded AAC, bits/s; 0 means 128000.
	AudioBitrate int
	// Reasons say why, for the admin page and doctor.
	Reasons []string
	// Fallback is the software profile a job falls back to when the
	// hardware encoder fails on a real file; nil when Encoder is software.
	Fallback *Profile
}

// Backend is the encoder to run, never nil.
func (p Profile) Backend() hardware.Encoder {
	if p.Encoder == nil {
		return hardware.Libx264{}
	}
	return p.Encoder
}

// X264Preset is libx264's preset, "" for a hardware encoder.
func (p Profile) X264Preset() string {
	if x, ok := p.Backend().(hardware.Libx264); ok {
		if x.Preset == "" {
			return "veryfast" // what Libx264 passes when unset
		}
		return x.Preset
	}
	return ""
}

// X264RCLookahead is libx264's rc-lookahead cap; 0 keeps the preset's.
func (p Profile) X264RCLookahead() int {
	if x, ok := p.Backend().(hardware.Libx264); ok {
		return x.RCLookahead
	}
	return 0
}

// PrefersCopy reports whether the board copies sources it could not afford
// to encode (CopyPrefer).
func (p Profile) PrefersCopy() bool { return p.Copy == CopyPrefer }

// Build makes the profile for a board from the trial encodes' result and
// the admin's choice ("" is automatic). Before the trials have run
// (probed false), libx264 is used: uploads never wait for the probe.
func Build(b hardware.Board, probe hardware.ProbeResult, probed bool, choice string, workers int) Profile {
	enc := hardware.Encoder(hardware.Libx264{})
	device := ""
	if probed {
		enc = probe.Select(choice)
		device = probe.Device(enc)
	}
	p := fromPolicy(hardware.DefaultPolicy(b, enc), enc, device, workers)
	if enc.Hardware() {
		sw := fromPolicy(hardware.DefaultPolicy(b, hardware.Libx264{}), hardware.Libx264{}, "", workers)
		p.Fallback = &sw
	}
	return p
}

func fromPolicy(pol hardware.LadderPolicy, enc hardware.Encoder, device string, workers int) Profile {
	p := Profile{
		Encoder:       pol.Configure(enc),
		Heights:       slices.Clone(pol.Heights),
		MaxHeight:     pol.MaxHeight,
		MaxBitrate:    enc.MaxBitrate(),
		Threads:       pol.Threads,
		MaxPerProcess: pol.MaxPerProcess,
		Workers:       max(workers, 1),
		Reasons:       slices.Clone(pol.Reasons),
	}
	if enc.Hardware() {
		p.Device = device
	}
	if pol.PreferCopy {
		p.Copy = CopyPrefer
	}
	if h := enc.MaxHeight(); h > 0 && (p.MaxHeight == 0 || h < p.MaxHeight) {
		p.MaxHeight = h
	}
	return p
}

// String is the profile on one line, for doctor and logs.
func (p Profile) String() string {
	enc := p.Backend()
	var b strings.Builder
	b.WriteString(enc.Name())
	switch {
	case enc.Hardware() && p.Device != "":
		fmt.Fprintf(&b, " on %s", p.Device)
	case !enc.Hardware():
		fmt.Fprintf(&b, " preset %s", p.X264Preset())
		if n := p.X264RCLookahead(); n > 0 {
			fmt.Fprintf(&b, " rc-lookahead %d", n)
		}
	}
	heights := p.Heights
	if len(heights) == 0 {
		heights = []int{1080, 720, 480, 360}
	}
	rungs := make([]string, len(heights))
	for i, h := range heights {
		rungs[i] = fmt.Sprintf("%dp", h)
	}
	fmt.Fprintf(&b, "; rungs %s", strings.Join(rungs, " "))
	if p.MaxHeight > 0 {
		fmt.Fprintf(&b, "; nothing encoded above %dp", p.MaxHeight)
	} else {
		b.WriteString("; the source's own size encoded whatever it is")
	}
	switch p.Copy {
	case CopyPrefer:
		b.WriteString("; copies H.264 up to 20 Mb/s")
	case CopyNever:
		b.WriteString("; never copies")
	default:
		b.WriteString("; copies H.264 within the bits-per-pixel budget")
	}
	if p.MaxBitrate > 0 {
		fmt.Fprintf(&b, "; video at most %d kb/s", p.MaxBitrate/1000)
	}
	if p.Threads > 0 {
		fmt.Fprintf(&b, "; %d threads", p.Threads)
	}
	if p.MaxPerProcess > 0 {
		fmt.Fprintf(&b, "; %d renditions per ffmpeg", p.MaxPerProcess)
	} else {
		b.WriteString("; the whole ladder in one ffmpeg")
	}
	fmt.Fprintf(&b, "; %d job(s) at a time", max(p.Workers, 1))
	return b.String()
}
