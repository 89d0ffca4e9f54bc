package p2p

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

// A master playlist as app/media writes it: two levels sharing one audio
// rendition.
const testMaster = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,URI="0.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2200000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="audio"
720.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=845479,AVERAGE-BANDWIDTH=819004,CODECS="avc1.42c00d,mp4a.40.2",RESOLUTION=320x240,FRAME-RATE=25.000,AUDIO="audio"
240.m3u8
`

// TestStreamIDsAsTheBrowserNamesThem: the ids the vendored player gave
// this 240p level and its audio in Chromium (hls.js 1.7.4 and
// p2p-media-loader 2.3.1, read from the loader's debug log while a real
// Cabane served them), for a master playlist Cabane wrote.
func TestStreamIDsAsTheBrowserNamesThem(t *testing.T) {
	got := StreamIDs([]byte(testMaster))
	want := []Stream{{Main, ""}, {Main, "EurHPv2aCyHtxVDKrSDq99rs7xc="}, {Secondary, "PPJsyrzHCesXwXHG+Jqbz2KcdE4="}}
	if len(got) != 3 || got[1] != want[1] || got[2] != want[2] || got[0].Type != Main {
		t.Fatalf("StreamIDs = %+v, want %+v (the 720p id unchecked)", got, want)
	}
	if StreamID(StreamProps{Codecs: "avc1.66.30"}) != StreamID(StreamProps{Codecs: "avc1.42001e"}) {
		t.Error("a decimal avc1 codec is not normalised")
	}
}

// TestInfoHashesMatchVendoredLoader runs the vendored p2p-media-loader core
// in node (testdata/announce.mjs): the stream ids it makes of the
// attributes StreamIDs read, and the info hashes it announces for them,
// must be InfoHashes': a tracker that knew other hashes would refuse
// every player.
func TestInfoHashesMatchVendoredLoader(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (apt-get install nodejs): cannot run the vendored loader")
	}
	core, err := filepath.Abs("../../assets/static/vendor/p2p-media-loader/p2p-media-loader-core.js")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	swarm := "https://video.example/static/streaming-playlists/hls/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9/master.m3u8"
	type spec struct {
		Type  string      `json:"type"`
		Props StreamProps `json:"props"`
	}
	specs := []spec{
		{Main, StreamProps{Bitrate: 2500000, Codecs: "avc1.64001f", Width: 1280, Height: 720, FrameRate: "29.970"}},
		{Main, StreamProps{Bitrate: 845479, Codecs: "avc1.42c00d", Width: 320, Height: 240, FrameRate: "25.000"}},
		{Secondary, StreamProps{Codecs: "mp4a.40.2", Name: "Audio"}},
	}
	arg, _ := json.Marshal(specs)
	out, err := exec.CommandContext(ctx, node, "testdata/announce.mjs", core, swarm, string(arg)).Output()
	if err != nil {
		t.Fatalf("node announce.mjs: %v\n%s", err, out)
	}
	var js struct{ IDs, Hashes []string }
	if err := json.Unmarshal(out, &js); err != nil {
		t.Fatalf("node's answer %q: %v", out, err)
	}
	streams := StreamIDs([]byte(testMaster))
	var ids, hashes []string
	for _, st := range streams {
		ids = append(ids, st.ID)
		hashes = append(hashes, InfoHash(StreamSwarm(swarm, st.Type, st.ID)))
	}
	if !slices.Equal(js.IDs, ids) {
		t.Errorf("the loader names the streams %q, StreamIDs %q", js.IDs, ids)
	}
	if !slices.Equal(js.Hashes, hashes) {
		t.Errorf("the loader announces %q, InfoHash gives %q", js.Hashes, hashes)
	}
	// The API's hex list names the same swarms, in the same order.
	hexes := InfoHashes(swarm, []byte(testMaster))
	for i, h := range hashes {
		if hexes[i] != HexInfoHash(h) || len(hexes[i]) != 40 {
			t.Errorf("InfoHashes[%d] = %q, want hex of %q", i, hexes[i], h)
		}
	}
}

// A fixed value, so that a change of algorithm shows without node: the
// SHA-1 of "v2-http://x/m.m3u8-main-0", first 15 bytes, base64.
func TestInfoHashGolden(t *testing.T) {
	if got := InfoHash(StreamSwarm("http://x/m.m3u8", Main, "0")); got != "6UeQQR9+blCL2YfTty4c" {
		t.Errorf("InfoHash = %q", got)
	}
	if got := InfoHash(StreamSwarm("http://x/m.m3u8", Secondary, "0")); got != "3IukldvxIdNiSsYpvxiL" {
		t.Errorf("InfoHash secondary = %q", got)
	}
}

func TestEnabled(t *testing.T) {
	local := model.Channel{AccountID: 1}
	remote := model.Channel{AccountID: 2, RemoteActorID: 9}
	for _, c := range []struct {
		privacy int
		ch      model.Channel
		on      bool
		want    bool
	}{
		{model.PrivacyPublic, local, true, true},
		{model.PrivacyUnlisted, local, true, true},
		{model.PrivacyPublic, local, false, false}, // the admin turned P2P off
		{model.PrivacyPrivate, local, true, false},
		{model.PrivacyInternal, local, true, false},
		{model.PrivacyPassword, local, true, false},
		{model.PrivacyLocal, local, true, false},
		{model.PrivacySupporters, local, true, false},
		{model.PrivacyPublic, remote, true, false},
		{99, local, true, false},
	} {
		v := model.Video{Privacy: c.privacy, Channel: c.ch}
		if got := Enabled(v, c.on); got != c.want {
			t.Errorf("privacy %d remote %v on %v: %v, want %v", c.privacy, c.ch.Remote(), c.on, got, c.want)
		}
	}
}

func TestSwarms(t *testing.T) {
	sw := NewSwarms(3)
	h := InfoHash(StreamSwarm("http://x/a.m3u8", Main, "0"))
	sw.Remember("a", []string{HexInfoHash(h)})
	if uuid, ok := sw.Video(h); !ok || uuid != "a" {
		t.Fatalf("by 20 bytes: %q %v", uuid, ok)
	}
	if uuid, ok := sw.Video(HexInfoHash(h)); !ok || uuid != "a" {
		t.Fatalf("by hex: %q %v", uuid, ok)
	}
	for _, bad := range []string{"", "short", "zz" + HexInfoHash(h)[2:]} {
		if _, ok := sw.Video(bad); ok {
			t.Errorf("%q found", bad)
		}
	}
	b := InfoHashes("http://x/b.m3u8", []byte(testMaster))
	sw.Remember("b", b)
	if _, ok := sw.Video(h); ok {
		t.Error("the oldest hash is still there beyond the bound")
	}
	if uuid, ok := sw.Video(b[2]); !ok || uuid != "b" {
		t.Errorf("newest: %q %v", uuid, ok)
	}
}

func TestTrackerURL(t *testing.T) {
	for base, want := range map[string]string{
		"https://videos.example.org":  "wss://videos.example.org/tracker/socket",
		"https://videos.example.org/": "wss://videos.example.org/tracker/socket",
		"http://cabane.local:8080":    "ws://cabane.local:8080/tracker/socket",
		"ftp://x.example":             "",
		"":                            "",
	} {
		if got := TrackerURL(base); got != want {
			t.Errorf("TrackerURL(%q) = %q, want %q", base, got, want)
		}
	}
}

// A remote video's viewers announce to the WebSocket trackers its origin
// lists on its own host, else to PeerTube's on that host.
func TestRemoteTrackers(t *testing.T) {
	iri := "https://tube.example/videos/watch/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
	for _, c := range []struct {
		listed, want []string
	}{
		{nil, []string{"wss://tube.example/tracker/socket"}},
		{[]string{"wss://tube.example/tracker/socket"}, []string{"wss://tube.example/tracker/socket"}},
		{[]string{"wss://spy.example/tracker/socket", "https://tube.example/tracker/announce"}, []string{"wss://tube.example/tracker/socket"}},
		{[]string{"ws://TUBE.example/t", "wss://spy.example/t"}, []string{"ws://TUBE.example/t"}},
	} {
		if got := RemoteTrackers(iri, c.listed); !slices.Equal(got, c.want) {
			t.Errorf("RemoteTrackers(%q) = %q, want %q", c.listed, got, c.want)
		}
	}
	if got := RemoteTrackers("http://127.0.0.1:9000/videos/watch/x", nil); !slices.Equal(got, []string{"ws://127.0.0.1:9000/tracker/socket"}) {
		t.Errorf("plain HTTP origin: %q", got)
	}
	pub := model.Video{Privacy: model.PrivacyPublic, Channel: model.Channel{RemoteActorID: 7}}
	unlisted := pub
	unlisted.Privacy = model.PrivacyUnlisted
	local := pub
	local.Channel.RemoteActorID = 0
	if !RemoteEnabled(pub, true) || RemoteEnabled(pub, false) || RemoteEnabled(unlisted, true) || RemoteEnabled(local, true) {
		t.Error("RemoteEnabled: only public remote videos, P2P on")
	}
}
