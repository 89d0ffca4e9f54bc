package media

import "time"

// Sample1080p is what Probe reports for a typical one-minute 1080p30
// upload: with codec "h264", a phone's recording (H.264 High 8-bit at
// 16 Mb/s, the rate phones use, above PeerTube's bits-per-pixel budget,
// with AAC-LC stereo in MP4); with any other codec, that codec at 4 Mb/s
// with Opus in WebM. cabane doctor plans it to show what the encoder will
// really receive, and the board tests plan it to check each knob.
func Sample1080p(codec string) *Info {
	if codec == "h264" {
		return &Info{
			Duration: time.Minute, Format: "mov,mp4,m4a,3gp,3g2,mj2", Size: 121_000_000, BitRate: 16_128_000,
			Video: &VideoStream{Codec: "h264", Profile: "High", PixFmt: "yuv420p", Width: 1920, Height: 1080, FPS: 30, BitRate: 16_000_000, SAR: 1},
			Audio: &AudioStream{Codec: "aac", Profile: "LC", Channels: 2, SampleRate: 48000, BitRate: 128_000},
		}
	}
	return &Info{
		Duration: time.Minute, Format: "matroska,webm", Size: 30_960_000, BitRate: 4_128_000,
		Video: &VideoStream{Codec: codec, Profile: "Profile 0", PixFmt: "yuv420p", Width: 1920, Height: 1080, FPS: 30, BitRate: 4_000_000, SAR: 1},
		Audio: &AudioStream{Codec: "opus", Channels: 2, SampleRate: 48000, BitRate: 128_000},
	}
}
