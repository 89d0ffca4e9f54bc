package clients

import (
	"bufio"
	"context"
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
	var pick string
	for _, f := range info.Formats {
		if !strings.HasPrefix(f.URL, "https://"+publicHost+"/") {
			t.Errorf("format %s at %s, not under the public URL", f.FormatID, f.URL)
		}
		if f.Height > 0 && pick == "" {
			pick = f.FormatID
		}
	}
	if pick == "" {
		t.Fatalf("no video format among %+v", info.Formats)
	}
	dir := t.TempDir()
	yt("-f", pick, "-o", filepath.Join(dir, "video.%(ext)s"), page)
	files, _ := filepath.Glob(filepath.Join(dir, "video.*"))
	if len(files) != 1 {
		t.Fatalf("downloaded %v", files)
	}
	probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=height", "-of", "csv=p=0", files[0]).Output()
	if err != nil || strings.TrimSpace(string(probe)) == "" || strings.TrimSpace(string(probe)) == "0" {
		t.Fatalf("ffprobe of the download %s: %v %q", files[0], err, probe)
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
