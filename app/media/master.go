package media

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cabane.dev/cabane/app/durable"
)

// AudioGroup is the GROUP-ID of the shared audio rendition.
const AudioGroup = "audio"

// WriteMaster writes the HLS master playlist listing variants, highest
// bandwidth first (players start with the first one listed unless told
// otherwise, and hls.js then measures down). audio, when not nil, is the
// rendition every variant plays its sound from (an EXT-X-MEDIA audio
// group, as PeerTube 6.3 splits audio): each variant's bandwidth and
// codecs then include the audio's, as HLS requires. The file is replaced
// atomically: a player never reads half a master playlist.
func WriteMaster(path string, variants []Variant, audio *Variant) error {
	if len(variants) == 0 {
		return errors.New("write master playlist: no variants")
	}
	vs := slices.Clone(variants)
	slices.SortStableFunc(vs, func(a, b Variant) int { return cmp.Compare(b.Bandwidth, a.Bandwidth) })

	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	if audio != nil {
		if audio.URI == "" || strings.ContainsAny(audio.URI, "\r\n\"") {
			return fmt.Errorf("write master playlist: bad audio %+v", *audio)
		}
		fmt.Fprintf(&b, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=%q,NAME=\"Audio\",DEFAULT=YES,AUTOSELECT=YES,URI=%q\n", AudioGroup, audio.URI)
	}
	for _, v := range vs {
		if v.URI == "" || strings.ContainsAny(v.URI, "\r\n") || v.Bandwidth <= 0 {
			return fmt.Errorf("write master playlist: bad variant %+v", v)
		}
		codecs := v.Codecs
		if audio != nil {
			v.Bandwidth += audio.Bandwidth
			if v.AverageBandwidth > 0 {
				v.AverageBandwidth += audio.AverageBandwidth
			}
			if audio.Codecs != "" {
				codecs = strings.Trim(codecs+","+audio.Codecs, ",")
			}
		}
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d", v.Bandwidth)
		if v.AverageBandwidth > 0 {
			fmt.Fprintf(&b, ",AVERAGE-BANDWIDTH=%d", v.AverageBandwidth)
		}
		if codecs != "" {
			fmt.Fprintf(&b, ",CODECS=%q", codecs)
		}
		if v.Width > 0 && v.Height > 0 {
			fmt.Fprintf(&b, ",RESOLUTION=%dx%d", v.Width, v.Height)
		}
		if v.FrameRate > 0 {
			fmt.Fprintf(&b, ",FRAME-RATE=%.3f", v.FrameRate)
		}
		if audio != nil {
			fmt.Fprintf(&b, ",AUDIO=%q", AudioGroup)
		}
		b.WriteString("\n" + v.URI + "\n")
	}
	if err := durable.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write master playlist: %w", err)
	}
	return nil
}
