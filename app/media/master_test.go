package media

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteMasterGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.m3u8")
	// An older file is replaced whole.
	writeFile(t, path, []byte("stale"))
	variants := []Variant{
		{URI: "360p.m3u8", Bandwidth: 1_100_000, AverageBandwidth: 800_000, Width: 640, Height: 360, FrameRate: 30, Codecs: "avc1.64001e,mp4a.40.2"},
		{URI: "1080p.m3u8", Bandwidth: 6_500_000, AverageBandwidth: 4_100_000, Width: 1920, Height: 1080, FrameRate: 30000.0 / 1001, Codecs: "avc1.640028,mp4a.40.2"},
		{URI: "720p.m3u8", Bandwidth: 3_200_000, AverageBandwidth: 2_000_000, Width: 1280, Height: 720, FrameRate: 30, Codecs: "avc1.64001f,mp4a.40.2"},
		{URI: "audio.m3u8", Bandwidth: 140_000, AverageBandwidth: 130_000, Width: 1280, Height: 720, FrameRate: 2, Codecs: "avc1.64001f,mp4a.40.2"},
	}
	if err := WriteMaster(path, variants, nil); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "master.m3u8.golden")
	if *updateGolden {
		writeFile(t, golden, got)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("master playlist:\n%s\nwant:\n%s", got, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %d entries", len(entries))
	}
	if variants[0].URI != "360p.m3u8" {
		t.Error("WriteMaster reordered the caller's slice")
	}
}

func TestWriteMasterRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.m3u8")
	if err := WriteMaster(path, nil, nil); err == nil {
		t.Error("empty variant list accepted")
	}
	if err := WriteMaster(path, []Variant{{URI: "a\n#EXT-X-ENDLIST", Bandwidth: 1}}, nil); err == nil {
		t.Error("URI with a newline accepted")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a rejected master playlist was written")
	}
}

// The shared audio is an EXT-X-MEDIA group that every variant names, its
// bandwidth and codecs counted in each.
func TestWriteMasterAudioGroup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.m3u8")
	variants := []Variant{
		{URI: "360.m3u8", Bandwidth: 1_000_000, AverageBandwidth: 800_000, Width: 640, Height: 360, FrameRate: 30, Codecs: "avc1.64001e"},
		{URI: "720.m3u8", Bandwidth: 3_000_000, AverageBandwidth: 2_000_000, Width: 1280, Height: 720, FrameRate: 30, Codecs: "avc1.64001f"},
	}
	audio := &Variant{URI: "0.m3u8", Bandwidth: 130_000, AverageBandwidth: 128_000, Codecs: "mp4a.40.2"}
	if err := WriteMaster(path, variants, audio); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,URI="0.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=3130000,AVERAGE-BANDWIDTH=2128000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000,AUDIO="audio"
720.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1130000,AVERAGE-BANDWIDTH=928000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000,AUDIO="audio"
360.m3u8
`
	if string(got) != want {
		t.Errorf("master playlist:\n%s\nwant:\n%s", got, want)
	}
}
