package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// doctor answers "will my box cope?": board, encoders that proved
// themselves, the ladder it would use and why, measured speeds, and what
// the encoder will really receive for a typical upload.
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
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	// The profile a job gets here, built as the server builds it.
	prof := transcoding.Build(rep.Board, rep.Probe, true, choice, cfg.Workers)
	return writeProfile(stdout, prof, l)
}

// writeProfile prints the profile and, for a phone's 1080p H.264 and a
// 1080p VP9 upload, the rungs and every ffmpeg command line a job would
// run: planned and grouped by the very functions a job calls.
func writeProfile(w io.Writer, prof transcoding.Profile, l config.Layout) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-13s %s\n", "Profile:", prof)
	in := l.Original("<uuid>", "original")
	out := filepath.Join(l.HLS("<uuid>"), ".partial")
	for _, codec := range []string{"h264", "vp9"} {
		info := media.Sample1080p(codec)
		plan := media.PlanFor(info, prof)
		var rungs []string
		if plan.Copy != nil {
			rungs = append(rungs, plan.Copy.Name+" (copied)")
		}
		for _, r := range plan.Encode {
			rungs = append(rungs, r.Name)
		}
		fmt.Fprintf(bw, "\nA 1080p30 %s upload at %d Mb/s becomes %s:\n", codec, info.Video.BitRate/1_000_000, strings.Join(rungs, ", "))
		if plan.Copy != nil {
			fmt.Fprintf(bw, "  %s\n", shellLine(media.CommandLine(media.CopyArgs(in, info, plan, out, "<uuid>"))))
		}
		for _, run := range media.Runs(prof, in, info, plan.Encode) {
			run.Ladder.OutputDir, run.Ladder.Prefix = out, "<uuid>"
			// The copy publishes the audio; the encode then has none to make.
			run.Ladder.HasAudio = run.Ladder.HasAudio && plan.Copy == nil
			fmt.Fprintf(bw, "  %s\n", shellLine(media.CommandLine(run.Args())))
		}
	}
	return bw.Flush()
}

// shellLine writes a command so that it can be pasted into a shell.
func shellLine(args []string) string {
	var b strings.Builder
	b.WriteString("ffmpeg")
	for _, a := range args {
		b.WriteByte(' ')
		if a == "" || strings.ContainsAny(a, " \t;[]()'\"$*?&|<>#~%!=") {
			b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
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
	v, _ := st.Settings.Get(ctx, transcoding.SettingEncoder)
	return v
}
