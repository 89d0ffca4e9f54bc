package certs

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkHTTPSvsHTTPSegment fetches a 2 MB HLS segment over loopback
// through plain HTTP (the LAN path) and through HTTPS (HTTP/2 as browsers
// use it, and HTTP/1.1), on kept-alive connections as a player does, and
// reports each throughput and HTTPS's share of HTTP's.
//
//	go test -run '^$' -bench HTTPSvsHTTPSegment -benchtime 200x ./app/certs/
func BenchmarkHTTPSvsHTTPSegment(b *testing.B) {
	segment := bytes.Repeat([]byte("cabane-hls-segment-0123456789abc\n"), 2<<20/32)[:2<<20]
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "seg.m4s", time.Time{}, bytes.NewReader(segment))
	})
	dir := b.TempDir()
	certPEM, keyPEM := selfSigned(b, "bench", []string{"box.example.org"}, nil)
	writeFile(b, filepath.Join(dir, "c.pem"), certPEM)
	writeFile(b, filepath.Join(dir, "k.pem"), keyPEM)
	s, err := New(Config{Mode: ModeManual, CertFile: filepath.Join(dir, "c.pem"), KeyFile: filepath.Join(dir, "k.pem"),
		HTTPAddr: "127.0.0.1:0", HTTPSAddr: "127.0.0.1:0"}, handler, nil)
	if err != nil {
		b.Fatal(err)
	}
	run(b, s)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)

	plain := &http.Client{Transport: &http.Transport{DialContext: dialTo(s.HTTPAddr().String())}}
	h2 := httpsClient(b, s.HTTPSAddr(), roots)
	h1 := &http.Client{Transport: &http.Transport{
		DialContext:     dialTo(s.HTTPSAddr().String()),
		TLSClientConfig: &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1"}},
	}}
	b.Cleanup(plain.CloseIdleConnections)
	b.Cleanup(h1.CloseIdleConnections)

	fetch := func(c *http.Client, url string) time.Duration {
		start := time.Now()
		res, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != int64(len(segment)) {
			b.Fatalf("%s: %d bytes, %v", url, n, err)
		}
		return time.Since(start)
	}
	// Warm the connections so handshakes are not counted.
	fetch(plain, "http://cabane.local/seg.m4s")
	fetch(h2, "https://box.example.org/seg.m4s")
	fetch(h1, "https://box.example.org/seg.m4s")

	var tPlain, tH2, tH1 time.Duration
	b.SetBytes(int64(3 * len(segment)))
	b.ResetTimer()
	for range b.N {
		tPlain += fetch(plain, "http://cabane.local/seg.m4s")
		tH2 += fetch(h2, "https://box.example.org/seg.m4s")
		tH1 += fetch(h1, "https://box.example.org/seg.m4s")
	}
	mb := float64(b.N*len(segment)) / 1e6
	b.ReportMetric(mb/tPlain.Seconds(), "http_MB/s")
	b.ReportMetric(mb/tH2.Seconds(), "https_h2_MB/s")
	b.ReportMetric(mb/tH1.Seconds(), "https_h1_MB/s")
	b.ReportMetric(tPlain.Seconds()/tH2.Seconds(), "h2_vs_http")
	b.ReportMetric(tPlain.Seconds()/tH1.Seconds(), "h1_vs_http")
}
