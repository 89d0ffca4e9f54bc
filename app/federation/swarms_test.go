package federation_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
)

// fakeSwarms shares the public video only, as app/web does for a public
// video when the box runs its tracker.
type fakeSwarms struct{ asked *[]string }

func (f fakeSwarms) InfoHashes(_ context.Context, v model.Video, playlistURL string) ([]string, error) {
	*f.asked = append(*f.asked, playlistURL)
	if v.UUID != uuidPublic {
		return nil, nil
	}
	return []string{"26d701a7357a96f16b2329864eb93761b7f76998", "0123456789abcdef0123456789abcdef01234567"}, nil
}

// A video shared peer to peer lists its swarms as PeerTube 7 does (the
// captured Video object): an Infohash tag per stream at the head of the
// HLS entry's tags, and the WebSocket tracker in the url array, of the
// same shape; one that is not shared lists neither.
func TestVideoSwarms(t *testing.T) {
	s, _ := service(t)
	var asked []string
	s.Swarms = fakeSwarms{&asked}
	v, err := s.Video(context.Background(), uuidPublic)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if err := ptcheck.Video(b); err != nil {
		t.Errorf("breaks PeerTube's rules: %v", err)
	}
	hls := v.URL[1]
	if want := "https://videos.example.org/static/streaming-playlists/hls/" + uuidPublic + "/master.m3u8"; !slices.Equal(asked, []string{want}) || hls.Href != want {
		t.Errorf("swarm id asked %q, HLS href %s", asked, hls.Href)
	}

	// PeerTube's own shapes, from the captured object.
	raw, err := os.ReadFile("remotevideo/testdata/captured-pt-video-ap.json") // ../shared/fixtures/activitypub
	if err != nil {
		t.Fatal(err)
	}
	var pt struct {
		URL []map[string]any `json:"url"`
	}
	if err := json.Unmarshal(raw, &pt); err != nil {
		t.Fatal(err)
	}
	var ptInfohash, ptTracker map[string]any
	for _, u := range pt.URL {
		if u["name"] == "tracker-websocket" {
			ptTracker = u
		}
		if tags, ok := u["tag"].([]any); ok && u["mediaType"] == vocab.MediaHLS {
			ptInfohash = tags[0].(map[string]any)
		}
	}
	var ours struct {
		URL []map[string]any `json:"url"`
	}
	json.Unmarshal(b, &ours)
	tags := ours.URL[1]["tag"].([]any)
	for i, want := range []string{"26d701a7357a96f16b2329864eb93761b7f76998", "0123456789abcdef0123456789abcdef01234567"} {
		tag := tags[i].(map[string]any)
		if tag["name"] != want || !sameKeys(tag, ptInfohash) || tag["type"] != ptInfohash["type"] {
			t.Errorf("tag %d = %v, want PeerTube's shape %v with %s", i, tag, ptInfohash, want)
		}
	}
	if tags[2].(map[string]any)["name"] != "sha256" {
		t.Errorf("the segments' hashes follow the info hashes: %v", tags[2])
	}
	last := ours.URL[len(ours.URL)-1]
	if last["href"] != "wss://videos.example.org/tracker/socket" || !sameKeys(last, ptTracker) || last["name"] != ptTracker["name"] ||
		!slices.Equal(strs(last["rel"]), strs(ptTracker["rel"])) {
		t.Errorf("tracker link %v, want PeerTube's shape %v", last, ptTracker)
	}
	n := 0
	for _, u := range ours.URL {
		if slices.Contains(strs(u["rel"]), "tracker") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d tracker links: only the WebSocket tracker is served", n)
	}

	// The unlisted video is not shared here (the fake's rule): nothing.
	u, err := s.Video(context.Background(), uuidUnlisted)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range u.URL {
		if slices.Contains(l.Rel, "tracker") || slices.ContainsFunc(l.Tag, func(t vocab.Link) bool { return t.Type == vocab.TypeInfohash }) {
			t.Errorf("a video not shared lists a swarm: %+v", l)
		}
	}
}

func sameKeys(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func strs(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
