package hardware

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// DoctorOptions configures Doctor.
type DoctorOptions struct {
	FS           fs.FS         // root to read the board from; nil means os.DirFS("/")
	FFmpeg       string        // ffmpeg program; "" means "ffmpeg"
	DataDir      string        // Cabane's data directory; "" means "."
	CachePath    string        // probe cache; "" means <DataDir>/hardware-probe.json
	Choice       string        // the admin's encoder choice, "" for automatic
	SpeedSeconds float64       // length of each speed trial; 0 means 4 s
	TrialTimeout time.Duration // per trial encode; 0 means DefaultTrialTimeout
	Logger       *slog.Logger
}

// Report is what "cabane doctor" prints.
type Report struct {
	Board     Board
	BoardErr  string // unexpected read errors during detection, if any
	DataDir   string
	DiskFree  uint64 // bytes available to Cabane in DataDir
	DiskTotal uint64
	DiskErr   string
	Probe     ProbeResult
	Chosen    Encoder
	Device    string // the device the chosen encoder runs on, if any
	Policy    LadderPolicy
	Speeds    []SpeedTrial
}

// Doctor inspects the machine: board, memory, disk, ffmpeg, which encoders
// work, the one Cabane will use, the ladder policy and why, and how fast the
// chosen encoder is at 720p and 1080p. Problems that leave the rest of the
// report meaningful are recorded in it; the error is for the others
// (ffmpeg missing, ctx cancelled), with the report filled as far as it got.
func Doctor(ctx context.Context, opts DoctorOptions) (Report, error) {
	if opts.FS == nil {
		opts.FS = os.DirFS("/")
	}
	if opts.FFmpeg == "" {
		opts.FFmpeg = "ffmpeg"
	}
	if opts.DataDir == "" {
		opts.DataDir = "."
	}
	if opts.CachePath == "" {
		opts.CachePath = filepath.Join(opts.DataDir, "hardware-probe.json")
	}
	if opts.SpeedSeconds <= 0 {
		opts.SpeedSeconds = 4
	}
	var r Report
	var err error
	r.Board, err = DetectBoard(opts.FS)
	if err != nil {
		r.BoardErr = err.Error()
	}
	r.DataDir = opts.DataDir
	if abs, err := filepath.Abs(opts.DataDir); err == nil {
		r.DataDir = abs
	}
	r.DiskFree, r.DiskTotal, err = diskSpace(opts.DataDir)
	if err != nil {
		r.DiskErr = err.Error()
	}

	r.Probe, err = Probe(ctx, ProbeOptions{
		FFmpeg: opts.FFmpeg, CachePath: opts.CachePath, Board: r.Board,
		Timeout: opts.TrialTimeout, Logger: opts.Logger,
	})
	if err != nil {
		return r, fmt.Errorf("doctor: %w", err)
	}
	r.Chosen = r.Probe.Select(opts.Choice)
	r.Device = r.Probe.Device(r.Chosen)
	r.Policy = DefaultPolicy(r.Board, r.Chosen)

	r.Speeds, err = measureSpeeds(ctx, opts.FFmpeg, r.Chosen, r.Device, r.Policy, opts.SpeedSeconds, []int{720, 1080})
	if err != nil {
		return r, fmt.Errorf("doctor: %w", err)
	}
	return r, nil
}
