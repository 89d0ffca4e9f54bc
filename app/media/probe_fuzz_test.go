package media

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// checkInfo holds what the planner relies on from any ffprobe answer: no
// negative sizes, rates or durations, finite numbers, a quarter-turn
// rotation. ffprobe reports what the file claims, and an upload is
// whatever its sender made it.
func checkInfo(t *testing.T, info *Info) {
	t.Helper()
	if info.Duration < 0 || info.Size < 0 || info.BitRate < 0 {
		t.Fatalf("negative duration/size/bitrate: %+v", info)
	}
	if v := info.Video; v != nil {
		finite := !math.IsNaN(v.FPS) && !math.IsInf(v.FPS, 0) && !math.IsNaN(v.SAR) && !math.IsInf(v.SAR, 0)
		if !finite || v.FPS < 0 || v.SAR <= 0 || v.Width < 0 || v.Height < 0 || v.BitRate < 0 {
			t.Fatalf("video stream out of range: %+v", v)
		}
		if v.Rotation%90 != 0 || v.Rotation < 0 || v.Rotation >= 360 {
			t.Fatalf("rotation %d", v.Rotation)
		}
		if w, h := v.DisplaySize(); w < 0 || h < 0 {
			t.Fatalf("display size %dx%d from %+v", w, h, v)
		}
	}
	if a := info.Audio; a != nil && (a.Channels < 0 || a.SampleRate < 0 || a.BitRate < 0) {
		t.Fatalf("audio stream out of range: %+v", a)
	}
}

// parseProbe decodes ffprobe's JSON as ffprobeJSON does, then reads it.
func parseProbe(raw []byte) (*Info, error) {
	var p probeOutput
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	return p.info()
}

// The seeds are ffprobe's real answers for the clips the tests make
// (testdata/ffprobe), plus the hostile values a crafted file can claim.
func FuzzProbeJSON(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/ffprobe/*.json")
	for _, s := range seeds {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range hostileProbes {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		info, err := parseProbe(raw)
		if err != nil {
			return
		}
		checkInfo(t, info)
	})
}

var hostileProbes = []string{
	`{"streams":[{"codec_type":"video","codec_name":"h264","width":640,"height":360,"avg_frame_rate":"-30/1","sample_aspect_ratio":"-1:1","bit_rate":"-5"}],"format":{"duration":"-3","size":"-1","bit_rate":"-9"}}`,
	`{"streams":[{"codec_type":"video","width":640,"height":360,"avg_frame_rate":"Inf","sample_aspect_ratio":"NaN:1"}],"format":{"duration":"1e300"}}`,
	`{"streams":[{"codec_type":"video","width":640,"height":360,"avg_frame_rate":"1e308/1e-308","side_data_list":[{"rotation":1e300}]}],"format":{}}`,
	`{"streams":[{"codec_type":"video","width":640,"height":360,"r_frame_rate":"NaN","avg_frame_rate":"0/0","tags":{"rotate":"-9223372036854775808"}}],"format":{}}`,
	`{"streams":[{"codec_type":"audio","channels":-2,"sample_rate":"-44100","bit_rate":"-1"}],"format":{"duration":"NaN"}}`,
}

// The values above, each one found or feared, parse into sane numbers.
func TestProbeHostileValues(t *testing.T) {
	for _, s := range hostileProbes {
		info, err := parseProbe([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		checkInfo(t, info)
	}
	// A real answer still reads as before.
	raw, err := os.ReadFile("testdata/ffprobe/rotated.json")
	if err != nil {
		t.Fatal(err)
	}
	info, err := parseProbe(raw)
	if err != nil || info.Video == nil || info.Video.Rotation%180 != 90 || info.Video.Width != 640 || info.Video.FPS < 29.9 {
		t.Fatalf("rotated.json = %+v, %v", info, err)
	}
	if w, h := info.Video.DisplaySize(); w != 360 || h != 640 {
		t.Errorf("rotated display size %dx%d, want 360x640", w, h)
	}
}
