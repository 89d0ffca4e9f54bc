package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/p2p"
)

// TestP2PPagesAPIAndTrackerRule: a public video's watch and embed pages
// carry what the player needs to play it peer to peer, its API lists the
// info hashes of its swarms (PeerTube's p2pMediaLoaderInfohashes) and the
// tracker; the tracker's rule lets anyone in those swarms and nobody in a
// private video's, nor in any when the admin turns P2P off.
func TestP2PPagesAPIAndTrackerRule(t *testing.T) {
	r := newRig(t)
	s := r.server
	pub := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	priv := r.publishedVideo(t, r.adminChannel, model.PrivacyPrivate)
	// The players name the swarms after the master playlist's levels.
	masterText := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.64001e,mp4a.40.2\",RESOLUTION=640x360\n360.m3u8\n"
	for _, v := range []model.Video{pub, priv} {
		if err := os.WriteFile(filepath.Join(r.layout.HLS(v.UUID), "master.m3u8"), []byte(masterText), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	master := r.http.URL + "/static/streaming-playlists/hls/" + pub.UUID + "/master.m3u8"
	tracker := "ws://" + strings.TrimPrefix(r.http.URL, "http://") + "/tracker/socket"

	for _, path := range []string{"/w/" + pub.UUID, "/videos/embed/" + pub.UUID} {
		page := r.body(t, path, "", false)
		for _, want := range []string{`data-p2p="on"`, `data-p2p-tracker="` + tracker + `"`, `data-p2p-swarm="` + master + `"`,
			`data-p2p-stun="[]"`, `<script type="importmap">`, "/static-assets/js/p2p.", "vendor/p2p-media-loader/p2p-media-loader-core."} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		if strings.Contains(page, "data-p2p-test-hooks") {
			t.Errorf("%s offers the test hooks outside test mode", path)
		}
	}
	if page := r.body(t, "/w/"+pub.UUID, "", false); !strings.Contains(page, `id="p2p-stats"`) {
		t.Error("the watch page has no From peers line")
	}
	if page := r.body(t, "/w/"+priv.UUID, "admin", false); !strings.Contains(page, `data-p2p="off"`) || strings.Contains(page, "importmap") {
		t.Error("a private video's page is played peer to peer")
	}

	var details struct {
		TrackerURLs        []string `json:"trackerUrls"`
		StreamingPlaylists []struct {
			PlaylistURL string   `json:"playlistUrl"`
			Hashes      []string `json:"p2pMediaLoaderInfohashes"`
		} `json:"streamingPlaylists"`
	}
	if err := json.Unmarshal([]byte(r.body(t, "/api/v1/videos/"+pub.UUID, "", false)), &details); err != nil {
		t.Fatal(err)
	}
	want := p2p.InfoHashes(master, []byte(masterText))
	if len(want) != 1 {
		t.Fatalf("hashes %q", want)
	}
	if len(details.StreamingPlaylists) != 1 || !slices.Equal(details.StreamingPlaylists[0].Hashes, want) || details.StreamingPlaylists[0].PlaylistURL != master {
		t.Fatalf("streamingPlaylists %+v, want the hashes %q", details.StreamingPlaylists, want)
	}
	if !slices.Equal(details.TrackerURLs, []string{tracker}) {
		t.Errorf("trackerUrls %q", details.TrackerURLs)
	}

	announce := func(who string, hash string) bool {
		req := httptest.NewRequest(http.MethodGet, "/tracker/socket", nil)
		if who != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[who]})
		}
		return s.trackerAllow(req, hash)
	}
	if !announce("", want[0]) || !announce("user", strings.ToUpper(want[0])) {
		t.Error("a public video's swarm is refused")
	}
	if announce("", strings.Repeat("ab", 20)) {
		t.Error("an info hash the box never gave is allowed")
	}
	// A private video's hashes, even known, are refused to all, its owner too.
	privHashes := p2p.InfoHashes(r.http.URL+"/static/streaming-playlists/hls/"+priv.UUID+"/master.m3u8", []byte(masterText))
	s.swarms.Remember(priv.UUID, privHashes)
	if announce("admin", privHashes[0]) || announce("", privHashes[0]) {
		t.Error("a private video's swarm is allowed")
	}
	var privDetails struct {
		StreamingPlaylists []struct {
			Hashes []string `json:"p2pMediaLoaderInfohashes"`
		} `json:"streamingPlaylists"`
	}
	if err := json.Unmarshal([]byte(r.body(t, "/api/v1/videos/"+priv.UUID, "admin", false)), &privDetails); err != nil {
		t.Fatal(err)
	}
	if len(privDetails.StreamingPlaylists) != 1 || privDetails.StreamingPlaylists[0].Hashes == nil || len(privDetails.StreamingPlaylists[0].Hashes) != 0 {
		t.Errorf("a private video lists hashes: %+v", privDetails.StreamingPlaylists)
	}

	// The admin turns P2P off: pages play over HTTP, the tracker refuses.
	s.Config.P2P = false
	if announce("", want[0]) {
		t.Error("P2P off, a swarm is still allowed")
	}
	if page := r.body(t, "/w/"+pub.UUID, "", false); !strings.Contains(page, `data-p2p="off"`) {
		t.Error("P2P off, the page still plays peer to peer")
	}
}

// TestSwarmsRelearnedAfterRestart: the info hashes handed out live in
// memory; after a restart, a player whose page was loaded before (or a
// PeerTube player of a federated video, which never loaded a page here)
// announces a hash the box no longer knows. The tracker relearns the
// swarms of the videos shared peer to peer, once per base URL, and lets
// it in; a private video's are not relearned, and an announce from
// another site's page is judged as a stranger's.
func TestSwarmsRelearnedAfterRestart(t *testing.T) {
	r := newRig(t)
	s := r.server
	pub := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	unlisted := r.publishedVideo(t, r.adminChannel, model.PrivacyUnlisted)
	priv := r.publishedVideo(t, r.adminChannel, model.PrivacyPrivate)
	masterText := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.64001e,mp4a.40.2\",RESOLUTION=640x360\n360.m3u8\n"
	hashes := map[string]string{}
	for _, v := range []model.Video{pub, unlisted, priv} {
		if err := os.WriteFile(filepath.Join(r.layout.HLS(v.UUID), "master.m3u8"), []byte(masterText), 0o644); err != nil {
			t.Fatal(err)
		}
		hashes[v.UUID] = p2p.InfoHashes(r.http.URL+"/static/streaming-playlists/hls/"+v.UUID+"/master.m3u8", []byte(masterText))[0]
	}
	// Nothing was handed out since the start: no page, no API answer.
	if _, ok := s.swarms.Video(hashes[pub.UUID]); ok {
		t.Fatal("the rig handed the hash out already")
	}
	announce := func(hash, origin string) bool {
		req := httptest.NewRequest(http.MethodGet, r.http.URL+"/tracker/socket", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions["admin"]})
		return s.trackerAllow(req, hash)
	}
	if !announce(hashes[pub.UUID], "https://peertube.example") || !announce(hashes[unlisted.UUID], r.http.URL) {
		t.Error("a shared video's swarm is refused after a restart")
	}
	// The owner's cookie does not make a private video's swarm known.
	if announce(hashes[priv.UUID], r.http.URL) {
		t.Error("a private video's swarm was relearned")
	}
	if _, ok := s.swarms.Video(hashes[priv.UUID]); ok {
		t.Error("a private video's hash was recorded")
	}
	// Once per base URL: a video published since is known by its page or
	// API answer, not by another scan on every unknown hash.
	late := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	if err := os.WriteFile(filepath.Join(r.layout.HLS(late.UUID), "master.m3u8"), []byte(masterText), 0o644); err != nil {
		t.Fatal(err)
	}
	lateHash := p2p.InfoHashes(r.http.URL+"/static/streaming-playlists/hls/"+late.UUID+"/master.m3u8", []byte(masterText))[0]
	if announce(lateHash, "") {
		t.Error("a second scan for the same base URL")
	}
	r.body(t, "/w/"+late.UUID, "", false)
	if !announce(lateHash, "") {
		t.Error("the page of a video published since the scan did not record its swarm")
	}
}
