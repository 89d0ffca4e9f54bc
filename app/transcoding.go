package app

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/hardware"
)

// SettingEncoder is the admin's encoder choice ("" = automatic).
const SettingEncoder = "transcoding.encoder"

// transcoder knows the board, which encoders proved themselves, and what
// the videos service should use now. Until the probe finishes, libx264
// with the board's policy is used: uploads never wait for it.
type transcoder struct {
	mu       sync.Mutex
	board    hardware.Board
	probe    hardware.ProbeResult
	probed   bool
	choice   string // the admin's choice, "" = automatic
	current  videos.Transcoding
	failures []EncoderFailure
}

// EncoderFailure and TranscodingStatus live in videos so that the admin
// pages (web cannot import app) can read the status that Status returns.
type (
	EncoderFailure    = videos.EncoderFailure
	TranscodingStatus = videos.TranscodingStatus
)

func newTranscoder() *transcoder {
	b, err := hardware.DetectBoard(os.DirFS("/"))
	if err != nil {
		b = hardware.Board{Kind: hardware.KindGeneric}
	}
	t := &transcoder{board: b}
	t.choose("")
	return t
}

func (t *transcoder) choose(choice string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.choice = choice
	enc := hardware.Encoder(hardware.Libx264{})
	dev := ""
	if t.probed {
		enc = t.probe.Select(choice)
		dev = t.probe.Device(enc)
	}
	pol := hardware.DefaultPolicy(t.board, enc)
	if x, ok := enc.(hardware.Libx264); ok && pol.X264Preset != "" {
		x.Preset = pol.X264Preset
		enc = x
	}
	t.current = videos.Transcoding{Encoder: enc, Device: dev, Policy: pol, OnFailure: t.recordFailure}
}

func (t *transcoder) recordFailure(encoder string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures = append(t.failures, EncoderFailure{Encoder: encoder, Error: err.Error(), At: time.Now()})
	if len(t.failures) > 20 {
		t.failures = t.failures[len(t.failures)-20:]
	}
}

// Current is what videos.Service calls for each job.
func (t *transcoder) Current() videos.Transcoding {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.current
}

func (t *transcoder) Status() TranscodingStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	return TranscodingStatus{Board: t.board, Probe: t.probe, Probed: t.probed, Choice: t.choice, Encoder: t.current.Encoder.Name(),
		Hardware: t.current.Encoder.Hardware(), Policy: t.current.Policy, Failures: append([]EncoderFailure(nil), t.failures...)}
}

// probeHardware runs the encoders' trial encodes (or reads their cached
// result) and switches to the best working encoder.
func (a *App) probeHardware(ctx context.Context) error {
	res, err := hardware.Probe(ctx, hardware.ProbeOptions{FFmpeg: a.Config.FFmpeg, CachePath: a.Layout.HardwareProbeCache(),
		Board: a.trans.board, Logger: a.Log.With("part", "hardware")})
	if err != nil {
		return fmt.Errorf("probe encoders: %w", err)
	}
	choice, err := a.Store.Settings.Get(ctx, SettingEncoder)
	if err != nil {
		return err
	}
	a.trans.mu.Lock()
	a.trans.probe, a.trans.probed = res, true
	a.trans.mu.Unlock()
	a.trans.choose(choice)
	cur := a.trans.Current()
	a.Log.Info("encoder chosen", "encoder", cur.Encoder.Name(), "working", res.Working, "cached", res.Cached, "heights", cur.Policy.Heights)
	return nil
}

// SetEncoderChoice stores the admin's choice and applies it to the next job.
func (a *App) SetEncoderChoice(ctx context.Context, choice string) error {
	if choice != "" {
		if _, ok := hardware.EncoderByName(choice); !ok {
			return fmt.Errorf("unknown encoder %q", choice)
		}
	}
	if err := a.Store.Settings.Set(ctx, SettingEncoder, choice); err != nil {
		return err
	}
	a.trans.choose(choice)
	return nil
}
