package hardware

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ListEncoders returns the names of every encoder ffmpeg was built with,
// from "ffmpeg -hide_banner -encoders". Listed is not working: a build lists
// h264_nvenc on a box without an NVIDIA card; trial encodes decide.
func ListEncoders(ctx context.Context, ffmpegPath string) ([]string, error) {
	out, err := runFFmpeg(ctx, ffmpegPath, "-hide_banner", "-encoders")
	if err != nil {
		return nil, fmt.Errorf("list encoders: %w", err)
	}
	names := parseEncoders(out)
	if len(names) == 0 {
		return nil, fmt.Errorf("list encoders: no encoder in %s -encoders output", ffmpegPath)
	}
	return names, nil
}

// parseEncoders reads the table after the "------" rule: six capability
// flags, the name, the description.
func parseEncoders(out []byte) []string {
	var names []string
	table := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !table {
			table = strings.HasPrefix(line, "------")
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || len(fields[0]) != 6 {
			continue
		}
		names = append(names, fields[1])
	}
	return names
}

// FFmpegVersion returns the first line of "ffmpeg -version", e.g.
// "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg
// developers". The probe cache is keyed by it: an upgraded ffmpeg may gain
// or lose a backend.
func FFmpegVersion(ctx context.Context, ffmpegPath string) (string, error) {
	out, err := runFFmpeg(ctx, ffmpegPath, "-hide_banner", "-version")
	if err != nil {
		return "", fmt.Errorf("ffmpeg version: %w", err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	line = strings.TrimSpace(line)
	if line == "" {
		return "", fmt.Errorf("ffmpeg version: %s -version printed nothing", ffmpegPath)
	}
	return line, nil
}

// runFFmpeg runs a short informational ffmpeg command and returns stdout.
func runFFmpeg(ctx context.Context, ffmpegPath string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffmpegPath, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", ffmpegPath, strings.Join(args, " "), err, lastLine(stderr.String()))
	}
	return out, nil
}

// lastLine is the last non-empty line of ffmpeg's stderr: with -loglevel
// error it is the reason a run failed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
