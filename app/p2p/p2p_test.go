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

// TestInfoHashesMatchVendoredLoader runs the vendored p2p-media-loader core
// in node (testdata/announce.mjs) and compares the info hashes it announces
// with InfoHash's, for a video with three levels and a shared audio
// rendition: a tracker that knew other hashes would refuse every player.
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
	streams := []string{"main-0", "main-1", "main-2", "secondary-0"}
	out, err := exec.CommandContext(ctx, node, append([]string{"testdata/announce.mjs", core, swarm}, streams...)...).Output()
	if err != nil {
		t.Fatalf("node announce.mjs: %v\n%s", err, out)
	}
	var announced []string
	if err := json.Unmarshal(out, &announced); err != nil {
		t.Fatalf("node's answer %q: %v", out, err)
	}
	var want []string
	for _, s := range []struct {
		typ string
		i   int
	}{{Main, 0}, {Main, 1}, {Main, 2}, {Secondary, 0}} {
		want = append(want, InfoHash(StreamSwarm(swarm, s.typ, s.i)))
	}
	slices.Sort(announced)
	got := slices.Clone(want)
	slices.Sort(got)
	if !slices.Equal(announced, got) {
		t.Fatalf("the loader announces %q, InfoHash gives %q", announced, got)
	}
	// The API's hex list names the same swarms, main streams first.
	hexes := InfoHashes(swarm, 3, 1)
	for i, h := range want {
		if hexes[i] != HexInfoHash(h) || len(hexes[i]) != 40 {
			t.Errorf("InfoHashes[%d] = %q, want hex of %q", i, hexes[i], h)
		}
	}
}

// A fixed value, so that a change of algorithm shows without node: the
// SHA-1 of "v2-http://x/m.m3u8-main-0", first 15 bytes, base64.
func TestInfoHashGolden(t *testing.T) {
	if got := InfoHash(StreamSwarm("http://x/m.m3u8", Main, 0)); got != "6UeQQR9+blCL2YfTty4c" {
		t.Errorf("InfoHash = %q", got)
	}
	if got := InfoHash(StreamSwarm("http://x/m.m3u8", Secondary, 0)); got != "3IukldvxIdNiSsYpvxiL" {
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

func TestStreams(t *testing.T) {
	audio := func(r model.Rendition) bool { return r.Height == 0 }
	m, s := Streams([]model.Rendition{{Name: "720", Height: 720}, {Name: "360", Height: 360}, {Name: "0"}}, audio)
	if m != 2 || s != 1 {
		t.Errorf("Streams = %d, %d; want 2, 1", m, s)
	}
	m, s = Streams([]model.Rendition{{Name: "480", Height: 480}}, audio)
	if m != 1 || s != 0 {
		t.Errorf("Streams = %d, %d; want 1, 0", m, s)
	}
}

func TestSwarms(t *testing.T) {
	sw := NewSwarms(3)
	h := InfoHash(StreamSwarm("http://x/a.m3u8", Main, 0))
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
	sw.Remember("b", InfoHashes("http://x/b.m3u8", 3, 0))
	if _, ok := sw.Video(h); ok {
		t.Error("the oldest hash is still there beyond the bound")
	}
	if uuid, ok := sw.Video(InfoHashes("http://x/b.m3u8", 3, 0)[2]); !ok || uuid != "b" {
		t.Errorf("newest: %q %v", uuid, ok)
	}
}
