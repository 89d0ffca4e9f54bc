package media

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/hardware"
)

// Variant is one line of a master playlist.
type Variant struct {
	URI              string // relative to the master playlist: "<resolution>.m3u8"
	Bandwidth        int    // peak segment bitrate, bits/s (HLS BANDWIDTH)
	AverageBandwidth int    // whole-rendition bitrate, bits/s
	Width, Height    int    // 0 when there is no video
	FrameRate        float64
	Codecs           string // RFC 6381, e.g. "avc1.64001f,mp4a.40.2"
	// Duration is what the rendition plays: the sum of its segments'
	// EXTINF (a truncated upload's header can claim more). Not written to
	// the master playlist.
	Duration time.Duration
}

// Describe measures a published rendition (as CopyHLS, EncodeLadder or
// AudioOnlyHLS leave it in hlsDir) for the master playlist: bitrates from
// the segments' real sizes, codecs from the init section, picture size and
// frame rate from ffprobe. A rendition without a video track (the shared
// audio) has no picture to measure: no ffprobe runs for it.
func (r *Runner) Describe(ctx context.Context, hlsDir, name string) (Variant, error) {
	return r.describe(ctx, hlsDir, name, nil)
}

// DescribeCopy is Describe for the video rendition CopyHLS published from
// copied (a Plan's Copy): a stream copy keeps the source's picture, whose
// size and frame rate the plan already holds from the upload's probe
// (PlanFor copies no rotated or non-square-pixel stream, so the coded size
// is the displayed one). No ffprobe runs: on a Pi each costs a tenth of a
// second before the video can be published.
func (r *Runner) DescribeCopy(ctx context.Context, hlsDir string, copied hardware.Rendition) (Variant, error) {
	return r.describe(ctx, hlsDir, copied.Name, &copied)
}

// describe measures rendition name; picture, when known, gives its size
// and frame rate instead of ffprobe.
func (r *Runner) describe(ctx context.Context, hlsDir, name string, picture *hardware.Rendition) (Variant, error) {
	playlist := filepath.Join(hlsDir, hardware.MediaPlaylistName(name))
	mp, err := readMediaPlaylist(playlist)
	if err != nil {
		return Variant{}, fmt.Errorf("describe %s: %w", name, err)
	}
	v := Variant{URI: hardware.MediaPlaylistName(name)}
	for _, s := range mp.segments {
		v.Duration += time.Duration(s.duration * float64(time.Second))
	}
	v.Bandwidth, v.AverageBandwidth, err = mp.bandwidth(hlsDir)
	if err != nil {
		return Variant{}, fmt.Errorf("describe %s: %w", name, err)
	}
	if mp.initURI == "" || mp.initURI != filepath.Base(mp.initURI) {
		return Variant{}, fmt.Errorf("describe %s: playlist has no usable EXT-X-MAP (not fMP4)", name)
	}
	file := filepath.Join(hlsDir, mp.initURI)
	init, err := readRange(file, mp.initOffset, mp.initLength)
	if err != nil {
		return Variant{}, fmt.Errorf("describe %s: %w", name, err)
	}
	codecs, err := codecsFromInit(init)
	if err != nil {
		return Variant{}, fmt.Errorf("describe %s: init segment: %w", name, err)
	}
	v.Codecs = strings.Join(codecs, ",")
	switch {
	case !hasVideoCodec(codecs):
		return v, nil
	case picture != nil:
		v.Width, v.Height, v.FrameRate = picture.Width, picture.Height, picture.FPS
		return v, nil
	}

	// The single file itself, not the playlist: one open, no HLS demuxer.
	raw, err := r.ffprobeJSON(ctx, file)
	if err != nil {
		return Variant{}, fmt.Errorf("describe %s: %w", name, err)
	}
	for _, s := range raw.Streams {
		if s.CodecType == "video" {
			vs := s.video()
			v.Width, v.Height = vs.DisplaySize()
			v.FrameRate = vs.FPS
			break
		}
	}
	return v, nil
}

// readRange reads length bytes at off of a file; length 0 reads it whole.
func readRange(path string, off, length int64) ([]byte, error) {
	if length <= 0 {
		return os.ReadFile(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, length)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// mediaPlaylist is what Describe needs from an HLS media playlist.
type mediaPlaylist struct {
	initURI                string
	initOffset, initLength int64 // the EXT-X-MAP's BYTERANGE; length 0: the whole file
	segments               []segment
}

type segment struct {
	uri      string
	duration float64
	offset   int64
	length   int64 // EXT-X-BYTERANGE length; 0: the whole file
}

func readMediaPlaylist(path string) (*mediaPlaylist, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mp := &mediaPlaylist{}
	var dur float64
	var offset, length, next int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			mp.initURI = attr(line, "URI")
			if br := attr(line, "BYTERANGE"); br != "" {
				mp.initLength, mp.initOffset = parseByteRange(br, 0)
			}
		case strings.HasPrefix(line, "#EXTINF:"):
			d, _, _ := strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
			dur, _ = strconv.ParseFloat(d, 64)
		case strings.HasPrefix(line, "#EXT-X-BYTERANGE:"):
			// No "@offset": the range follows the previous one.
			length, offset = parseByteRange(strings.TrimPrefix(line, "#EXT-X-BYTERANGE:"), next)
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			mp.segments = append(mp.segments, segment{uri: line, duration: dur, offset: offset, length: length})
			next = offset + length
			dur, offset, length = 0, 0, 0
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(mp.segments) == 0 {
		return nil, fmt.Errorf("%s lists no segments", path)
	}
	return mp, nil
}

// bandwidth returns the peak and the average bitrate over the segments.
// Segments shorter than a second are left out of the peak: the last one is
// often a fraction of a second whose few bytes would inflate it.
func (mp *mediaPlaylist) bandwidth(dir string) (peak, avg int, err error) {
	var bits, secs, fallbackPeak float64
	for _, s := range mp.segments {
		n := s.length
		if n == 0 {
			st, err := os.Stat(filepath.Join(dir, s.uri))
			if err != nil {
				return 0, 0, fmt.Errorf("segment: %w", err)
			}
			n = st.Size()
		}
		if s.duration <= 0 {
			continue
		}
		b := float64(n) * 8
		bits += b
		secs += s.duration
		rate := b / s.duration
		fallbackPeak = max(fallbackPeak, rate)
		if s.duration >= 1 {
			peak = max(peak, int(math.Ceil(rate)))
		}
	}
	if secs == 0 {
		return 0, 0, fmt.Errorf("segments have no duration")
	}
	if peak == 0 {
		peak = int(math.Ceil(fallbackPeak))
	}
	return peak, int(math.Ceil(bits / secs)), nil
}

// parseByteRange reads "length[@offset]"; without an offset, next.
func parseByteRange(s string, next int64) (length, offset int64) {
	n, o, hasOff := strings.Cut(s, "@")
	length, _ = strconv.ParseInt(n, 10, 64)
	offset = next
	if hasOff {
		offset, _ = strconv.ParseInt(o, 10, 64)
	}
	return length, offset
}

// attr reads KEY="value" or KEY=value from an HLS tag line.
func attr(line, key string) string {
	i := strings.Index(line, key+"=")
	if i < 0 {
		return ""
	}
	v := line[i+len(key)+1:]
	if strings.HasPrefix(v, `"`) {
		v = v[1:]
		if j := strings.IndexByte(v, '"'); j >= 0 {
			return v[:j]
		}
		return v
	}
	if j := strings.IndexByte(v, ','); j >= 0 {
		return v[:j]
	}
	return v
}
