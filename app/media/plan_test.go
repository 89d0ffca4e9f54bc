package media

import (
	"fmt"
	"strings"
	"testing"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// summary renders a plan on one line so table cases read like the decision.
func summary(p Plan) string {
	var parts []string
	if p.AudioOnly {
		parts = append(parts, "audio-only")
	}
	if c := p.Copy; c != nil {
		a := "enc"
		if p.CopyAudio {
			a = "copy"
		}
		parts = append(parts, fmt.Sprintf("copy %s %dx%d audio=%s", c.Name, c.Width, c.Height, a))
	}
	for _, r := range p.Encode {
		parts = append(parts, fmt.Sprintf("%s %dx%d@%s %d", r.Name, r.Width, r.Height, fmtFPS(r.FPS), r.MaxRate))
	}
	return strings.Join(parts, " | ")
}

func fmtFPS(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}

func h264(w, h int, fps float64, bitrate int64) *Info {
	return &Info{
		BitRate: bitrate + 128_000,
		Video:   &VideoStream{Codec: "h264", Profile: "High", PixFmt: "yuv420p", Width: w, Height: h, FPS: fps, BitRate: bitrate, SAR: 1},
		Audio:   &AudioStream{Codec: "aac", Profile: "LC", Channels: 2, SampleRate: 48000, BitRate: 128_000},
	}
}

func with(info *Info, f func(*Info)) *Info { f(info); return info }

func TestPlanFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		info *Info
		pol  transcoding.Profile
		want string
	}{
		{"1080p H.264 at 4 Mb/s is copied, lower rungs encoded", h264(1920, 1080, 30, 4_000_000), transcoding.Profile{},
			"copy 1080p 1920x1080 audio=copy | 720p 1280x720@30 3041280 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"too fat to copy (above PeerTube's max bits per pixel)", h264(1920, 1080, 30, 12_000_000), transcoding.Profile{},
			"1080p 1920x1080@30 6220800 | 720p 1280x720@30 3041280 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"thin source caps the rungs at its bitrate + 30%", h264(1920, 1080, 30, 1_000_000), transcoding.Profile{},
			"copy 1080p 1920x1080 audio=copy | 720p 1280x720@30 1300000 | 480p 854x480@30 1300000 | 360p 640x360@30 1036800"},
		{"NoCopy encodes the source size too", h264(1920, 1080, 30, 4_000_000), transcoding.Profile{Copy: transcoding.CopyNever},
			"1080p 1920x1080@30 5200000 | 720p 1280x720@30 3041280 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"4K above 20 Mb/s keeps its own top rung", h264(3840, 2160, 30, 30_000_000), transcoding.Profile{},
			"2160p 3840x2160@30 19906560 | 1080p 1920x1080@30 6220800 | 720p 1280x720@30 3041280 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"4K on a board capped at 1080", h264(3840, 2160, 30, 30_000_000), transcoding.Profile{MaxHeight: 1080},
			"1080p 1920x1080@30 6220800 | 720p 1280x720@30 3041280 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"VP9 720p: encode, nothing above the source", with(h264(1280, 720, 30, 2_000_000), func(i *Info) { i.Video.Codec = "vp9" }), transcoding.Profile{},
			"720p 1280x720@30 2600000 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"portrait phone video: short side names the rung", with(h264(1080, 1920, 30, 20_000_000), func(i *Info) { i.Video.Codec = "hevc" }), transcoding.Profile{},
			"1080p 1080x1920@30 6220800 | 720p 720x1280@30 3041280 | 480p 480x854@30 1475712 | 360p 360x640@30 1036800"},
		{"rotated phone video is never copied (MSE ignores the matrix)", with(h264(1920, 1080, 30, 4_000_000), func(i *Info) { i.Video.Rotation = 90 }), transcoding.Profile{},
			"1080p 1080x1920@30 5200000 | 720p 720x1280@30 3041280 | 480p 480x854@30 1475712 | 360p 360x640@30 1036800"},
		{"odd size: even top rung, no near-duplicate 360p", with(h264(641, 361, 30, 900_000), func(i *Info) { i.Video.Codec = "mpeg4" }), transcoding.Profile{},
			"360p 640x360@30 1036800"},
		{"1088-line camera: 1080p too close to be worth a rung", with(h264(1920, 1088, 30, 5_000_000), func(i *Info) { i.Video.PixFmt = "yuvj420p" }), transcoding.Profile{},
			"1088p 1920x1088@30 6266880 | 720p 1270x720@30 3017520 | 480p 848x480@30 1465344 | 360p 636x360@30 1030320"},
		{"60 fps: low rungs halve to 30, 720p and up keep 60", h264(1920, 1080, 60, 25_000_000), transcoding.Profile{},
			"1080p 1920x1080@60 12441600 | 720p 1280x720@60 6082560 | 480p 854x480@30 1475712 | 360p 640x360@30 1036800"},
		{"59.94 fps halves to 29.97, not PeerTube's 25", h264(1280, 720, 60000.0/1001, 12_000_000), transcoding.Profile{},
			"720p 1280x720@59.94 6076483 | 480p 854x480@29.97 1474237 | 360p 640x360@29.97 1035764"},
		{"120 fps is brought to 60", with(h264(1280, 720, 120, 9_000_000), func(i *Info) { i.Video.Codec = "vp9" }), transcoding.Profile{Heights: []int{720}},
			"720p 1280x720@60 6082560"},
		{"10-bit H.264 is encoded", with(h264(1280, 720, 30, 2_000_000), func(i *Info) { i.Video.PixFmt = "yuv420p10le"; i.Video.Profile = "High 10" }), transcoding.Profile{Heights: []int{720, 360}},
			"720p 1280x720@30 2600000 | 360p 640x360@30 1036800"},
		{"unknown bitrate is not copied", with(h264(1280, 720, 30, 0), func(i *Info) { i.BitRate = 0 }), transcoding.Profile{Heights: []int{720}},
			"720p 1280x720@30 3041280"},
		{"opus audio is encoded beside a copied video", with(h264(1280, 720, 30, 2_000_000), func(i *Info) { i.Audio.Codec = "opus" }), transcoding.Profile{Heights: []int{720, 360}},
			"copy 720p 1280x720 audio=enc | 360p 640x360@30 1036800"},
		{"5.1 AAC is encoded (stereo)", with(h264(1280, 720, 30, 2_000_000), func(i *Info) { i.Audio.Channels = 6 }), transcoding.Profile{Heights: []int{720, 360}},
			"copy 720p 1280x720 audio=enc | 360p 640x360@30 1036800"},
		{"MaxRenditions counts the copy and keeps the tallest", h264(1920, 1080, 30, 4_000_000), transcoding.Profile{MaxRenditions: 2},
			"copy 1080p 1920x1080 audio=copy | 720p 1280x720@30 3041280"},
		{"MaxBitrate caps every encoded rung", h264(1920, 1080, 30, 12_000_000), transcoding.Profile{MaxBitrate: 2_000_000, Heights: []int{1080, 360}},
			"1080p 1920x1080@30 2000000 | 360p 640x360@30 1036800"},
		{"a board that prefers copying copies a fat phone video", h264(1920, 1080, 30, 16_000_000), transcoding.Profile{Copy: transcoding.CopyPrefer, Heights: []int{720, 360}, MaxHeight: 720},
			"copy 1080p 1920x1080 audio=copy | 720p 1280x720@30 3041280 | 360p 640x360@30 1036800"},
		{"prefer-copy still stops at 20 Mb/s, and the cap holds the encoded top rung", h264(1920, 1080, 30, 25_000_000), transcoding.Profile{Copy: transcoding.CopyPrefer, Heights: []int{720, 360}, MaxHeight: 720},
			"720p 1280x720@30 3041280 | 360p 640x360@30 1036800"},
		{"VP9 1080p on a 720p board: no 1080p rung", with(h264(1920, 1080, 30, 4_000_000), func(i *Info) { i.Video.Codec = "vp9" }), transcoding.Profile{Heights: []int{720, 360}, MaxHeight: 720},
			"720p 1280x720@30 3041280 | 360p 640x360@30 1036800"},
		{"a source below the cap keeps its own odd size as top rung", with(h264(1280, 544, 24, 1_500_000), func(i *Info) { i.Video.Codec = "vp9" }), transcoding.Profile{Heights: []int{720, 360}, MaxHeight: 720},
			"544p 1280x544@24 1950000 | 360p 848x360@24 1099008"},
		{"audio only", &Info{Audio: &AudioStream{Codec: "mp3", Channels: 2, BitRate: 128_000}}, transcoding.Profile{}, "audio-only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summary(PlanFor(tc.info, tc.pol)); got != tc.want {
				t.Errorf("\n got  %s\n want %s", got, tc.want)
			}
		})
	}
}

func TestPlanForRenditionFields(t *testing.T) {
	info := with(h264(1920, 1080, 30, 12_000_000), func(i *Info) { i.Audio.BitRate = 96_000 })
	p := PlanFor(info, transcoding.Profile{})
	for _, r := range p.Encode {
		if r.Width%2 != 0 || r.Height%2 != 0 {
			t.Errorf("%s: odd size %dx%d", r.Name, r.Width, r.Height)
		}
		if r.VideoBitrate != r.MaxRate || r.BufSize != 2*r.MaxRate {
			t.Errorf("%s: bitrate %d maxrate %d bufsize %d, want PeerTube's maxrate=target, bufsize=2×", r.Name, r.VideoBitrate, r.MaxRate, r.BufSize)
		}
		if r.AudioBitrate != 96_000 {
			t.Errorf("%s: audio bitrate %d, want the source's 96000 (never more)", r.Name, r.AudioBitrate)
		}
	}
	runs := Runs(transcoding.Profile{}, "/in.mp4", info, p.Encode)
	if len(runs) != 1 {
		t.Fatalf("%d runs, want the whole ladder in one process", len(runs))
	}
	l := runs[0].Ladder
	if !l.HasAudio || l.Input != "/in.mp4" || len(l.Renditions) != 4 || l.SegmentSeconds != 4 || l.Threads != 0 || l.Device != "" {
		t.Errorf("ladder = %+v", l)
	}
	if runs[0].Encoder != (hardware.Libx264{}) {
		t.Errorf("encoder %v, want libx264 for the zero profile", runs[0].Encoder)
	}
}

func TestRunsGroupsAndKnobs(t *testing.T) {
	info := h264(1920, 1080, 30, 12_000_000)
	rs := PlanFor(info, transcoding.Profile{}).Encode // 1080, 720, 480, 360
	vaapi := transcoding.Profile{Encoder: hardware.VAAPI{}, Device: "/dev/dri/renderD129", Threads: 3, MaxPerProcess: 3}
	runs := Runs(vaapi, "/in.mp4", info, rs)
	if len(runs) != 2 || len(runs[0].Ladder.Renditions) != 3 || runs[1].Ladder.Renditions[0].Name != "360p" {
		t.Fatalf("runs %+v, want 3 + 1 renditions, tallest first", runs)
	}
	for _, r := range runs {
		if r.Ladder.Device != "/dev/dri/renderD129" || r.Ladder.Threads != 3 || r.Encoder != (hardware.VAAPI{}) {
			t.Errorf("run %+v lost the device, threads or encoder", r.Ladder)
		}
	}
	// Groups must not alias: appending to one cannot overwrite the next.
	runs[0].Ladder.Renditions = append(runs[0].Ladder.Renditions, hardware.Rendition{Name: "x"})
	if runs[1].Ladder.Renditions[0].Name != "360p" {
		t.Fatal("runs share a backing array")
	}
	// A software profile never passes a device.
	sw := transcoding.Profile{Device: "/dev/dri/renderD128", MaxPerProcess: 1}
	runs = Runs(sw, "/in.mp4", info, rs)
	if len(runs) != 4 || runs[0].Ladder.Device != "" {
		t.Errorf("software runs %+v, want 4 processes without a device", runs)
	}
	if Runs(vaapi, "/in.mp4", info, nil) != nil {
		t.Error("runs for nothing to encode")
	}
}
