package hardware

import "fmt"

// V4L2M2M is the Raspberry Pi 4's hardware H.264 encoder (bcm2835-codec,
// /dev/video11) through ffmpeg's V4L2 memory-to-memory wrapper. The block
// takes CPU frames, so decoding and scaling stay on the CPU.
type V4L2M2M struct{}

var _ Encoder = V4L2M2M{}

// Name implements Encoder.
func (V4L2M2M) Name() string { return "h264_v4l2m2m" }

// Hardware implements Encoder.
func (V4L2M2M) Hardware() bool { return true }

// MaxHeight implements Encoder: the Pi 4 encoder stops at 1920x1080 (level 4.2).
func (V4L2M2M) MaxHeight() int { return 1080 }

// MaxBitrate implements Encoder: the firmware rejects or misbehaves above
// 20 Mb/s (DESIGN.md).
func (V4L2M2M) MaxBitrate() int { return 20_000_000 }

// Args implements Encoder.
func (e V4L2M2M) Args(l Ladder) []string { return hwLadderArgs(e, l) }

// ffmpeg 5.1's h264_v4l2m2m has no option naming the device: it opens the
// first /dev/video* node that is an M2M H.264 encoder, so Ladder.Device is
// not passed on.
func (V4L2M2M) defaultDevice() string      { return "" }
func (V4L2M2M) deviceArgs(string) []string { return nil }
func (V4L2M2M) uploadFilter() string       { return "" }
func (V4L2M2M) scaleFilter(r Rendition) string {
	// format=yuv420p inside the branch converts on the filter threads; the
	// encoder takes yuv420p but would otherwise be offered the decoder's
	// format first.
	return fmt.Sprintf("scale=%d:%d,setsar=1,format=yuv420p", r.Width, r.Height)
}

func (V4L2M2M) codecArgs(r Rendition) []string {
	return []string{
		"-c:v", "h264_v4l2m2m",
		"-pix_fmt", "yuv420p",
		// The wrapper sets only a bitrate control: -maxrate/-bufsize would
		// be silently ignored, so they are not passed.
		"-b:v", fmt.Sprint(r.VideoBitrate),
		// The wrapper has no named profiles ("-profile:v high" fails to
		// parse, checked on ffmpeg 5.1): 100 is FF_PROFILE_H264_HIGH,
		// which it maps to V4L2_MPEG_VIDEO_H264_PROFILE_HIGH.
		"-profile:v", "100",
	}
}
