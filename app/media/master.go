package media

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cabane.dev/cabane/app/durable"
)

// WriteMaster writes the HLS master playlist listing variants, highest
// bandwidth first (players start with the first one listed unless told
// otherwise, and hls.js then measures down). The file is replaced
// atomically: a player never reads half a master playlist.
func WriteMaster(path string, variants []Variant) error {
	if len(variants) == 0 {
		return errors.New("write master playlist: no variants")
	}
	vs := slices.Clone(variants)
	slices.SortStableFunc(vs, func(a, b Variant) int { return cmp.Compare(b.Bandwidth, a.Bandwidth) })

	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	for _, v := range vs {
		if v.URI == "" || strings.ContainsAny(v.URI, "\r\n") || v.Bandwidth <= 0 {
			return fmt.Errorf("write master playlist: bad variant %+v", v)
		}
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d", v.Bandwidth)
		if v.AverageBandwidth > 0 {
			fmt.Fprintf(&b, ",AVERAGE-BANDWIDTH=%d", v.AverageBandwidth)
		}
		if v.Codecs != "" {
			fmt.Fprintf(&b, ",CODECS=%q", v.Codecs)
		}
		if v.Width > 0 && v.Height > 0 {
			fmt.Fprintf(&b, ",RESOLUTION=%dx%d", v.Width, v.Height)
		}
		if v.FrameRate > 0 {
			fmt.Fprintf(&b, ",FRAME-RATE=%.3f", v.FrameRate)
		}
		b.WriteString("\n" + v.URI + "\n")
	}
	if err := durable.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write master playlist: %w", err)
	}
	return nil
}
