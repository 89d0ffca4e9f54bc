package main

import (
	"bytes"
	"strings"
	"testing"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// Doctor prints the command lines a job would run, from the same plan and
// runs: a Pi 5 with 1 GB copies the phone's 1080p, encodes 720p and 360p
// one per process with rc-lookahead 10, and never encodes 1080p.
func TestDoctorPrintsWhatFFmpegReceives(t *testing.T) {
	prof := transcoding.Build(hardware.Board{Kind: hardware.KindPi5, Model: "Raspberry Pi 5 Model B Rev 1.0", Cores: 4, MemTotal: 1010 << 20},
		hardware.ProbeResult{}, true, "", 1)
	l := config.Layout{Root: "/var/lib/cabane"}
	var out bytes.Buffer
	if err := writeProfile(&out, prof, l); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"Profile:      libx264 preset veryfast rc-lookahead 10; rungs 720p 360p; nothing encoded above 720p",
		"A 1080p30 h264 upload at 16 Mb/s becomes 1080p (copied), 720p, 360p:",
		"A 1080p30 vp9 upload at 4 Mb/s becomes 720p, 360p:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, text)
		}
	}
	// Every encoding line is exactly a run's arguments.
	info := media.Sample1080p("vp9")
	runs := media.Runs(prof, "/var/lib/cabane/media/<uuid>/original", info, media.PlanFor(info, prof).Encode)
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2 (one rendition per process)", len(runs))
	}
	for _, run := range runs {
		run.Ladder.OutputDir, run.Ladder.Prefix = "/var/lib/cabane/media/<uuid>/hls/.partial", "<uuid>"
		line := shellLine(media.CommandLine(run.Args()))
		if !strings.Contains(text, "  "+line+"\n") {
			t.Errorf("doctor does not print the run's command line %s", line)
		}
		if !strings.Contains(line, " -threads 2 -i ") || !strings.Contains(line, " -rc-lookahead 10 ") {
			t.Errorf("run lacks the board's threads or rc-lookahead: %s", line)
		}
	}
	if strings.Contains(text, "scale=1920:1080") {
		t.Error("a 1080p rung is encoded on a Pi 5")
	}
}

func TestShellLine(t *testing.T) {
	got := shellLine([]string{"-i", "/a b/it's.mp4", "-map", "[v0]", "-f", "hls"})
	if want := `ffmpeg -i '/a b/it'\''s.mp4' -map '[v0]' -f hls`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
