package hardware

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hwBackends are the hardware encoders under golden test, by file prefix.
var hwBackends = map[string]Encoder{
	"v4l2m2m":  V4L2M2M{},
	"vaapi":    VAAPI{},
	"vaapi_lp": VAAPI{LowPower: true},
	"qsv":      QSV{},
	"nvenc":    NVENC{},
}

// ladder480 is a 480p 29.97 fps source without audio, on a second GPU, with
// a decoder thread cap: the other branches of the argument builders.
func ladder480() Ladder {
	return Ladder{
		Input:     "/data/media/v/original.webm",
		OutputDir: "/data/media/v/hls/.partial-2",
		Threads:   2,
		Device:    "/dev/dri/renderD129",
		Renditions: []Rendition{
			{Name: "480p", Width: 854, Height: 480, FPS: 30000.0 / 1001, VideoBitrate: 1474238, MaxRate: 1474238, BufSize: 2948476, AudioBitrate: 96000},
			{Name: "360p", Width: 640, Height: 360, FPS: 30000.0 / 1001, VideoBitrate: 1035764, MaxRate: 1035764, BufSize: 2071528, AudioBitrate: 96000},
		},
	}
}

func TestHardwareGolden(t *testing.T) {
	for name, enc := range hwBackends {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, name+"_1080p.txt", enc.Args(ladder1080()))
			l := ladder480()
			if name == "nvenc" {
				l.Device = "/dev/nvidia1"
			}
			checkGolden(t, name+"_480p.txt", enc.Args(l))
		})
	}
}

// What playback and the hardware depend on, asserted directly so that a
// careless -update cannot bless a broken command line.
func TestHardwareArgsInvariants(t *testing.T) {
	wantFilters := map[string][]string{
		"v4l2m2m":  {"scale=1280:720,setsar=1,format=yuv420p"},
		"vaapi":    {"format=nv12,hwupload,split=4", "scale_vaapi=w=1280:h=720"},
		"vaapi_lp": {"format=nv12,hwupload,split=4", "scale_vaapi=w=1280:h=720"},
		"qsv":      {"format=nv12,hwupload=extra_hw_frames=64,split=4", "scale_qsv=w=1280:h=720"},
		"nvenc":    {"format=yuv420p,hwupload,split=4", "scale_cuda=w=1280:h=720"},
	}
	for name, enc := range hwBackends {
		t.Run(name, func(t *testing.T) {
			l := ladder1080()
			args := enc.Args(l)
			joined := " " + strings.Join(args, " ") + " "
			if n := strings.Count(joined, " -i "); n != 1 {
				t.Errorf("want one input (decode once), got %d", n)
			}
			if n := strings.Count(joined, " -filter_complex "); n != 1 {
				t.Errorf("want one filter graph, got %d", n)
			}
			for _, f := range wantFilters[name] {
				if !strings.Contains(joined, f) {
					t.Errorf("filter graph lacks %q: %s", f, joined)
				}
			}
			for _, want := range []string{" -c:v " + enc.Name() + " ", " -g 60 ", " -force_key_frames expr:gte(t,n_forced*2) "} {
				if n := strings.Count(joined, want); n != len(l.Renditions) {
					t.Errorf("%q appears %d times, want once per rendition", want, n)
				}
			}
			// The audio is encoded once, into its own output.
			if n := strings.Count(joined, " -c:a aac "); n != 1 {
				t.Errorf("audio encoded %d times, want once", n)
			}
			if n := strings.Count(joined, " -hls_segment_type fmp4 "); n != len(l.Renditions)+1 {
				t.Errorf("%d HLS outputs, want one per rendition and the audio", n)
			}
			for _, r := range l.Renditions {
				if playlist := filepath.Join(l.OutputDir, MediaPlaylistName(r.Name)); !strings.Contains(joined, " "+playlist+" ") {
					t.Errorf("no output %s", playlist)
				}
			}
			// The device opens before the input is read.
			if dev := strings.Index(joined, "-init_hw_device"); enc.Name() != "h264_v4l2m2m" && (dev < 0 || dev > strings.Index(joined, " -i ")) {
				t.Errorf("device setup missing or after the input: %s", joined)
			}
			l.HasAudio = false
			if s := strings.Join(enc.Args(l), " "); strings.Contains(s, "0:a") || strings.Contains(s, "-c:a") {
				t.Errorf("audio flags without audio: %s", s)
			}
		})
	}
}

func TestHardwareDeviceChoice(t *testing.T) {
	l := ladder480()
	for _, enc := range []Encoder{VAAPI{}, QSV{}} {
		if s := strings.Join(enc.Args(l), " "); !strings.Contains(s, "vaapi=va:/dev/dri/renderD129") {
			t.Errorf("%s ignores Ladder.Device: %s", enc.Name(), s)
		}
	}
	l.Device = "/dev/nvidia1"
	if s := strings.Join(NVENC{}.Args(l), " "); !strings.Contains(s, "-init_hw_device cuda=cu:1 ") {
		t.Errorf("nvenc ignores Ladder.Device: %s", s)
	}
	l.Device = ""
	if s := strings.Join(VAAPI{}.Args(l), " "); !strings.Contains(s, "vaapi=va:/dev/dri/renderD128") {
		t.Errorf("vaapi default device: %s", s)
	}
}

// The Pi 4 encoder takes at most 20 Mb/s and 1080p.
func TestV4L2M2MLimits(t *testing.T) {
	e := V4L2M2M{}
	if e.MaxHeight() != 1080 || e.MaxBitrate() != 20_000_000 {
		t.Fatalf("limits = %d, %d", e.MaxHeight(), e.MaxBitrate())
	}
	l := ladder1080()
	l.Renditions = l.Renditions[:1]
	l.Renditions[0].VideoBitrate = 30_000_000
	s := " " + strings.Join(e.Args(l), " ") + " "
	if !strings.Contains(s, " -b:v 20000000 ") || strings.Contains(s, "30000000") {
		t.Errorf("bitrate not capped at 20 Mb/s: %s", s)
	}
	if strings.Contains(s, "split") {
		t.Errorf("one rendition needs no split: %s", s)
	}
	for _, bad := range []string{"-maxrate", "-bf ", "-profile:v high"} {
		if strings.Contains(s, bad) {
			t.Errorf("%q is ignored or rejected by h264_v4l2m2m: %s", bad, s)
		}
	}
}

// Real ffmpeg gets through option parsing and the filter graph and stops
// only where this machine lacks the Pi's encoder. A flag h264_v4l2m2m
// cannot parse ("-profile:v high") fails before the device search, so the
// error says which.
func TestV4L2M2MArgsReachTheDevice(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.mp4")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gen := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=0.5",
		"-c:v", "libx264", "-preset", "ultrafast", src)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, out)
	}
	l := Ladder{Input: src, OutputDir: dir, Renditions: []Rendition{
		{Name: "240p", Width: 320, Height: 240, FPS: 30, VideoBitrate: 500_000, MaxRate: 500_000, BufSize: 1_000_000},
		{Name: "120p", Width: 160, Height: 120, FPS: 15, VideoBitrate: 200_000, MaxRate: 200_000, BufSize: 400_000},
	}}
	out, err := exec.CommandContext(ctx, "ffmpeg", append([]string{"-hide_banner", "-nostdin", "-y"}, V4L2M2M{}.Args(l)...)...).CombinedOutput()
	if err == nil {
		// A machine with the encoder (a Pi 4) runs the ladder through.
		for _, r := range l.Renditions {
			if _, statErr := os.Stat(filepath.Join(dir, MediaPlaylistName(r.Name))); statErr != nil {
				t.Errorf("ffmpeg succeeded but wrote no playlist: %v", statErr)
			}
		}
		return
	}
	if !strings.Contains(string(out), "Could not find a valid device") {
		t.Fatalf("ffmpeg stopped before the device search:\n%s", out)
	}
}

// The trial runs the backend's own device, upload, scale and encoder flags
// on one second of 720p test pattern, into the null muxer.
func TestTrialArgs(t *testing.T) {
	tests := map[Encoder]string{
		VAAPI{}: "-hide_banner -nostdin -loglevel error -init_hw_device vaapi=va:/dev/dri/renderD128 -filter_hw_device va " +
			"-f lavfi -i testsrc2=size=1280x720:rate=30:duration=1 " +
			"-filter_complex [0:v:0]format=nv12,hwupload,fps=30,scale_vaapi=w=640:h=360[v0] " +
			"-map [v0] -c:v h264_vaapi -rc_mode VBR -b:v 1000000 -maxrate 1000000 -bufsize 2000000 -profile:v high " +
			"-g 60 -force_key_frames expr:gte(t,n_forced*2) -f null -",
		V4L2M2M{}: "-hide_banner -nostdin -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=30:duration=1 " +
			"-filter_complex [0:v:0]fps=30,scale=640:360,setsar=1,format=yuv420p[v0] " +
			"-map [v0] -c:v h264_v4l2m2m -pix_fmt yuv420p -b:v 1000000 -profile:v 100 " +
			"-g 60 -force_key_frames expr:gte(t,n_forced*2) -f null -",
	}
	for enc, want := range tests {
		args, err := TrialArgs(enc, "/dev/dri/renderD128")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(args, " "); got != want {
			t.Errorf("%s trial:\n got %s\nwant %s", enc.Name(), got, want)
		}
	}
}
