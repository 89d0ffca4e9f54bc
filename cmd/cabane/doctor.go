package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/hardware"
)

// doctor answers "will my box cope?": board, encoders that proved
// themselves, the ladder it would use and why, and measured speeds.
func doctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := loadConfig("doctor", args, stderr)
	if err != nil {
		return err
	}
	seconds := fs.Float64("seconds", 4, "length of each speed trial, in seconds of video")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l := config.Layout{Root: cfg.DataDir}
	choice := encoderChoice(ctx, l)
	// Before the first start the data directory may not exist yet: report
	// the disk it will be created on.
	diskDir := cfg.DataDir
	for !fileExists(diskDir) && filepath.Dir(diskDir) != diskDir {
		diskDir = filepath.Dir(diskDir)
	}
	rep, err := hardware.Doctor(ctx, hardware.DoctorOptions{FFmpeg: cfg.FFmpeg, DataDir: diskDir, CachePath: l.HardwareProbeCache(),
		Choice: choice, SpeedSeconds: *seconds, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	return rep.WriteText(stdout)
}

// encoderChoice reads the admin's encoder setting if a database exists;
// doctor must also work on a box that was never set up.
func encoderChoice(ctx context.Context, l config.Layout) string {
	if !fileExists(l.DB()) {
		return ""
	}
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		return ""
	}
	defer st.Close()
	v, _ := st.Settings.Get(ctx, "transcoding.encoder")
	return v
}
