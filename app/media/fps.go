package media

import "math"

// Frame-rate rules, after PeerTube's computeOutputFPS: renditions below 720
// lines keep at most 30 fps, and nothing goes above 60. Where PeerTube
// picks "the closest standard by modulo" (which turns 59.94 into 25), we
// divide by the smallest whole number that lands on a standard rate, so
// frames are dropped evenly: 59.94 → 29.97, 50 → 25, 120 → 60.
const (
	maxFPS             = 60
	lowResMaxFPS       = 30
	keepOriginFPSShort = 720
	defaultFPS         = 30
	minFPS             = 1
)

var standardRates = []float64{24, 25, 30, 50, 60, 24000.0 / 1001, 30000.0 / 1001, 60000.0 / 1001}

// outputFPS is the frame rate of a rendition whose short side is short.
// origin is true for the rendition at the source's own size.
func outputFPS(src float64, short int, origin bool) float64 {
	if src <= 0 || math.IsNaN(src) || math.IsInf(src, 0) {
		return defaultFPS
	}
	fps := src
	if !origin && short < keepOriginFPSShort && fps > lowResMaxFPS {
		fps = divideToStandard(fps, lowResMaxFPS)
	}
	if fps > maxFPS {
		fps = divideToStandard(fps, maxFPS)
	}
	return max(fps, minFPS)
}

// divideToStandard returns src/k for the smallest k that brings src to at
// most limit and onto a standard rate (the closest within 1 %); limit
// itself if none does.
func divideToStandard(src, limit float64) float64 {
	for k := math.Ceil(src/limit - 1e-9); k <= 12; k++ {
		f := src / k
		best, bestDiff := 0.0, math.Inf(1)
		for _, std := range standardRates {
			if d := math.Abs(f - std); std <= limit && d <= std*0.01 && d < bestDiff {
				best, bestDiff = std, d
			}
		}
		if best > 0 {
			return best
		}
	}
	return limit
}
