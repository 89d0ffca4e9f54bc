package remotevideo

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// PeerTube's own Video (captured from PeerTube 7) is read with its HLS
// playlist, files and thumbnail; one whose channel is on another server
// than the Video's id, or that breaks PeerTube's rules, is refused.
func TestReadPeerTubeVideo(t *testing.T) {
	body, err := os.ReadFile("testdata/captured-pt-video-ap.json") // from ../shared/fixtures/activitypub
	if err != nil {
		t.Fatal(err)
	}
	d, err := Read(body)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Public || d.Channel != "http://localhost:9000/video-channels/root_channel" || d.Account != "http://localhost:9000/accounts/root" ||
		!strings.HasSuffix(d.Remote.HLSURL, "-master.m3u8") || len(d.Remote.Renditions) == 0 || d.Remote.Renditions[0].Height != 360 ||
		d.Remote.ThumbnailURL == "" || d.Video.Name != "interop test video" || d.Video.Duration.Seconds() != 4 {
		t.Errorf("read %+v", d)
	}
	// Its swarm, as PeerTube's players join it: the streams' info hashes,
	// the segments' hashes and the WebSocket tracker (not the HTTP one).
	if p := d.Remote.P2P; !slices.Equal(p.InfoHashes, []string{"26d701a7357a96f16b2329864eb93761b7f76998"}) ||
		!strings.HasSuffix(p.SegmentsSha256URL, "-segments-sha256.json") || !slices.Equal(p.Trackers, []string{"ws://localhost:9000/tracker/socket"}) {
		t.Errorf("swarm %+v", p)
	}
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(body, &m)
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	for name, b := range map[string][]byte{
		"channel elsewhere": mutate(func(m map[string]any) {
			m["attributedTo"] = []any{map[string]any{"type": "Group", "id": "https://other.example/video-channels/x"}}
		}),
		"no group": mutate(func(m map[string]any) {
			m["attributedTo"] = []any{map[string]any{"type": "Person", "id": "http://localhost:9000/accounts/root"}}
		}),
		"short name": mutate(func(m map[string]any) { m["name"] = "ab" }),
		"duration":   mutate(func(m map[string]any) { m["duration"] = "4" }),
		"uuid":       mutate(func(m map[string]any) { m["uuid"] = "nope" }),
		"not video":  mutate(func(m map[string]any) { m["type"] = "Note" }),
	} {
		if _, err := Read(b); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if d, err := Read(mutate(func(m map[string]any) {
		m["to"] = []any{}
		m["cc"] = []any{"https://www.w3.org/ns/activitystreams#Public"}
	})); err != nil || d.Public {
		t.Errorf("unlisted read as public: %v %v", d.Public, err)
	}
}
