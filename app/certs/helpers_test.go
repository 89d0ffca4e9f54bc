package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// appHandler stands in for Cabane's web handler.
func appHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "cabane app "+r.URL.Path)
	})
}

func newServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	if cfg.HTTPSAddr == "" {
		cfg.HTTPSAddr = "127.0.0.1:0"
	}
	s, err := New(cfg, appHandler(), nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// run starts s.Run and returns a function that stops it and checks that
// Run returned cleanly; it also runs at cleanup.
func run(t testing.TB, s *Server) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Run did not return after its context ended")
		}
	}
	t.Cleanup(stop)
	return stop
}

func waitState(t testing.TB, s *Server, want string, within time.Duration) Status {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st := s.Status()
		if st.State == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %q after %v, want %q; status %+v", st.State, within, want, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dialTo sends every connection to addr whatever the URL's host, the way
// DNS pointing the public name at the box would.
func dialTo(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
}

// httpsClient trusts roots only and never follows redirects. Its idle
// connections close at cleanup, before the server's stop, so HTTP/2's
// one-second GOAWAY grace does not slow the tests down.
func httpsClient(t testing.TB, addr net.Addr, roots *x509.CertPool) *http.Client {
	c := &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DialContext:       dialTo(addr.String()),
			TLSClientConfig:   &tls.Config{RootCAs: roots},
			ForceAttemptHTTP2: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// getHTTP requests http://host/path on addr, without following redirects.
func getHTTP(t testing.TB, addr net.Addr, host, path string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{DialContext: dialTo(addr.String())},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := c.Get("http://" + host + path)
	if err != nil {
		t.Fatalf("GET http://%s%s: %v", host, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// getHTTPS fetches https://host/path and checks the certificate names host.
func getHTTPS(t testing.TB, c *http.Client, host, path string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get("https://" + host + path)
	if err != nil {
		t.Fatalf("GET https://%s%s: %v", host, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.TLS == nil || len(res.TLS.PeerCertificates) == 0 {
		t.Fatalf("GET https://%s%s: no TLS state", host, path)
	}
	if err := res.TLS.PeerCertificates[0].VerifyHostname(strings.Split(host, ":")[0]); err != nil {
		t.Fatalf("certificate does not name %s: %v", host, err)
	}
	return res, string(b)
}

func wantAppServed(t testing.TB, res *http.Response, body, path string) {
	t.Helper()
	if res.StatusCode != http.StatusOK || body != "cabane app "+path {
		t.Fatalf("want the app at %s, got %d %q (Location %q)", path, res.StatusCode, body, res.Header.Get("Location"))
	}
}

func wantRedirect(t testing.TB, res *http.Response, code int, location string) {
	t.Helper()
	if res.StatusCode != code || res.Header.Get("Location") != location {
		t.Fatalf("want %d to %q, got %d to %q", code, location, res.StatusCode, res.Header.Get("Location"))
	}
}

// handshakeFails reports whether a TLS handshake for host fails.
func handshakeFails(addr net.Addr, host string) error {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr.String(),
		&tls.Config{ServerName: host, InsecureSkipVerify: true})
	if err != nil {
		return nil
	}
	conn.Close()
	return errors.New("handshake for " + host + " succeeded")
}
