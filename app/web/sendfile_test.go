package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

// fileConn is a TCP connection that notes what net/http hands its ReadFrom:
// the kernel's sendfile path, which net/http takes only for a writer that
// reaches the connection's ReadFrom with the file itself.
type fileConn struct {
	*net.TCPConn
	seen *sendfileLog
}

type sendfileLog struct {
	mu    sync.Mutex
	bytes int64 // sent by ReadFrom from an *os.File
	other int64 // sent by ReadFrom from anything else
}

func (c fileConn) ReadFrom(src io.Reader) (int64, error) {
	_, isFile := src.(*os.File)
	if lr, ok := src.(*io.LimitedReader); ok {
		_, isFile = lr.R.(*os.File)
	}
	n, err := c.TCPConn.ReadFrom(src)
	c.seen.mu.Lock()
	if isFile {
		c.seen.bytes += n
	} else {
		c.seen.other += n
	}
	c.seen.mu.Unlock()
	return n, err
}

// takeAtLeast is take once want bytes have been counted, or after 5 s:
// the server's ReadFrom returns (and counts) after the client may already
// have read the last byte, so counting at once races with it.
func (l *sendfileLog) takeAtLeast(want int64) (file, other int64) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		l.mu.Lock()
		n := l.bytes + l.other
		l.mu.Unlock()
		if n >= want {
			break
		}
	}
	return l.take()
}

func (l *sendfileLog) take() (file, other int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	file, other = l.bytes, l.other
	l.bytes, l.other = 0, 0
	return file, other
}

type fileListener struct {
	net.Listener
	seen *sendfileLog
}

func (l fileListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return fileConn{TCPConn: c.(*net.TCPConn), seen: l.seen}, nil
}

// TestHLSFilesGoOutWithSendfile: segments, whole or by range,
// for the anonymous and for a private video's owner (through the session
// middleware), reach the connection's ReadFrom with the file: the bytes
// that arrive are the file's, and nearly all of them went by sendfile.
// Playlists arrive whole, from memory (playlist_cache.go).
func TestHLSFilesGoOutWithSendfile(t *testing.T) {
	r := newRig(t)
	seen := &sendfileLog{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(r.server.Handler())
	srv.Listener.Close()
	srv.Listener = fileListener{Listener: ln, seen: seen}
	srv.Start()
	t.Cleanup(srv.Close)

	ch, err := r.server.Accounts.ChannelsOf(context.Background(), r.userAccount(t, "user"))
	if err != nil || len(ch) == 0 {
		t.Fatal("no channel for user", err)
	}
	segment := make([]byte, 3<<20)
	rand.Read(segment)
	playlist := bytes.Repeat([]byte("#EXT-X-BYTERANGE:1000@0\nsegment.mp4\n"), 100)
	public := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	private := r.publishedVideo(t, ch[0].ID, model.PrivacyPrivate)
	for _, v := range []model.Video{public, private} {
		dir := filepath.Join(r.layout.HLS(v.UUID), "1080p")
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, "segment.mp4"), segment, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "index.m3u8"), playlist, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		name, who, path, rng string
		want                 []byte
		status               int
	}{
		{"whole segment", "", public.UUID + "/1080p/segment.mp4", "", segment, http.StatusOK},
		{"byte range", "", public.UUID + "/1080p/segment.mp4", "bytes=1000-2000999", segment[1000:2001000], http.StatusPartialContent},
		{"open range", "", public.UUID + "/1080p/segment.mp4", "bytes=2000000-", segment[2000000:], http.StatusPartialContent},
		{"playlist", "", public.UUID + "/1080p/index.m3u8", "", playlist, http.StatusOK},
		{"private, owner", "user", private.UUID + "/1080p/segment.mp4", "", segment, http.StatusOK},
	}
	client := srv.Client()
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/static/streaming-playlists/hls/"+tc.path, nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		if tc.who != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[tc.who]})
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != tc.status || !bytes.Equal(body, tc.want) {
			t.Fatalf("%s: %d, %d bytes (same as the file: %v); want %d, %d bytes", tc.name, res.StatusCode, len(body), bytes.Equal(body, tc.want), tc.status, len(tc.want))
		}
		if res.Header.Get("ETag") == "" || res.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: ETag %q, Last-Modified %q", tc.name, res.Header.Get("ETag"), res.Header.Get("Last-Modified"))
		}
		if tc.path == public.UUID+"/1080p/index.m3u8" {
			// Playlists come from memory (playlist_cache.go): no file.
			if file, _ := seen.take(); file != 0 {
				t.Errorf("%s: %d bytes by sendfile, want none (kept in memory)", tc.name, file)
			}
			continue
		}
		// net/http copies the first 512 bytes itself (content sniffing)
		// before it hands the rest of the file to ReadFrom.
		want := int64(len(tc.want)) - 512
		file, other := seen.takeAtLeast(want)
		if file < want || other != 0 {
			t.Errorf("%s: %d bytes by sendfile and %d from another reader, want ≥ %d from the file", tc.name, file, other, want)
		}
	}

	// A private video's segment is still refused to a stranger, and
	// nothing of it goes out.
	res, err := client.Get(srv.URL + "/static/streaming-playlists/hls/" + private.UUID + "/1080p/segment.mp4")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if file, _ := seen.take(); res.StatusCode != http.StatusNotFound || file != 0 {
		t.Errorf("stranger asks a private segment: %d, %d bytes sent from the file; want 404, none", res.StatusCode, file)
	}

	// A conditional request with the ETag sends nothing.
	res, err = client.Get(srv.URL + "/static/streaming-playlists/hls/" + public.UUID + "/1080p/segment.mp4")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	seen.takeAtLeast(int64(len(segment)) - 512)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/static/streaming-playlists/hls/"+public.UUID+"/1080p/segment.mp4", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if file, _ := seen.take(); res.StatusCode != http.StatusNotModified || file != 0 {
		t.Errorf("If-None-Match with the ETag: %d, %d bytes sent; want 304, none", res.StatusCode, file)
	}
}
