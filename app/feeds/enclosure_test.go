package feeds

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// A rendition folder as the packager writes it: the assembled file is the
// init segment then each segment in playlist order, and a reader may seek
// anywhere in it.
func TestFragmentedReadsPartsInPlaylistOrder(t *testing.T) {
	dir := t.TempDir()
	r := filepath.Join(dir, "360p")
	os.MkdirAll(r, 0o755)
	files := map[string]string{"init.mp4": "INIT", "seg-00000.m4s": "zero-", "seg-00001.m4s": "one-", "seg-00002.m4s": "two",
		"index.m3u8": "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4.0,\nseg-00000.m4s\n#EXTINF:4.0,\nseg-00001.m4s\n#EXTINF:1.0,\nseg-00002.m4s\n#EXT-X-ENDLIST\n"}
	for n, b := range files {
		os.WriteFile(filepath.Join(r, n), []byte(b), 0o644)
	}
	want := "INITzero-one-two"
	f, err := OpenFragmented(dir, "v", "360p")
	if err != nil || f.Size != int64(len(want)) {
		t.Fatalf("open: %v, size %d", err, f.Size)
	}
	rd := NewReader(f)
	defer rd.Close()
	all, err := io.ReadAll(rd)
	if err != nil || string(all) != want {
		t.Fatalf("read %q, %v", all, err)
	}
	for _, off := range []int64{0, 3, 4, 9, 12, 15} {
		rd.Seek(off, io.SeekStart)
		got, _ := io.ReadAll(io.LimitReader(rd, 5))
		if end := min(off+5, int64(len(want))); !bytes.Equal(got, []byte(want[off:end])) {
			t.Errorf("at %d: %q, want %q", off, got, want[off:end])
		}
	}
	var c sizeCache
	if n, err := c.size(dir, "v", "360p"); err != nil || n != int64(len(want)) {
		t.Errorf("cached size %d, %v", n, err)
	}
	// A playlist still growing, or one naming a path outside its folder,
	// is no file.
	os.WriteFile(filepath.Join(r, "index.m3u8"), []byte("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\nseg-00000.m4s\n"), 0o644)
	if _, err := OpenFragmented(dir, "v", "360p"); err == nil {
		t.Error("an unfinished playlist was assembled")
	}
	os.WriteFile(filepath.Join(r, "index.m3u8"), []byte("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n../../secret\n#EXT-X-ENDLIST\n"), 0o644)
	if _, err := OpenFragmented(dir, "v", "360p"); err == nil {
		t.Error("a playlist naming ../../secret was assembled")
	}
	if _, err := OpenFragmented(dir, "v", "../360p"); err == nil {
		t.Error("a rendition name with a slash was opened")
	}
}

// A rendition in PeerTube's layout is its single file, whatever is left of
// an old folder beside it.
func TestOpenFragmentedSingleFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "v-360-fragmented.mp4"), []byte("the whole file"), 0o644)
	if _, err := OpenFragmented(dir, "v", "360p"); err == nil {
		t.Error("a file without its playlist (not yet published) was served")
	}
	os.WriteFile(filepath.Join(dir, "360.m3u8"), []byte("#EXTM3U\n"), 0o644)
	f, err := OpenFragmented(dir, "v", "360p")
	if err != nil || len(f.Parts) != 1 || f.Size != int64(len("the whole file")) || f.Parts[0].Path != filepath.Join(dir, "v-360-fragmented.mp4") {
		t.Fatalf("open: %+v, %v", f, err)
	}
	var c sizeCache
	if n, err := c.size(dir, "v", "360p"); err != nil || n != f.Size {
		t.Errorf("size %d, %v", n, err)
	}
}

func TestParseDownloadName(t *testing.T) {
	id, h, ok := ParseDownloadName("c2b68d8b-b298-4b97-acda-2bb586d50211-1080-fragmented.mp4")
	if !ok || id != "c2b68d8b-b298-4b97-acda-2bb586d50211" || h != 1080 {
		t.Errorf("got %q %d %v", id, h, ok)
	}
	for _, bad := range []string{"x.mp4", "-360-fragmented.mp4", "abc-x-fragmented.mp4"} {
		if _, _, ok := ParseDownloadName(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The Podcasting 2.0 namespace document's own example.
func TestPodcastGUID(t *testing.T) {
	if g := PodcastGUID("https://mp3s.nashownotes.com/pc20rss.xml"); g != "917393e3-1b1e-5cef-ace4-edaa54e1f810" {
		t.Errorf("guid %s", g)
	}
}
