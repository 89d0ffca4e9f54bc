package hardware

import (
	"path/filepath"
	"strconv"
	"strings"
)

// HLS files are laid out as PeerTube lays them out, flat in a video's HLS
// folder: per rendition one fragmented MP4 (<prefix>-<resolution>-
// fragmented.mp4, the video's UUID as prefix) and its byte-range media
// playlist (<resolution>.m3u8). One file per rendition instead of hundreds
// of segments: apps and yt-dlp download it whole, players fetch byte
// ranges, and PeerTube peers verify the ranges with segments-sha256.json.
// The media package and the web server rely on these names, so every
// backend must use these helpers rather than spelling the names itself.

// AudioName is the rendition that holds the audio alone, encoded once and
// shared by every video rendition (PeerTube 6.3 splits audio the same
// way); also the rendition of an audio-only upload. Its resolution is 0.
const AudioName = "audio"

// Resolution is a rendition's resolution as PeerTube numbers it, from its
// name: "720p" is "720", the audio is "0".
func Resolution(name string) string {
	if name == AudioName {
		return "0"
	}
	return strings.TrimSuffix(name, "p")
}

// MediaPlaylistName is a rendition's media playlist file name.
func MediaPlaylistName(name string) string { return Resolution(name) + ".m3u8" }

// FragmentedName is a rendition's single fragmented MP4 file name.
func FragmentedName(prefix, name string) string {
	return prefix + "-" + Resolution(name) + "-fragmented.mp4"
}

// DefaultSegmentSeconds is PeerTube's -hls_time: short enough for quick
// seeks and resolution switches, long enough to keep the file count low on
// an SD card.
const DefaultSegmentSeconds = 4

// KeyframeSeconds is the keyframe interval every backend must honour so that
// segments of all renditions start at the same instant (ABR switching) and
// divide SegmentSeconds.
const KeyframeSeconds = 2

// PlaylistPath is where one rendition's media playlist goes.
func PlaylistPath(l Ladder, r Rendition) string {
	return filepath.Join(l.OutputDir, MediaPlaylistName(r.Name))
}

// HLSOutputArgs are the muxer flags every backend appends after a
// rendition's codec flags: a VOD byte-range media playlist over one
// fragmented MP4 (-hls_flags single_file). They end with the playlist
// path, which makes them the last arguments of that ffmpeg output.
func HLSOutputArgs(l Ladder, r Rendition) []string {
	seg := l.SegmentSeconds
	if seg <= 0 {
		seg = DefaultSegmentSeconds
	}
	// ffmpeg writes a VOD playlist once, at the end; any other type after
	// every segment (through a temporary file and a rename).
	plType := "vod"
	if l.Live {
		plType = "event"
	}
	return []string{
		// ffmpeg's own advice (trac #6375): some inputs interleave badly and
		// would otherwise abort with "Too many packets buffered".
		"-max_muxing_queue_size", "1024",
		// Uploaders' metadata (GPS, device names) is not ours to publish.
		"-map_metadata", "-1",
		"-f", "hls",
		"-hls_time", strconv.Itoa(seg),
		"-hls_playlist_type", plType,
		"-hls_list_size", "0",
		"-hls_segment_type", "fmp4",
		// single_file: the init section and every fragment go into one
		// file, which the playlist's EXT-X-MAP and EXT-X-BYTERANGE address.
		"-hls_segment_filename", filepath.Join(l.OutputDir, FragmentedName(l.Prefix, r.Name)),
		// Every segment starts with an IDR frame (fixed keyframe cadence),
		// so players may switch renditions at any segment.
		"-hls_flags", "single_file+independent_segments",
		PlaylistPath(l, r),
	}
}

// AudioOutputArgs is the ladder's one audio output: the input's first
// audio stream encoded once to AAC into the AudioName rendition, which
// every video rendition's variant then names as its audio group.
func AudioOutputArgs(l Ladder) []string {
	args := append([]string{"-map", "0:a:0"}, AACArgs(l.AudioBitrate)...)
	return append(args, HLSOutputArgs(l, Rendition{Name: AudioName})...)
}
