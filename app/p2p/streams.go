package p2p

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// Stream is one stream of a master playlist as p2p-media-loader's hls.js
// integration sees it.
type Stream struct {
	Type string // Main or Secondary
	ID   string // StreamID of its attributes
}

// StreamProps are the attributes p2p-media-loader 2.3 names a stream by
// (its generateStreamShortId), as hls.js parses them from the master
// playlist.
type StreamProps struct {
	Bitrate    int64  `json:"bitrate"`              // a level's BANDWIDTH; 0 for an audio rendition
	Codecs     string `json:"codecs,omitempty"`     // a level's video codecs, an audio rendition's audio codecs
	Width      int    `json:"width,omitempty"`      // a level's RESOLUTION; 0: none
	Height     int    `json:"height,omitempty"`     //
	Language   string `json:"language,omitempty"`   // an audio rendition's LANGUAGE
	Channels   string `json:"channels,omitempty"`   // and CHANNELS
	Name       string `json:"name,omitempty"`       // and NAME
	FrameRate  string `json:"frameRate,omitempty"`  // a level's FRAME-RATE, as written
	VideoRange string `json:"videoRange,omitempty"` // and VIDEO-RANGE
}

// StreamID is p2p-media-loader's id of a stream with these attributes:
// the base64 SHA-1 of the normalised attributes joined by "-".
func StreamID(p StreamProps) string {
	var codecs []string
	if p.Codecs != "" {
		for _, c := range strings.Split(p.Codecs, ",") {
			codecs = append(codecs, normaliseCodec(strings.ToLower(strings.TrimSpace(c))))
		}
		slices.Sort(codecs)
	}
	lang := ""
	if p.Language != "" && p.Language != "und" {
		lang = strings.ToLower(p.Language[:min(2, len(p.Language))])
	}
	channels, _, _ := strings.Cut(p.Channels, "/")
	fr := ""
	if f, err := strconv.ParseFloat(p.FrameRate, 64); err == nil && p.FrameRate != "" {
		fr = strconv.FormatFloat(f, 'f', -1, 64) // JavaScript's Number(x).toString() for frame rates
	}
	dim := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	s := strings.Join([]string{strconv.FormatInt(p.Bitrate, 10), strings.Join(codecs, ","), dim(p.Width), dim(p.Height), lang, channels,
		strings.ToLower(strings.TrimSpace(p.Name)), fr, strings.ToUpper(strings.TrimSpace(p.VideoRange))}, "-")
	sum := sha1.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// normaliseCodec turns an RFC 4281 decimal avc1 codec (avc1.66.30) into
// its hex form (avc1.42001e), as the loader does.
func normaliseCodec(c string) string {
	parts := strings.Split(c, ".")
	if len(parts) != 3 || (parts[0] != "avc1" && parts[0] != "avc") {
		return c
	}
	profile, err1 := strconv.Atoi(parts[1])
	level, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || strconv.Itoa(profile) != parts[1] || strconv.Itoa(level) != parts[2] {
		return c
	}
	return parts[0] + "." + hex2(profile) + "00" + hex2(level)
}

func hex2(n int) string {
	s := strconv.FormatInt(int64(n), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// audioCodec reports whether a codec of a CODECS list is an audio one
// (hls.js sorts a level's codecs into video and audio).
func audioCodec(c string) bool {
	c = strings.ToLower(c)
	for _, p := range []string{"mp4a", "ac-3", "ec-3", "opus", "flac", "alac", "mp3", "dts"} {
		if strings.HasPrefix(c, strings.ToLower(p)) {
			return true
		}
	}
	return false
}

// StreamIDs are the streams of master playlist master, as hls.js lists
// them to p2p-media-loader: each EXT-X-STREAM-INF level (main), then each
// EXT-X-MEDIA audio rendition with a URI (secondary), which takes its
// codec from the levels of its group.
func StreamIDs(master []byte) []Stream {
	var levels []StreamProps
	type audio struct {
		props StreamProps
		group string
	}
	var audios []audio
	groupCodec := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(master))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "#EXT-X-STREAM-INF:"); ok {
			a := attributes(rest)
			bw, _ := strconv.ParseInt(a["BANDWIDTH"], 10, 64)
			p := StreamProps{Bitrate: bw, FrameRate: a["FRAME-RATE"], VideoRange: a["VIDEO-RANGE"]}
			var video, aud []string
			for _, c := range strings.Split(a["CODECS"], ",") {
				if c = strings.TrimSpace(c); c == "" {
					continue
				}
				if audioCodec(c) {
					aud = append(aud, c)
				} else {
					video = append(video, c)
				}
			}
			p.Codecs = strings.Join(video, ",")
			if w, h, ok := strings.Cut(a["RESOLUTION"], "x"); ok {
				p.Width, _ = strconv.Atoi(w)
				p.Height, _ = strconv.Atoi(h)
			}
			if bw == 0 { // the loader names a level without metadata by its bitrate only
				p = StreamProps{}
			}
			if g := a["AUDIO"]; g != "" && len(aud) > 0 && groupCodec[g] == "" {
				groupCodec[g] = strings.Join(aud, ",")
			}
			levels = append(levels, p)
		} else if rest, ok := strings.CutPrefix(line, "#EXT-X-MEDIA:"); ok {
			a := attributes(rest)
			if a["TYPE"] != "AUDIO" || a["URI"] == "" {
				continue
			}
			name := a["NAME"]
			if name == "" {
				name = a["LANGUAGE"]
			}
			audios = append(audios, audio{props: StreamProps{Language: a["LANGUAGE"], Channels: a["CHANNELS"], Name: name}, group: a["GROUP-ID"]})
		}
	}
	var out []Stream
	for _, p := range levels {
		out = append(out, Stream{Type: Main, ID: StreamID(p)})
	}
	for _, au := range audios {
		au.props.Codecs = groupCodec[au.group]
		out = append(out, Stream{Type: Secondary, ID: StreamID(au.props)})
	}
	return out
}

// attributes parses an HLS attribute list (KEY=value,KEY="quoted, value").
func attributes(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		key = strings.TrimSpace(key)
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:1+end], rest[2+end:]
			}
			rest = strings.TrimPrefix(rest, ",")
		} else {
			val, rest, _ = strings.Cut(rest, ",")
		}
		out[key] = val
		s = rest
	}
	return out
}
