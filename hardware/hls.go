package hardware

import (
	"path/filepath"
	"strconv"
)

// HLS file names inside OutputDir/<Rendition.Name>/. The media package and
// the web server rely on them, so every backend must use these helpers
// rather than spelling the names itself.
const (
	PlaylistName    = "index.m3u8"
	InitSegmentName = "init.mp4"
	SegmentPattern  = "seg-%05d.m4s"
)

// DefaultSegmentSeconds is PeerTube's -hls_time: short enough for quick
// seeks and resolution switches, long enough to keep the file count low on
// an SD card.
const DefaultSegmentSeconds = 4

// KeyframeSeconds is the keyframe interval every backend must honour so that
// segments of all renditions start at the same instant (ABR switching) and
// divide SegmentSeconds.
const KeyframeSeconds = 2

// RenditionDir is where one rendition's playlist, init file and segments go.
func RenditionDir(l Ladder, r Rendition) string {
	return filepath.Join(l.OutputDir, r.Name)
}

// HLSOutputArgs are the muxer flags every backend appends after a
// rendition's codec flags: a VOD media playlist of fragmented-MP4 segments.
// They end with the playlist path, which makes them the last arguments of
// that ffmpeg output. The directory must exist: the hls muxer does not
// create it.
func HLSOutputArgs(l Ladder, r Rendition) []string {
	seg := l.SegmentSeconds
	if seg <= 0 {
		seg = DefaultSegmentSeconds
	}
	dir := RenditionDir(l, r)
	return []string{
		// ffmpeg's own advice (trac #6375): some inputs interleave badly and
		// would otherwise abort with "Too many packets buffered".
		"-max_muxing_queue_size", "1024",
		// Uploaders' metadata (GPS, device names) is not ours to publish.
		"-map_metadata", "-1",
		"-f", "hls",
		"-hls_time", strconv.Itoa(seg),
		"-hls_playlist_type", "vod",
		"-hls_list_size", "0",
		"-hls_segment_type", "fmp4",
		// Relative to the playlist's directory, which is what the playlist's
		// EXT-X-MAP then names.
		"-hls_fmp4_init_filename", InitSegmentName,
		"-hls_segment_filename", filepath.Join(dir, SegmentPattern),
		// Every segment starts with an IDR frame (fixed keyframe cadence),
		// so players may switch renditions at any segment.
		"-hls_flags", "independent_segments",
		filepath.Join(dir, PlaylistName),
	}
}
