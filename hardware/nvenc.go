package hardware

import (
	"fmt"
	"strings"
)

// NVENC is an NVIDIA GPU's encoder (h264_nvenc).
//
// Scaling runs on the GPU (one upload, then scale_cuda per rung)
// rather than on the CPU: a box with an NVIDIA card is limited by its CPU
// long before NVENC, and CPU scaling would cost four software scalers plus
// four uploads of full frames per source frame. Debian's ffmpeg 5.1 has
// scale_cuda (built with cuda-llvm); where the driver cannot run it, the
// trial encode fails and the next backend is used.
type NVENC struct{}

var _ Encoder = NVENC{}

// Name implements Encoder.
func (NVENC) Name() string { return "h264_nvenc" }

// Hardware implements Encoder.
func (NVENC) Hardware() bool { return true }

// MaxHeight implements Encoder.
func (NVENC) MaxHeight() int { return 0 }

// MaxBitrate implements Encoder.
func (NVENC) MaxBitrate() int { return 0 }

// Args implements Encoder.
func (e NVENC) Args(l Ladder) []string { return hwLadderArgs(e, l) }

// defaultDevice is a CUDA device index, not a path.
func (NVENC) defaultDevice() string { return "0" }

// deviceArgs accepts "0" or "/dev/nvidia0" (what board detection lists).
func (NVENC) deviceArgs(device string) []string {
	device = strings.TrimPrefix(device, "/dev/nvidia")
	return []string{"-init_hw_device", "cuda=cu:" + device, "-filter_hw_device", "cu"}
}

// uploadFilter uses the generic hwupload, which uploads to the device named
// by -filter_hw_device; hwupload_cuda would ignore it and open its own
// device from a separate index option. yuv420p is what 8-bit H.264 decodes
// to and what scale_cuda and NVENC take.
func (NVENC) uploadFilter() string { return "format=yuv420p,hwupload" }

func (NVENC) scaleFilter(r Rendition) string {
	return fmt.Sprintf("scale_cuda=w=%d:h=%d", r.Width, r.Height)
}

func (NVENC) codecArgs(r Rendition) []string {
	args := []string{
		"-c:v", "h264_nvenc",
		// p4 is NVENC's balanced preset (SDK 10+ names); tune hq is the
		// default, stated so a changed default cannot change the output.
		"-preset", "p4",
		"-tune", "hq",
		"-rc", "vbr",
	}
	args = append(args, rateArgs(r)...)
	return append(args,
		"-profile:v", "high",
		"-forced-idr", "1",
	)
}
