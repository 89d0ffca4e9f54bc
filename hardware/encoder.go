// Package hardware knows the boards Cabane runs on and the ffmpeg arguments of
// each H.264 encoder backend. It knows nothing of HTTP or SQL.
package hardware

// Rendition is one rung of an HLS ladder, as the encoder must produce it.
type Rendition struct {
	Name         string  // directory name and label, e.g. "720p"
	Width        int     // output width in pixels (even)
	Height       int     // output height in pixels (even)
	FPS          float64 // output frame rate
	VideoBitrate int     // target video bitrate, bits/s
	MaxRate      int     // VBV max rate, bits/s
	BufSize      int     // VBV buffer size, bits
	AudioBitrate int     // AAC bitrate, bits/s, of the audio encoded beside it
}

// Ladder is one ffmpeg run: the input is decoded once and every rendition is
// encoded from it and written into OutputDir as one fragmented MP4 and its
// byte-range media playlist (see HLSOutputArgs).
type Ladder struct {
	Input     string
	OutputDir string
	// Prefix starts every single file's name (the video's UUID).
	Prefix string
	// HasAudio adds one more output: the audio, encoded once at
	// AudioBitrate into the AudioName rendition. The video renditions
	// carry no audio of their own.
	HasAudio       bool
	AudioBitrate   int
	Renditions     []Rendition
	SegmentSeconds int // HLS target duration; keyframes every 2 s divide it
	// Threads caps the decoder's threads and, for libx264, each
	// rendition's encoder threads; 0 lets ffmpeg decide.
	Threads int
	Device  string
	// Live makes ffmpeg rewrite each media playlist (an EVENT playlist,
	// atomically) after every segment, so that the media package can
	// publish the ladder while it grows; the fragmented MP4s are the same
	// bytes either way.
	Live bool
}

// Encoder builds the ffmpeg command line of one H.264 backend.
type Encoder interface {
	// Name is ffmpeg's encoder name ("libx264", "h264_vaapi", ...).
	Name() string
	// Hardware reports whether the backend uses a hardware block.
	Hardware() bool
	// Args is the whole ffmpeg argument list after the program name and
	// the global flags the caller adds (-hide_banner, -progress, ...):
	// device setup, input, filters, every rendition's output.
	Args(l Ladder) []string
	// MaxHeight is the tallest output the backend can encode; 0 means no limit.
	MaxHeight() int
	// MaxBitrate is the highest video bitrate the backend accepts, bits/s; 0 means no limit.
	MaxBitrate() int
}
