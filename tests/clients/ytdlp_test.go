package clients

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/internal/testrig"
)

// publicHost is the name Cabane is reached by in the yt-dlp test: yt-dlp's
// PeerTube extractor calls https://<host>/api/v1/videos/<id>, https on the
// default port, and its generic extractor recognises an unknown instance
// only on such a URL (a host with a port does not match).
const publicHost = "cabane.test"

// TestYtDlp runs yt-dlp as a person does on a video's short link: it must
// recognise the unknown instance as PeerTube, list its formats and
// download one that ffprobe reads. Cabane is given the public URL
// https://cabane.test and served behind a TLS listener with a test
// certificate; yt-dlp reaches that name through a CONNECT proxy of the
// test's, which sends cabane.test:443 to the listener: no privileged
// port, no /etc/hosts edit.
func TestYtDlp(t *testing.T) {
	ytdlp, err := exec.LookPath("yt-dlp")
	if err != nil {
		t.Skip("yt-dlp is not installed (Debian: apt-get install yt-dlp)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	a := testrig.Start(t, testrig.Options{Args: []string{"--public-url", "https://" + publicHost}})
	a.Setup()
	in := &instance{App: a, contract: nil}
	uuid := in.uploadClip(t, "Goûter à la rivière", nil)
	var v struct{ ShortUUID string }
	testrig.GetJSON(t, in.URL("/api/v1/videos/"+uuid), &v)

	// The TLS front: the public name's requests go to Cabane's HTTP port.
	backend, _ := url.Parse("http://" + in.Addr)
	front := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(backend))
	defer front.Close()
	proxy := connectProxy(t, publicHost+":443", front.Listener.Addr().String())

	checkTorrent(t, front, uuid)

	yt := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, ytdlp, append([]string{"--proxy", "http://" + proxy, "--no-check-certificates", "--no-cache-dir", "--no-config"}, args...)...).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("yt-dlp %v: %v\n%s", args, err, stderr)
		}
		return string(out)
	}
	page := "https://" + publicHost + "/w/" + v.ShortUUID
	var info struct {
		Extractor string `json:"extractor"`
		ID        string `json:"id"`
		Title     string `json:"title"`
		Formats   []struct {
			FormatID string `json:"format_id"`
			URL      string `json:"url"`
			Height   int    `json:"height"`
			VCodec   string `json:"vcodec"`
		} `json:"formats"`
	}
	if err := json.Unmarshal([]byte(yt("-J", page)), &info); err != nil {
		t.Fatalf("yt-dlp -J: %v", err)
	}
	if !strings.EqualFold(info.Extractor, "peertube") || info.Title != "Goûter à la rivière" {
		t.Fatalf("yt-dlp saw extractor %q, title %q: want PeerTube's, the video's", info.Extractor, info.Title)
	}
	video := false
	for _, f := range info.Formats {
		if !strings.HasPrefix(f.URL, "https://"+publicHost+"/") {
			t.Errorf("format %s at %s, not under the public URL", f.FormatID, f.URL)
		}
		video = video || f.Height > 0
	}
	if !video {
		t.Fatalf("no video format among %+v", info.Formats)
	}
	// yt-dlp's own choice, as a person runs it: the video must have its
	// sound (the clip's renditions are silent HLS files beside one audio
	// rendition: the chosen file is files[]'s muxed web video).
	dir := t.TempDir()
	yt("-o", filepath.Join(dir, "video.%(ext)s"), page)
	files, _ := filepath.Glob(filepath.Join(dir, "video.*"))
	if len(files) != 1 {
		t.Fatalf("downloaded %v", files)
	}
	probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "stream=codec_type,height", "-of", "csv=p=0", files[0]).Output()
	if err != nil {
		t.Fatalf("ffprobe of the download %s: %v", files[0], err)
	}
	var audio, picture bool
	for _, line := range strings.Fields(string(probe)) {
		kind, height, _ := strings.Cut(line, ",")
		audio = audio || kind == "audio"
		picture = picture || (kind == "video" && height != "" && height != "0")
	}
	if !audio || !picture {
		t.Fatalf("yt-dlp's download has streams %q: want a picture and a sound", probe)
	}
}

// connectProxy is an HTTP proxy that accepts CONNECT to host only and
// joins it to addr; it returns its own address.
func connectProxy(t *testing.T, host, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				if req.Method != http.MethodConnect || req.Host != host {
					io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
					return
				}
				up, err := net.Dial("tcp", addr)
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
					return
				}
				defer up.Close()
				io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				done := make(chan struct{}, 2)
				go func() { io.Copy(up, br); done <- struct{}{} }()
				go func() { io.Copy(c, up); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

// checkTorrent reads the video's first file's torrent as a BitTorrent
// client does, from its torrentUrl, and checks it against the file its web
// seed serves: every piece's SHA-1, and the magnetUri's info hash.
func checkTorrent(t *testing.T, front *httptest.Server, uuid string) {
	t.Helper()
	// Every URL names https://cabane.test: this client dials the front.
	c := front.Client()
	c.Transport.(*http.Transport).TLSClientConfig.ServerName = "example.com" // the test certificate's name
	c.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, front.Listener.Addr().String())
	}
	get := func(u string) []byte {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
		}
		return b
	}
	var v struct {
		Files []struct{ FileURL, TorrentURL, TorrentDownloadURL, MagnetURI string }
	}
	if err := json.Unmarshal(get("https://"+publicHost+"/api/v1/videos/"+uuid), &v); err != nil || len(v.Files) == 0 {
		t.Fatalf("files[]: %v %+v", err, v)
	}
	f := v.Files[0]
	raw := get(f.TorrentURL)
	if dl := get(f.TorrentDownloadURL); string(dl) != string(raw) {
		t.Error("torrentDownloadUrl serves another torrent")
	}
	dec, err := torrents.Decode(raw)
	if err != nil {
		t.Fatalf("the torrent does not decode: %v", err)
	}
	tor, _ := dec.(map[string]any)
	info, _ := tor["info"].(map[string]any)
	seeds, _ := tor["url-list"].([]any)
	if len(seeds) != 1 || seeds[0] != f.FileURL {
		t.Fatalf("web seeds %v, want [%s]", seeds, f.FileURL)
	}
	data := get(f.FileURL)
	pl, _ := info["piece length"].(int64)
	pieces, _ := info["pieces"].(string)
	if n, _ := info["length"].(int64); n != int64(len(data)) || pl <= 0 || int64(len(pieces)) != (n+pl-1)/pl*20 {
		t.Fatalf("torrent: length %v, piece length %v, %d piece bytes for a %d-byte file", info["length"], pl, len(pieces), len(data))
	}
	for i := int64(0); i*pl < int64(len(data)); i++ {
		if sum := sha1.Sum(data[i*pl : min(int64(len(data)), (i+1)*pl)]); pieces[i*20:(i+1)*20] != string(sum[:]) {
			t.Fatalf("piece %d does not match the web seed's bytes", i)
		}
	}
	ib, _ := torrents.Encode(info)
	sum := sha1.Sum(ib)
	if !strings.HasPrefix(f.MagnetURI, "magnet:?xt=urn:btih:"+hex.EncodeToString(sum[:])+"&") {
		t.Fatalf("magnetUri %s, want the info hash %x", f.MagnetURI, sum)
	}
}
