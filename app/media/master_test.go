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
		{URI: "360p/index.m3u8", Bandwidth: 1_100_000, AverageBandwidth: 800_000, Width: 640, Height: 360, FrameRate: 30, Codecs: "avc1.64001e,mp4a.40.2"},
		{URI: "1080p/index.m3u8", Bandwidth: 6_500_000, AverageBandwidth: 4_100_000, Width: 1920, Height: 1080, FrameRate: 30000.0 / 1001, Codecs: "avc1.640028,mp4a.40.2"},
		{URI: "720p/index.m3u8", Bandwidth: 3_200_000, AverageBandwidth: 2_000_000, Width: 1280, Height: 720, FrameRate: 30, Codecs: "avc1.64001f,mp4a.40.2"},
		{URI: "audio/index.m3u8", Bandwidth: 140_000, AverageBandwidth: 130_000, Width: 1280, Height: 720, FrameRate: 2, Codecs: "avc1.64001f,mp4a.40.2"},
	}
	if err := WriteMaster(path, variants); err != nil {
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
	if variants[0].URI != "360p/index.m3u8" {
		t.Error("WriteMaster reordered the caller's slice")
	}
}

func TestWriteMasterRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.m3u8")
	if err := WriteMaster(path, nil); err == nil {
		t.Error("empty variant list accepted")
	}
	if err := WriteMaster(path, []Variant{{URI: "a\n#EXT-X-ENDLIST", Bandwidth: 1}}); err == nil {
		t.Error("URI with a newline accepted")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a rejected master playlist was written")
	}
}
