// Package media runs ffprobe and ffmpeg: it probes uploads, plans the HLS
// ladder (stream copy or encode), packages renditions, makes thumbnails and
// writes master playlists. Every command is an argument slice, never a shell.
package media

import (
	"log/slog"
	"sync"
	"time"
)

// Runner holds the tool paths and the process settings for every ffmpeg and
// ffprobe it starts. The zero value is usable.
type Runner struct {
	FFmpeg, FFprobe string // "" means "ffmpeg" / "ffprobe" looked up on PATH
	// Nice > 0 lowers the CPU priority of the child (setpriority), so a long
	// transcode never makes the web UI sluggish on a Raspberry Pi.
	Nice int
	// IdleIO puts the child in the idle I/O class (ioprio_set), so page
	// loads and playback win the SD card. Best effort.
	IdleIO bool
	Logger *slog.Logger
	// RunDir, when set, is where the runner lists the ffmpeg processes it
	// is running (the data directory's run/), for KillLeftovers at the
	// next start.
	RunDir string
	// MemoryLimit caps each ffmpeg's address space (RLIMIT_AS), in bytes;
	// 0: no cap. AutoMemoryLimit sizes it from the box. An encode that
	// needs more fails with an error wrapping ErrMemoryLimit.
	MemoryLimit int64
	// StallTimeout kills an ffmpeg that reports no progress for this long
	// (default 2 min): an ffmpeg whose thread could not start under the
	// memory cap waits forever instead of exiting.
	StallTimeout time.Duration

	pidMu sync.Mutex
	pids  []procID // running ffmpeg processes, as written to RunDir
}

func (r *Runner) ffmpeg() string {
	if r.FFmpeg != "" {
		return r.FFmpeg
	}
	return "ffmpeg"
}

func (r *Runner) ffprobe() string {
	if r.FFprobe != "" {
		return r.FFprobe
	}
	return "ffprobe"
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}
