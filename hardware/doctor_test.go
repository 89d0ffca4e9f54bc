package hardware

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Doctor against the real ffmpeg, on the x86 VM fixture's board (no encoder
// device: libx264 is what passes here) with one-second speed trials.
func TestDoctorRealFFmpeg(t *testing.T) {
	data := t.TempDir()
	r, err := Doctor(context.Background(), DoctorOptions{
		FS: os.DirFS(filepath.Join("testdata", "boards", "x86vm")), DataDir: data, SpeedSeconds: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Board.Kind != KindVM || r.Board.Cores != 2 {
		t.Errorf("board = %s/%d cores", r.Board.Kind, r.Board.Cores)
	}
	if r.DataDir != data || r.DiskTotal == 0 || r.DiskFree == 0 || r.DiskFree > r.DiskTotal {
		t.Errorf("disk %q: free %d of %d", r.DataDir, r.DiskFree, r.DiskTotal)
	}
	if !strings.HasPrefix(r.Probe.FFmpegVersion, "ffmpeg version ") {
		t.Errorf("ffmpeg version = %q", r.Probe.FFmpegVersion)
	}
	if want := []string{"libx264", "h264_nvenc", "h264_qsv", "h264_vaapi", "h264_v4l2m2m"}; !reflect.DeepEqual(r.Probe.Listed, want) {
		t.Errorf("listed = %v, want Debian's %v", r.Probe.Listed, want)
	}
	if !reflect.DeepEqual(r.Probe.Working, []string{"libx264"}) || r.Chosen.Name() != "libx264" {
		t.Errorf("working %v, chosen %s", r.Probe.Working, r.Chosen.Name())
	}
	if _, err := os.Stat(filepath.Join(data, "hardware-probe.json")); err != nil {
		t.Errorf("probe cache not written in the data dir: %v", err)
	}
	if r.Policy.Encoder != "libx264" || !reflect.DeepEqual(r.Policy.Heights, []int{720, 480, 360}) || len(r.Policy.Reasons) == 0 {
		t.Errorf("policy = %+v", r.Policy)
	}
	if len(r.Speeds) != 2 || r.Speeds[0].Height != 720 || r.Speeds[1].Height != 1080 {
		t.Fatalf("speeds = %+v", r.Speeds)
	}
	for _, s := range r.Speeds {
		if s.Err != "" || s.Speed <= 0 || s.Wall <= 0 || s.Seconds != 1 {
			t.Errorf("%dp trial: %+v", s.Height, s)
		}
	}

	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	t.Logf("doctor report:\n%s", text)
	for _, want := range []string{
		"Board:        QEMU Standard PC (Q35 + ICH9, 2009) (vm, virtual machine)",
		"CPU:          Intel Xeon Processor (Cascadelake), 2 cores",
		"Memory:       1967 MiB total",
		"Disk:         " + data + ": ",
		"ffmpeg:       ffmpeg version ",
		"working libx264 (probed now)",
		"h264_vaapi: not tried: no /dev/dri/renderD* node",
		"Encoder:      libx264 (software)",
		"Ladder:       720p, 480p, 360p; 2 per process; 2 threads; x264 preset veryfast, rc-lookahead 20",
		"Speed:        720p: ",
		"1080p: ",
		"× real time (1 s clip",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// The text of a Pi 4 whose encoder passed, without running anything.
func TestReportWriteTextPi4(t *testing.T) {
	b := fixtureBoard(t, "pi4")
	r := Report{
		Board: b, DataDir: "/var/lib/cabane", DiskFree: 20 << 30, DiskTotal: 29 << 30,
		Probe: ProbeResult{
			FFmpegVersion: "ffmpeg version 5.1.6-0+deb12u1+rpt3 Copyright (c) 2000-2024 the FFmpeg developers",
			Listed:        []string{"libx264", "h264_v4l2m2m"}, Working: []string{"libx264", "h264_v4l2m2m"},
			Failures: map[string]string{"h264_vaapi": "not tried: no VA-API capable GPU: /dev/dri/renderD128 (v3d)"},
			Cached:   true, ProbedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC),
		},
		Chosen: V4L2M2M{}, Device: "/dev/video11",
		Speeds: []SpeedTrial{{Height: 720, Seconds: 4, Wall: 3 * time.Second, Speed: 1.52}, {Height: 1080, Seconds: 4, Wall: 9 * time.Second, Err: "exit status 1: Could not find a valid device"}},
	}
	r.Policy = DefaultPolicy(b, r.Chosen)
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"Board:        Raspberry Pi 4 Model B Rev 1.4 (pi4)\n",
		"CPU:          4 cores\n",
		"Memory:       1847 MiB total, 1523 MiB available\n",
		"Disk:         /var/lib/cabane: 20.0 GiB free of 29.0 GiB\n",
		"Temperature:  cpu-thermal 51.1 °C\n",
		"Devices:      /dev/dri/renderD128 (v3d), /dev/video11 (bcm2835-codec-encode)\n",
		"working libx264, h264_v4l2m2m (from cache, probed 2026-11-20 09:30 UTC)\n",
		"              h264_vaapi: not tried: no VA-API capable GPU: /dev/dri/renderD128 (v3d)\n",
		"Encoder:      h264_v4l2m2m (hardware on /dev/video11)\n",
		"Ladder:       1080p, 720p, 480p, 360p; 4 per process; 4 threads\n",
		"              - h264_v4l2m2m encodes at most 1080p\n",
		"Speed:        720p: 1.52× real time (4 s clip, 3.0 s wall)\n",
		"              1080p: failed after 9.0 s: exit status 1: Could not find a valid device\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestLastSpeed(t *testing.T) {
	out := []byte("frame=10\nspeed=N/A\nprogress=continue\nframe=30\nspeed=2.35x\nprogress=end\n")
	if got := lastSpeed(out); got != 2.35 {
		t.Errorf("lastSpeed = %v", got)
	}
	if got := lastSpeed([]byte("speed=N/A\n")); got != 0 {
		t.Errorf("lastSpeed(N/A) = %v", got)
	}
}
