package hardware

import "fmt"

// QSV is Intel Quick Sync through the Media SDK (h264_qsv). Debian 12's
// ffmpeg 5.1 is built against libmfx, which stops at 11th-generation
// GPUs: on newer ones (N100) the trial encode fails and VAAPI takes over.
type QSV struct{}

var _ Encoder = QSV{}

// Name implements Encoder.
func (QSV) Name() string { return "h264_qsv" }

// Hardware implements Encoder.
func (QSV) Hardware() bool { return true }

// MaxHeight implements Encoder.
func (QSV) MaxHeight() int { return 0 }

// MaxBitrate implements Encoder.
func (QSV) MaxBitrate() int { return 0 }

// Args implements Encoder.
func (e QSV) Args(l Ladder) []string { return hwLadderArgs(e, l) }

func (QSV) defaultDevice() string { return "/dev/dri/renderD128" }

// deviceArgs derives the QSV session from a VA-API device on the chosen
// render node (Jellyfin does the same on Linux): "-init_hw_device qsv=hw"
// alone lets libmfx guess the node, which is wrong on two-GPU boxes.
func (QSV) deviceArgs(device string) []string {
	return []string{
		"-init_hw_device", "vaapi=va:" + device,
		"-init_hw_device", "qsv=hw@va",
		"-filter_hw_device", "hw",
	}
}

// uploadFilter: QSV frame pools are fixed-size; the split, the scalers and
// up to four encoders each hold surfaces, so the pool needs headroom or
// the graph stalls with "not enough surfaces".
func (QSV) uploadFilter() string { return "format=nv12,hwupload=extra_hw_frames=64" }

func (QSV) scaleFilter(r Rendition) string {
	return fmt.Sprintf("scale_qsv=w=%d:h=%d", r.Width, r.Height)
}

func (QSV) codecArgs(r Rendition) []string {
	args := []string{
		"-c:v", "h264_qsv",
		"-preset", "veryfast",
		// Lookahead rate control holds dozens of surfaces per encoder and
		// buys little at VOD ladder bitrates.
		"-look_ahead", "0",
	}
	args = append(args, rateArgs(r)...)
	return append(args,
		"-profile:v", "high",
		// A forced keyframe must be an IDR, or segments would not start
		// with a random access point.
		"-forced_idr", "1",
	)
}
