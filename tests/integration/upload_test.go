package integration

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// An H.264/AAC upload is published by copying it into HLS, then the lower
// renditions follow; ffprobe reads the master playlist over HTTP.
func TestCopyPathPublishesAndPlays(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "talk.mp4", 6, "1280x720", "h264")
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})
	b := in.Setup()

	code, final, body := upload(t, b, in, clip, "My first video")
	if code != 200 || !strings.Contains(final, "/w/") {
		t.Fatalf("upload through the page: %d at %s\n%s", code, final, body)
	}
	id := final[strings.LastIndex(final, "/")+1:]
	uploaded := time.Now()
	v := waitVideo(t, in, id, 30*time.Second, "publication", func(v apiVideo) bool { return v.State.ID == 1 })
	t.Logf("upload complete → playable: %s", time.Since(uploaded))
	if rs := testrig.Renditions(t, in.Data, v.UUID); len(rs) == 0 || rs[0].Name != "720p" || !rs[0].Copied {
		t.Errorf("the 720p rendition was not published through the copy path: renditions %+v", rs)
	}
	if len(v.StreamingPlaylists) != 1 || !strings.HasSuffix(v.StreamingPlaylists[0].PlaylistURL, "/master.m3u8") {
		t.Fatalf("streamingPlaylists = %+v", v.StreamingPlaylists)
	}
	if hs := ffprobeHeights(t, v.StreamingPlaylists[0].PlaylistURL); !slices.Contains(hs, 720) {
		t.Fatalf("ffprobe of the master playlist over HTTP found heights %v, want 720", hs)
	}
	v = waitVideo(t, in, id, 60*time.Second, "the lower renditions", func(v apiVideo) bool { return len(heights(v)) == 3 })
	if hs := heights(v); !slices.Equal(hs, []int{720, 480, 360}) {
		t.Errorf("renditions %v, want 720, 480, 360", hs)
	}
	if hs := ffprobeHeights(t, v.StreamingPlaylists[0].PlaylistURL); len(hs) != 3 {
		t.Errorf("master playlist has %d variants after the ladder, want 3: %v", len(hs), hs)
	}

	// The watch page shows the player with its playlist; the home page lists
	// the video with its thumbnail.
	page, _, _ := b.Get(in.URL("/w/" + id))
	for _, want := range []string{`id="player"`, v.StreamingPlaylists[0].PlaylistURL, "My first video", "Alice&#39;s films"} {
		if !strings.Contains(page, want) {
			t.Errorf("watch page lacks %q", want)
		}
	}
	// Its scripts are linked under content-hashed names, served gzipped
	// and cached for good.
	scripts := regexp.MustCompile(`<script src="(/static-assets/[^"]+\.[0-9a-f]{12}\.js)"`).FindAllStringSubmatch(page, -1)
	// sources.js (the box and its mirrors) and p2p.js too: a public video
	// is shared between viewers (#12); p2p.js fetches the loader's own
	// modules, which are not linked.
	if len(scripts) != 6 {
		t.Errorf("watch page links %d hashed scripts, want 6 (sources, p2p, player, processing, community, public)", len(scripts))
	}
	for _, m := range scripts {
		req, _ := http.NewRequest("GET", in.URL(m[1]), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req) // the raw answer, not decompressed
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, encoding %q, cache %q", m[1], resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
		}
	}
	home, _, _ := b.Get(in.URL("/"))
	if !strings.Contains(home, "/lazy-static/thumbnails/"+v.UUID+".jpg") {
		t.Errorf("home page does not list the video's thumbnail")
	}
	checkServing(t, in, v)
	noStaging(t, in.Data)
}

// checkServing asserts content types, Range, caching and CORS on HLS and
// images, and that path tricks get nothing.
func checkServing(t *testing.T, in *testrig.App, v apiVideo) {
	t.Helper()
	base := in.URL("/static/streaming-playlists/hls/" + v.UUID + "/")
	cases := []struct{ path, ctype string }{
		{"master.m3u8", "application/vnd.apple.mpegurl"},
		{"720.m3u8", "application/vnd.apple.mpegurl"},
		{v.UUID + "-720-fragmented.mp4", "video/mp4"},
		{"segments-sha256.json", "application/json"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("GET", base+c.path, nil)
		req.Header.Set("Range", "bytes=0-9")
		req.Header.Set("Origin", "https://elsewhere.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || resp.ContentLength != 10 {
			t.Errorf("%s with Range: %d, %d bytes; want 206, 10", c.path, resp.StatusCode, resp.ContentLength)
		}
		if got := resp.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") == "" {
			t.Errorf("%s: CORS %q, Cache-Control %q", c.path, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Cache-Control"))
		}
	}
	for _, p := range []string{"../../cabane.db", "..%2f..%2fcabane.db", "720p/../../original.mp4", ".partial-x/720p/index.m3u8", "original.mp4"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	// Junk a client may send: NUL bytes, a name longer than any file
	// system allows, a file used as a folder. Not found, not a failure.
	for _, p := range []string{"%00", "720p/seg%00.m4s", strings.Repeat("s", 300) + ".m4s", "master.m3u8/seg-00000.m4s"} {
		if got := status(t, http.DefaultClient, base+p, nil); got != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, got)
		}
	}
	if strings.Contains(in.Log(), "level=ERROR") {
		t.Errorf("junk paths logged an error:\n%s", in.Log())
	}
	// An empty suffix range is unsatisfiable (RFC 9110 section 14.1.3).
	req, _ := http.NewRequest("GET", base+v.UUID+"-720-fragmented.mp4", nil)
	req.Header.Set("Range", "bytes=-0")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || !strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes */") {
		t.Errorf("Range bytes=-0: %d, Content-Range %q; want 416, bytes */size", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
	for _, p := range []string{v.ThumbnailPath, v.PreviewPath} {
		resp, err := http.Get(in.URL(p))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// A VP9/Opus upload is encoded into the whole ladder by one ffmpeg process.
func TestVP9UploadIsTranscodedToLadder(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "trip.webm", 4, "1280x720", "vp9")
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})
	in.Setup()
	token := in.Token("alice", "correct horse")

	code, res := apiUpload(t, in, token, clip, map[string]string{"name": "Trip", "privacy": "1", "description": "Holidays"})
	if code != 200 {
		t.Fatalf("API upload: %d %v", code, res)
	}
	video := res["video"].(map[string]any)
	id := video["uuid"].(string)
	v := waitVideo(t, in, id, 90*time.Second, "publication of the ladder", func(v apiVideo) bool { return v.State.ID == 1 })
	if hs := heights(v); !slices.Equal(hs, []int{720, 480, 360}) {
		t.Fatalf("renditions %v, want 720, 480, 360 (all encoded in one go)", hs)
	}
	rs := testrig.Renditions(t, in.Data, id)
	for _, r := range rs {
		if r.Copied {
			t.Errorf("a VP9 source must not take the copy path: %+v", r)
		}
	}
	if len(rs) != 4 || rs[3].Name != "audio" || rs[3].Height != 0 {
		t.Errorf("%d renditions published, want 3 and the shared audio: %+v", len(rs), rs)
	}
	for _, f := range v.StreamingPlaylists[0].Files {
		if f.Height == 0 {
			continue // the shared audio
		}
		if hs := ffprobeHeights(t, f.PlaylistURL); !slices.Equal(hs, []int{f.Height}) {
			t.Errorf("%s: ffprobe heights %v, want %d", f.PlaylistURL, hs, f.Height)
		}
	}
	if v.Duration != 4 {
		t.Errorf("duration %d, want 4", v.Duration)
	}
	// The list endpoint in PeerTube's shape.
	var list struct {
		Total int        `json:"total"`
		Data  []apiVideo `json:"data"`
	}
	testrig.GetJSON(t, in.URL("/api/v1/videos?start=0&count=10&sort=-publishedAt"), &list)
	if list.Total != 1 || len(list.Data) != 1 || list.Data[0].UUID != id {
		t.Errorf("GET /api/v1/videos = %+v", list)
	}
}

// A text file named .mp4 is refused with a clear message and leaves nothing.
func TestNotAVideoIsRefused(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "holiday.mp4")
	os.WriteFile(fake, []byte(strings.Repeat("this is not a video\n", 500)), 0o644)
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})
	b := in.Setup()
	token := in.Token("alice", "correct horse")

	code, res := apiUpload(t, in, token, fake, map[string]string{"name": "Nope"})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("API upload of a text file: %d %v, want 422", code, res)
	}
	if msg, _ := res["detail"].(string); !strings.Contains(msg, "holiday.mp4") || !strings.Contains(msg, "not a video or audio file") {
		t.Errorf("message %q does not say what is wrong", msg)
	}
	code, _, body := upload(t, b, in, fake, "Nope again")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "not a video or audio file") {
		t.Errorf("page upload of a text file: %d, want 422 with the reason on the page", code)
	}
	for _, d := range []string{"media", "tmp/uploads"} {
		entries, err := os.ReadDir(filepath.Join(in.Data, d))
		if err != nil || len(entries) != 0 {
			t.Errorf("%s holds %v after a refused upload (err %v)", d, entries, err)
		}
	}
	var list struct{ Total int }
	testrig.GetJSON(t, in.URL("/api/v1/videos"), &list)
	if list.Total != 0 {
		t.Errorf("%d videos listed after refused uploads", list.Total)
	}
}

// The upload limit is configurable and enforced while streaming.
func TestOversizedUploadIsRefused(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "big.mp4", 3, "640x360", "h264")
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data"), Args: []string{"--max-upload", "50k"}})
	in.Setup()
	token := in.Token("alice", "correct horse")
	code, res := apiUpload(t, in, token, clip, map[string]string{"name": "Too big"})
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload: %d %v, want 413", code, res)
	}
	entries, _ := os.ReadDir(filepath.Join(in.Data, "tmp/uploads"))
	if len(entries) != 0 {
		t.Errorf("partial upload left behind: %v", entries)
	}
}

func multipartBody(t *testing.T, fields map[string]string, file string) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("videofile", filepath.Base(file))
		if f, err := os.Open(file); err == nil {
			io.Copy(fw, f)
			f.Close()
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}

func apiUpload(t *testing.T, in *testrig.App, token, file string, fields map[string]string) (int, map[string]any) {
	t.Helper()
	body, ctype := multipartBody(t, fields, file)
	req, _ := http.NewRequest("POST", in.URL("/api/v1/videos/upload"), body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	var res map[string]any
	json.NewDecoder(resp.Body).Decode(&res)
	return resp.StatusCode, res
}

// An audio upload becomes an HLS rendition with a still picture (its
// waveform), which every player can play.
func TestAudioOnlyUpload(t *testing.T) {
	dir := t.TempDir()
	song := testrig.MakeClip(t, filepath.Join(dir, "song.mp3"), testrig.Clip{Seconds: 3, Video: "none"})
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})
	in.Setup()
	token := in.Token("alice", "correct horse")
	code, res := apiUpload(t, in, token, song, map[string]string{"name": "Song"})
	if code != 200 {
		t.Fatalf("upload: %d %v", code, res)
	}
	id := res["video"].(map[string]any)["uuid"].(string)
	v := waitVideo(t, in, id, 60*time.Second, "publication", func(v apiVideo) bool { return v.State.ID == 1 })
	if v.ThumbnailPath == "" || len(v.StreamingPlaylists) != 1 {
		t.Fatalf("audio video: %+v", v)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0", v.StreamingPlaylists[0].PlaylistURL).Output()
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); !strings.Contains(s, "h264,video") || !strings.Contains(s, "aac,audio") {
		t.Errorf("audio rendition streams: %q, want an H.264 still and AAC", s)
	}
	checkImage := status(t, http.DefaultClient, in.URL(v.PreviewPath), nil)
	if checkImage != 200 {
		t.Errorf("preview image: %d", checkImage)
	}
}
