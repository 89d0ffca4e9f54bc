package certs

import (
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestManualServesGivenCertificate(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t, "Box Admin", []string{"box.example.org"}, nil)
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	writeFile(t, certFile, certPEM)
	writeFile(t, keyFile, keyPEM)

	s := newServer(t, Config{Mode: ModeManual, CertFile: certFile, KeyFile: keyFile})
	run(t, s)

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	res, body := getHTTPS(t, httpsClient(t, s.HTTPSAddr(), roots), "box.example.org", "/feeds/videos.xml")
	wantAppServed(t, res, body, "/feeds/videos.xml")

	// Hosts default to the certificate's names: that one goes to HTTPS
	// (POST keeping its method), the LAN and IP addresses stay on HTTP.
	res, _ = getHTTP(t, s.HTTPAddr(), "box.example.org:8080", "/a/b?c=d")
	wantRedirect(t, res, http.StatusFound, "https://box.example.org/a/b?c=d")
	c := &http.Client{Transport: &http.Transport{DialContext: dialTo(s.HTTPAddr().String())},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post, err := c.Post("http://box.example.org/inbox", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	wantRedirect(t, post, http.StatusTemporaryRedirect, "https://box.example.org/inbox")
	res, body = getHTTP(t, s.HTTPAddr(), "192.168.1.20", "/")
	wantAppServed(t, res, body, "/")

	st := s.Status()
	if st.Mode != ModeManual || st.State != StateOK || st.Certs[0].Issuer != "Box Admin" ||
		strings.Join(st.Hosts, ",") != "box.example.org" || st.NotAfter.Before(time.Now()) {
		t.Fatalf("status %+v", st)
	}
}

// Missing files do not stop the server: HTTP serves the app, the admin page
// says what is wrong, and files put in place later are picked up.
func TestManualMissingFilesKeepHTTPServing(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	s := newServer(t, Config{Mode: ModeManual, Hosts: []string{"box.example.org"}, CertFile: certFile, KeyFile: keyFile})
	s.manual.checkEvery = 0
	run(t, s)

	st := s.Status()
	if st.State != StateFailing || !strings.Contains(st.LastError, "does not exist") || !strings.Contains(st.LastError, certFile) {
		t.Fatalf("status with missing files: %+v", st)
	}
	res, body := getHTTP(t, s.HTTPAddr(), "box.example.org", "/w/1")
	wantAppServed(t, res, body, "/w/1")
	if err := handshakeFails(s.HTTPSAddr(), "box.example.org"); err != nil {
		t.Fatal(err)
	}

	certPEM, keyPEM := selfSigned(t, "Later", []string{"box.example.org"}, nil)
	writeFile(t, certFile, certPEM)
	writeFile(t, keyFile, keyPEM)
	if st := s.Status(); st.State != StateOK || st.LastError != "" {
		t.Fatalf("status after the files appeared: %+v", st)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	res, body = getHTTPS(t, httpsClient(t, s.HTTPSAddr(), roots), "box.example.org", "/w/1")
	wantAppServed(t, res, body, "/w/1")

	// A broken replacement keeps the working certificate.
	if err := os.WriteFile(certFile, []byte("half written"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, _ = getHTTPS(t, httpsClient(t, s.HTTPSAddr(), roots), "box.example.org", "/w/1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("HTTPS after a broken replacement: %d", res.StatusCode)
	}
	if st := s.Status(); st.State != StateOK || !strings.Contains(st.LastError, "cannot be used") {
		t.Fatalf("status after a broken replacement: %+v", st)
	}
}

// A configured host the certificate does not name stays on plain HTTP and
// the admin page says why.
func TestManualHostNotInCertificateStaysOnHTTP(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t, "Box Admin", []string{"box.example.org"}, nil)
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	writeFile(t, certFile, certPEM)
	writeFile(t, keyFile, keyPEM)
	s := newServer(t, Config{Mode: ModeManual, Hosts: []string{"box.example.org", "other.example.org"}, CertFile: certFile, KeyFile: keyFile})
	run(t, s)

	res, _ := getHTTP(t, s.HTTPAddr(), "box.example.org", "/x")
	wantRedirect(t, res, http.StatusFound, "https://box.example.org/x")
	res, body := getHTTP(t, s.HTTPAddr(), "other.example.org", "/x")
	wantAppServed(t, res, body, "/x")
	if st := s.Status(); !strings.Contains(st.LastError, "does not name other.example.org") {
		t.Fatalf("status %+v", st)
	}
}
