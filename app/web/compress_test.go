package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

// get fetches path as a client that accepts gzip (or not) and does not
// decompress, returning the answer and its body as sent.
func rawGet(t *testing.T, url string, gzipOK bool) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if gzipOK {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

// Pages and API answers over 1 KB go out gzipped to a client that accepts
// it, with the same content as the plain answer; small answers, clients
// without gzip, and HLS files (sendfile) go out plain. The microcache
// keeps the gzip it made once and serves it on hits.
func TestResponsesCompressed(t *testing.T) {
	r := newRig(t)
	for range 5 {
		r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	}
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	for _, path := range []string{"/api/v1/videos?count=25", "/", "/w/" + v.UUID, "/api/v1/videos/" + v.UUID} {
		plainRes, plain := rawGet(t, r.http.URL+path, false)
		if plainRes.StatusCode != http.StatusOK || plainRes.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s without gzip: %d, encoding %q", path, plainRes.StatusCode, plainRes.Header.Get("Content-Encoding"))
		}
		if len(plain) < compressMin {
			t.Fatalf("%s: %d B, too small for this test", path, len(plain))
		}
		// Twice: the listings' second answer is the microcache's.
		for i := range 2 {
			res, body := rawGet(t, r.http.URL+path, true)
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s (%d): not gzipped: %v", path, i, res.Header)
			}
			if len(body) >= len(plain)/2 {
				t.Errorf("%s: gzipped %d B of %d B", path, len(body), len(plain))
			}
			if got := gunzip(t, body); !bytes.Equal(got, plain) && path != "/" && path[:3] != "/w/" {
				// Pages carry a per-visitor CSRF token; API answers must be equal.
				t.Errorf("%s: gzipped content differs from the plain answer", path)
			}
			if !bytes.Contains(gunzip(t, body), []byte(v.Name)) {
				t.Errorf("%s: gzipped content lacks the video", path)
			}
		}
	}
	hits := r.server.cache.hitCount()
	res, body := rawGet(t, r.http.URL+"/api/v1/videos?count=25", true)
	if r.server.cache.hitCount() != hits+1 || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Errorf("cached listing: hit %v, encoding %q, length %q of %d", r.server.cache.hitCount() == hits+1, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Length"), len(body))
	}
	// Small: plain.
	if res, _ := rawGet(t, r.http.URL+"/api/v1/videos/privacies", true); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("a small answer was gzipped")
	}
	// A playlist file: plain, whatever the client accepts.
	pl := filepath.Join(r.layout.HLS(v.UUID), "360.m3u8") // PeerTube's layout: no rendition folders
	if err := os.WriteFile(pl, bytes.Repeat([]byte("#EXTINF:4.0,\nsegment0.m4s\n"), 200), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, body := rawGet(t, r.http.URL+"/static/streaming-playlists/hls/"+v.UUID+"/360.m3u8", true); res.Header.Get("Content-Encoding") != "" || len(body) < 4000 {
		t.Errorf("playlist: encoding %q, %d B", res.Header.Get("Content-Encoding"), len(body))
	}
}

// When a listing is missing or made stale by a write, concurrent requests
// wait for one to make it; when it merely aged past the TTL, one remakes
// it while the others get the aged page at once.
func TestMicrocacheMakesOnce(t *testing.T) {
	gen := uint64(1)
	m := newMicrocache(50*time.Millisecond, func() uint64 { return gen })
	ctx := context.Background()
	_, lead, _ := m.lookup(ctx, "k", gen)
	if !lead {
		t.Fatal("the first request must lead")
	}
	var wg sync.WaitGroup
	got := make([]cachedPage, 5)
	leads := make([]bool, 5)
	for i := range 5 {
		wg.Go(func() { got[i], leads[i], _ = m.lookup(ctx, "k", gen) })
	}
	time.Sleep(20 * time.Millisecond) // they are waiting
	m.put("k", cachedPage{gen: gen, at: time.Now(), status: 200, body: []byte("page 1")})
	m.done("k")
	wg.Wait()
	for i := range 5 {
		if leads[i] || string(got[i].body) != "page 1" {
			t.Fatalf("waiter %d: lead %v, body %q", i, leads[i], got[i].body)
		}
	}
	// Aged: one leads, the others get the aged page without waiting.
	time.Sleep(60 * time.Millisecond)
	if _, lead, _ := m.lookup(ctx, "k", gen); !lead {
		t.Fatal("an aged page must be remade by one request")
	}
	for i := range 3 {
		p, lead, _ := m.lookup(ctx, "k", gen)
		if lead || string(p.body) != "page 1" {
			t.Fatalf("during the remake, request %d: lead %v, body %q", i, lead, p.body)
		}
	}
	if m.stale != 3 {
		t.Errorf("stale hits %d, want 3", m.stale)
	}
	m.done("k")
	// A write (new generation): never the old page, even while remade.
	gen = 2
	if _, lead, _ := m.lookup(ctx, "k", gen); !lead {
		t.Fatal("after a write, the page must be remade")
	}
	waited := make(chan cachedPage)
	go func() { p, _, _ := m.lookup(ctx, "k", gen); waited <- p }()
	select {
	case p := <-waited:
		t.Fatalf("served %q from before the write", p.body)
	case <-time.After(30 * time.Millisecond):
	}
	m.put("k", cachedPage{gen: gen, at: time.Now(), status: 200, body: []byte("page 2")})
	m.done("k")
	if p := <-waited; string(p.body) != "page 2" {
		t.Errorf("after the write: %q", p.body)
	}
	// A waiter whose client goes away stops waiting.
	m.lookup(ctx, "j", gen)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := m.lookup(cctx, "j", gen); err == nil {
		t.Error("a cancelled waiter kept waiting")
	}
}
