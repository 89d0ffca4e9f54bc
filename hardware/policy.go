package hardware

import (
	"fmt"
	"slices"
)

// LadderPolicy is how a board transcodes: which rungs, how many per ffmpeg
// process, how many threads, with the reasons doctor prints.
type LadderPolicy struct {
	Encoder string // the encoder the policy was made for
	Heights []int  // rendition heights to produce, tallest first
	// MaxHeight caps the top rung, the source's own size included when it
	// is encoded (a copied source costs nothing and is not capped); 0 lets
	// a 1440p or 4K upload keep its own size, as PeerTube does.
	MaxHeight       int
	MaxPerProcess   int    // renditions encoded by one ffmpeg process
	Threads         int    // Ladder.Threads for each process
	X264Preset      string // libx264 preset; "" for hardware encoders
	X264RCLookahead int    // libx264 rc-lookahead cap; 0 keeps the preset's
	PreferCopy      bool   // publish a qualifying H.264 source as-is rather than re-encode its rung
	Reasons         []string
}

// The measurements in DESIGN.md ("Hardware facts"), 60 s of 1080p through
// PeerTube's x264 settings, 4-rung ladder.
const (
	measuredOneProcessMB    = 1050 // peak RSS, one process for 4 rungs
	measuredPerRungMB       = 584  // peak RSS, one process per rung, in sequence
	measuredLadderCPUSecs   = 110  // CPU-s for 60 s of video, one process
	measuredLadderVideoSecs = 60
)

func fullLadder() []int { return []int{1080, 720, 480, 360} }

// DefaultPolicy fits the ladder to the board and to the encoder that
// passed its trial.
func DefaultPolicy(b Board, enc Encoder) LadderPolicy {
	cores := max(b.Cores, 1)
	memMiB := b.MemTotalMiB()
	p := LadderPolicy{Encoder: enc.Name(), Heights: fullLadder()}
	why := func(format string, args ...any) { p.Reasons = append(p.Reasons, fmt.Sprintf(format, args...)) }

	if enc.Hardware() {
		why("%s encodes on the hardware block: the CPU only decodes and scales, so the whole ladder fits one process (decode once)", enc.Name())
		if h := enc.MaxHeight(); h > 0 {
			p.Heights = slices.DeleteFunc(p.Heights, func(x int) bool { return x > h })
			p.MaxHeight = h
			why("%s encodes at most %dp", enc.Name(), h)
		}
		if br := enc.MaxBitrate(); br > 0 {
			why("%s is kept at or below %d Mb/s", enc.Name(), br/1_000_000)
		}
		p.MaxPerProcess = len(p.Heights)
		// Decoding is the CPU's share; more threads than cores only add
		// frame buffers.
		p.Threads = min(cores, 16)
		why("%d decoder threads for %d cores", p.Threads, cores)
		if memMiB > 0 && memMiB <= 1024 {
			p.MaxPerProcess = 2
			why("%d MiB of memory: at most 2 renditions per process, so fewer scaled frames and encoder buffers are alive at once", memMiB)
		}
		return p
	}

	// Software: libx264.
	p.X264Preset = "veryfast"
	why("no hardware encoder passed its trial: libx264, preset veryfast (PeerTube's default and the fastest that keeps quality)")
	switch {
	case b.Kind == KindPi4 || b.Kind == KindPi5 || b.Kind == KindPi:
		p.Heights = []int{720, 360}
		p.MaxHeight = 720
		p.PreferCopy = true
		why("%s without a hardware encoder: 720p and 360p only, nothing encoded above 720p whatever the source, and H.264 uploads up to 20 Mb/s published by stream copy (seconds instead of hours on ARM cores)", b.Model)
	case cores <= 2:
		p.Heights = []int{720, 480, 360}
		p.MaxHeight = 720
		p.PreferCopy = true
		why("the 4-rung ladder took %d CPU-s per %d s of 1080p (measured): on %d cores that is slower than real time, so no 1080p encode; 1080p sources go to the copy path",
			measuredLadderCPUSecs, measuredLadderVideoSecs, cores)
	default:
		why("%d cores: full ladder", cores)
	}

	p.MaxPerProcess = len(p.Heights)
	p.Threads = cores
	switch {
	case memMiB == 0:
		why("memory unknown: no memory bound")
	case memMiB <= 1024:
		p.MaxPerProcess = 1
		p.Threads = min(cores, 2)
		p.X264RCLookahead = 10
		why("%d MiB of memory: one rendition per process (measured peak %d MB, against %d MB for the 4-rung single process), 2 x264 threads and rc-lookahead 10 to bound frame buffers",
			memMiB, measuredPerRungMB, measuredOneProcessMB)
	case memMiB <= 2048:
		p.MaxPerProcess = min(2, len(p.Heights))
		p.Threads = min(cores, 2)
		p.X264RCLookahead = 20
		why("%d MiB of memory: the 4-rung single process peaked at %d MB RSS (measured), too much next to the OS and the server; %d renditions per process (one rung peaked at %d MB), 2 x264 threads and rc-lookahead 20",
			memMiB, measuredOneProcessMB, p.MaxPerProcess, measuredPerRungMB)
	default:
		why("%d MiB of memory: one process for all %d renditions (measured 1.05 GB peak; decoding once saved 12 s wall and 20 CPU-s per minute of 1080p over one process per rung)",
			memMiB, len(p.Heights))
	}
	why("%d x264 threads per rendition for %d cores", p.Threads, cores)
	return p
}

// Configure gives enc the policy's encoder settings: libx264 gets its
// preset and rc-lookahead; hardware backends have none to take.
func (p LadderPolicy) Configure(enc Encoder) Encoder {
	if x, ok := enc.(Libx264); ok {
		if p.X264Preset != "" {
			x.Preset = p.X264Preset
		}
		if p.X264RCLookahead > 0 {
			x.RCLookahead = p.X264RCLookahead
		}
		return x
	}
	return enc
}
