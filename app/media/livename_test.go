package media

import "testing"

// TestLiveResolution reads back what LiveName writes, and nothing else.
func TestLiveResolution(t *testing.T) {
	const p = "0b6e5f3a-9c1d-4c77-8a0e-2f1f3c4d5e6f"
	if res, ok := LiveResolution(LiveName(p, "720p", "0011223344556677"), p); !ok || res != "720" {
		t.Errorf("LiveName's own name: %q %v", res, ok)
	}
	if res, ok := LiveResolution(LiveName(p, "audio", "0011223344556677"), p); !ok || res != "0" {
		t.Errorf("the audio's live name: %q %v", res, ok)
	}
	for _, name := range []string{
		p + "-720-fragmented.mp4",
		p + "-720-live-00112233445566.mp4",    // short token
		p + "-720-live-001122334455667g.mp4",  // not hex
		p + "-720-live-0011223344556677.m3u8", // not the file
		p + "-7-20-live-0011223344556677.mp4", // not a resolution
		"other-720-live-0011223344556677.mp4", // another video's
		".live-" + p + "-720-live-0011223344556677.mp4",
	} {
		if res, ok := LiveResolution(name, p); ok {
			t.Errorf("%s read as a live name of %q", name, res)
		}
	}
}
