package hardware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// ProbeOptions configures Probe.
type ProbeOptions struct {
	FFmpeg    string        // ffmpeg program; "" means "ffmpeg" from PATH
	CachePath string        // JSON cache, e.g. <data>/hardware-probe.json; "" disables it
	Board     Board         // devices to try, from DetectBoard
	Timeout   time.Duration // per trial encode; 0 means DefaultTrialTimeout
	Logger    *slog.Logger  // nil means slog.Default()
}

// ProbeResult says which H.264 encoders this machine has and which of them
// work. It is what the cache file holds.
type ProbeResult struct {
	FFmpegVersion string            `json:"ffmpeg_version"`
	Devices       string            `json:"devices"`   // fingerprint of the devices found
	Listed        []string          `json:"listed"`    // H.264 encoders ffmpeg lists that Cabane drives
	Working       []string          `json:"working"`   // those that passed their trial (libx264 needs none)
	Failures      map[string]string `json:"failures"`  // encoder → why it is not working
	LowPower      []string          `json:"low_power"` // encoders that work only in low-power mode
	DevicePaths   map[string]string `json:"device_paths"`
	ProbedAt      time.Time         `json:"probed_at"`
	Cached        bool              `json:"-"` // read from the cache, nothing re-run
}

// Select is the package-level Select over this result, with the device
// and mode the trial proved.
func (r ProbeResult) Select(choice string) Encoder {
	e := Select(choice, r.Working)
	if v, ok := e.(VAAPI); ok && slices.Contains(r.LowPower, v.Name()) {
		v.LowPower = true
		return v
	}
	return e
}

// Device is the device path the trial of enc used, for Ladder.Device.
func (r ProbeResult) Device(enc Encoder) string { return r.DevicePaths[enc.Name()] }

// Probe lists ffmpeg's encoders and trial-encodes each hardware backend
// whose device exists. The result is cached at CachePath, keyed by the
// ffmpeg version line and a fingerprint of the devices: a cache hit costs
// one "ffmpeg -version"; an upgraded ffmpeg, a new GPU or a new driver
// re-probes.
func Probe(ctx context.Context, opts ProbeOptions) (ProbeResult, error) {
	if opts.FFmpeg == "" {
		opts.FFmpeg = "ffmpeg"
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	version, err := FFmpegVersion(ctx, opts.FFmpeg)
	if err != nil {
		return ProbeResult{}, fmt.Errorf("probe: %w", err)
	}
	fp := DeviceFingerprint(opts.Board)
	if opts.CachePath != "" {
		cached, ok, err := readProbeCache(opts.CachePath)
		if err != nil {
			// A corrupt cache (power loss mid-write on an old version) is
			// not fatal: probing again rewrites it.
			log.Warn("hardware probe cache unreadable, probing again", "path", opts.CachePath, "err", err)
		}
		if ok && cached.FFmpegVersion == version && cached.Devices == fp {
			cached.Cached = true
			return cached, nil
		}
	}

	listed, err := ListEncoders(ctx, opts.FFmpeg)
	if err != nil {
		return ProbeResult{}, fmt.Errorf("probe: %w", err)
	}
	res := ProbeResult{
		FFmpegVersion: version, Devices: fp, ProbedAt: time.Now().UTC(),
		Failures: map[string]string{}, DevicePaths: map[string]string{},
	}
	for _, name := range append([]string{Libx264{}.Name()}, hardwareNames()...) {
		if slices.Contains(listed, name) {
			res.Listed = append(res.Listed, name)
		}
	}
	if slices.Contains(res.Listed, Libx264{}.Name()) {
		res.Working = append(res.Working, Libx264{}.Name())
	}
	for _, enc := range hardwareOrder() {
		if !slices.Contains(res.Listed, enc.Name()) {
			continue
		}
		device, why := trialDevice(enc, opts.Board)
		if why != "" {
			res.Failures[enc.Name()] = "not tried: " + why
			continue
		}
		res.DevicePaths[enc.Name()] = device
		err := TrialEncode(ctx, opts.FFmpeg, enc, device, opts.Timeout)
		if err != nil && enc.Name() == (VAAPI{}).Name() {
			if lpErr := TrialEncode(ctx, opts.FFmpeg, VAAPI{LowPower: true}, device, opts.Timeout); lpErr == nil {
				res.LowPower = append(res.LowPower, enc.Name())
				err = nil
			}
		}
		if ctx.Err() != nil {
			return ProbeResult{}, fmt.Errorf("probe: %w", ctx.Err())
		}
		if err != nil {
			res.Failures[enc.Name()] = err.Error()
			log.Info("hardware encoder failed its trial", "encoder", enc.Name(), "device", device, "err", err)
			continue
		}
		res.Working = append(res.Working, enc.Name())
		log.Info("hardware encoder passed its trial", "encoder", enc.Name(), "device", device)
	}
	if opts.CachePath != "" {
		if err := writeProbeCache(opts.CachePath, res); err != nil {
			return res, fmt.Errorf("probe: %w", err)
		}
	}
	return res, nil
}

func hardwareNames() []string {
	var names []string
	for _, e := range hardwareOrder() {
		names = append(names, e.Name())
	}
	return names
}

// trialDevice picks the device a backend's trial runs on, or says why
// there is none. A trial without its device could only fail, slowly.
func trialDevice(enc Encoder, b Board) (device, why string) {
	switch enc.(type) {
	case NVENC:
		if len(b.NVIDIA.Devices) == 0 {
			return "", "no /dev/nvidia* device"
		}
		return b.NVIDIA.Devices[0], ""
	case V4L2M2M:
		if len(b.V4L2Encoders) == 0 {
			return "", "no V4L2 H.264 encoder in /sys/class/video4linux"
		}
		return b.V4L2Encoders[0].Path, ""
	case VAAPI, QSV:
		intelOnly := enc.Name() == (QSV{}).Name()
		var seen []string
		for _, n := range b.RenderNodes {
			if usableRenderNode(n.Driver, intelOnly) {
				return n.Path, ""
			}
			seen = append(seen, n.Path+" ("+n.Driver+")")
		}
		if len(seen) == 0 {
			return "", "no /dev/dri/renderD* node"
		}
		if intelOnly {
			return "", "no Intel GPU: " + strings.Join(seen, ", ")
		}
		return "", "no VA-API capable GPU: " + strings.Join(seen, ", ")
	}
	return "", "unknown backend"
}

// usableRenderNode rules out render nodes known to have no video encoder
// (the Pi's 3D block, virtual GPUs). An unknown driver is tried.
func usableRenderNode(driver string, intelOnly bool) bool {
	switch driver {
	case "v3d", "vc4", "virtio_gpu", "vmwgfx", "bochs-drm", "qxl", "panfrost", "lima", "etnaviv":
		return false
	case "i915", "xe", "":
		return true
	}
	return !intelOnly
}

// DeviceFingerprint identifies the encoder-relevant devices of b: render
// nodes and their drivers, V4L2 encoders, NVIDIA devices and driver.
func DeviceFingerprint(b Board) string {
	var parts []string
	for _, n := range b.RenderNodes {
		parts = append(parts, "dri:"+n.Path+"="+n.Driver)
	}
	for _, d := range b.V4L2Encoders {
		parts = append(parts, "v4l2:"+d.Path+"="+d.Name)
	}
	for _, d := range b.NVIDIA.Devices {
		parts = append(parts, "nvidia:"+d)
	}
	parts = append(parts, "nvidia-driver:"+b.NVIDIA.Driver)
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:8])
}
