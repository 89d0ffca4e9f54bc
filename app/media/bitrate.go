package media

// Bits per pixel by resolution, from PeerTube (packages/core-utils
// videos/bitrate.ts, after bitmovin's HLS bitrate study). A resolution is
// the picture's short side; the first bucket not above it applies.
var bppBuckets = []struct {
	short         int
	avg, max, min float64
}{
	{2160, 0.08, 0.14, 0.02},
	{1440, 0.09, 0.16, 0.02},
	{1080, 0.10, 0.17, 0.02},
	{720, 0.11, 0.19, 0.02},
	{480, 0.12, 0.22, 0.02},
	{360, 0.15, 0.26, 0.02},
	{240, 0.17, 0.29, 0.02},
	{144, 0.19, 0.32, 0.02},
}

// fallbackBitrate is PeerTube's answer for pictures below 144 lines.
const fallbackBitrate = 192_000

// copyBitrateCeiling is the most we publish without re-encoding: beyond it a
// Raspberry Pi 4's hardware decoder, and most home upload links, struggle.
const copyBitrateCeiling = 20_000_000

type bppKind int

const (
	bppAvg bppKind = iota
	bppMax
	bppMin
)

// theoreticalBitrate is width × height × fps × bits-per-pixel, bits/s.
func theoreticalBitrate(w, h int, fps float64, kind bppKind) int64 {
	short := min(w, h)
	for _, b := range bppBuckets {
		if b.short > short {
			continue
		}
		bpp := b.avg
		switch kind {
		case bppMax:
			bpp = b.max
		case bppMin:
			bpp = b.min
		}
		return int64(float64(w) * float64(h) * fps * bpp)
	}
	return fallbackBitrate
}

// targetBitrate is PeerTube's getTargetBitrate: the average for the size,
// capped at the input's bitrate plus 30 % (re-encoding cannot add detail),
// but never below the minimum that keeps the picture watchable.
func targetBitrate(w, h int, fps float64, input int64) int64 {
	t := theoreticalBitrate(w, h, fps, bppAvg)
	if input > 0 {
		t = min(t, input+input*3/10)
	}
	return max(t, theoreticalBitrate(w, h, fps, bppMin))
}
