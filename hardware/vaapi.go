package hardware

import "fmt"

// VAAPI is the Intel/AMD GPU encoder through VA-API (h264_vaapi), the
// backend of an N100 or J4125 NAS. Frames are decoded on the CPU, uploaded
// once, then scaled and encoded on the GPU.
type VAAPI struct {
	// LowPower selects the VDEnc ("low power") entrypoint. Some Intel
	// GPUs (Jasper Lake, Elkhart Lake, Alder Lake-N) offer H.264 only
	// there, and ffmpeg 5.1 does not fall back to it by itself; the probe
	// tries it when the default entrypoint fails.
	LowPower bool
}

var _ Encoder = VAAPI{}

// Name implements Encoder.
func (VAAPI) Name() string { return "h264_vaapi" }

// Hardware implements Encoder.
func (VAAPI) Hardware() bool { return true }

// MaxHeight implements Encoder: 4K-capable GPUs are the rule; the trial
// encode, not a table, finds the others.
func (VAAPI) MaxHeight() int { return 0 }

// MaxBitrate implements Encoder.
func (VAAPI) MaxBitrate() int { return 0 }

// Args implements Encoder.
func (e VAAPI) Args(l Ladder) []string { return hwLadderArgs(e, l) }

func (VAAPI) defaultDevice() string { return "/dev/dri/renderD128" }

// deviceArgs names the render node explicitly: on a box with two GPUs
// "-vaapi_device" alone would pick whichever libva opens first.
func (VAAPI) deviceArgs(device string) []string {
	return []string{"-init_hw_device", "vaapi=va:" + device, "-filter_hw_device", "va"}
}

// uploadFilter: VA surfaces are NV12; converting on the CPU first is what
// hwupload needs for 8-bit 4:2:0 input of any layout.
func (VAAPI) uploadFilter() string { return "format=nv12,hwupload" }

func (VAAPI) scaleFilter(r Rendition) string {
	return fmt.Sprintf("scale_vaapi=w=%d:h=%d", r.Width, r.Height)
}

func (e VAAPI) codecArgs(r Rendition) []string {
	args := []string{"-c:v", "h264_vaapi"}
	if e.LowPower {
		args = append(args, "-low_power", "1")
	}
	// VBR with a ceiling, like the software ladder's capped rate: the
	// driver's auto mode would pick CBR from -b:v == -maxrate and pad
	// static scenes.
	args = append(args, "-rc_mode", "VBR")
	args = append(args, rateArgs(r)...)
	return append(args, "-profile:v", "high")
}
