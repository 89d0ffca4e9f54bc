package certs

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func acmeConfig(p *pebble, cacheDir string, hosts ...string) Config {
	return Config{
		Mode:         ModeACME,
		Hosts:        hosts,
		Email:        "admin@cabane.test",
		DirectoryURL: p.dirURL,
		CARoots:      p.tlsRoots,
		CacheDir:     cacheDir,
		RetryMin:     200 * time.Millisecond,
		RetryMax:     time.Second,
	}
}

// TLS-ALPN-01 only (Pebble's HTTP-01 port leads nowhere), two hosts, one of
// them written with a port and capitals; then a restart with Pebble gone
// serves the same cached certificates.
func TestACMETLSALPN01AndRestartFromCache(t *testing.T) {
	p := newPebble(t)
	cache := filepath.Join(t.TempDir(), "certs")
	cfg := acmeConfig(p, cache, "box.cabane.test", "Alt.Cabane.TEST:8443")

	s := newServer(t, cfg)
	p.start(closedPort(t), portOf(t, s.HTTPSAddr()))
	began := time.Now()
	stop := run(t, s)
	st := waitState(t, s, StateOK, 30*time.Second)
	t.Logf("figure: 2 certificates issued by Pebble through TLS-ALPN-01 in %v", time.Since(began).Round(time.Millisecond))

	if st.LastError != "" || !st.NotAfter.After(time.Now().Add(24*time.Hour)) || len(st.Certs) != 2 {
		t.Fatalf("status after issuance: %+v", st)
	}
	if got := strings.Join(st.Hosts, ","); got != "box.cabane.test,alt.cabane.test" {
		t.Fatalf("hosts %q, want normalised names", got)
	}
	for _, c := range st.Certs {
		if !strings.Contains(c.Issuer, "Pebble") {
			t.Fatalf("issuer %q for %s, want Pebble", c.Issuer, c.Host)
		}
	}

	roots := p.issuerRoots()
	client := httpsClient(t, s.HTTPSAddr(), roots)
	serials := map[string]string{}
	for _, host := range []string{"box.cabane.test", "alt.cabane.test"} {
		res, body := getHTTPS(t, client, host, "/w/abc")
		wantAppServed(t, res, body, "/w/abc")
		serials[host] = res.TLS.PeerCertificates[0].SerialNumber.String()
		if _, err := os.Stat(filepath.Join(cache, host)); err != nil {
			t.Fatalf("certificate for %s not in the cache directory: %v", host, err)
		}
	}
	if serials["box.cabane.test"] == serials["alt.cabane.test"] {
		t.Fatal("both hosts got the same certificate, want one each")
	}

	// Public host on plain HTTP: to HTTPS, port dropped, path and query kept.
	res, _ := getHTTP(t, s.HTTPAddr(), "BOX.cabane.test:8080", "/w/abc?start=10&t=1")
	wantRedirect(t, res, http.StatusFound, "https://box.cabane.test/w/abc?start=10&t=1")
	// The LAN stays on plain HTTP.
	res, body := getHTTP(t, s.HTTPAddr(), "cabane.local", "/c/chan")
	wantAppServed(t, res, body, "/c/chan")

	client.CloseIdleConnections()
	stop()
	p.stop() // any new order would now fail

	s2 := newServer(t, cfg)
	run(t, s2)
	st = waitState(t, s2, StateOK, 10*time.Second)
	if st.LastError != "" {
		t.Fatalf("restart status: %+v", st)
	}
	client = httpsClient(t, s2.HTTPSAddr(), roots)
	for host, serial := range serials {
		res, body := getHTTPS(t, client, host, "/")
		wantAppServed(t, res, body, "/")
		if got := res.TLS.PeerCertificates[0].SerialNumber.String(); got != serial {
			t.Fatalf("after restart %s serves serial %s, want the cached %s", host, got, serial)
		}
	}
}

// HTTP-01 only: Pebble's TLS-ALPN-01 port leads nowhere, so autocert's
// first choice fails and the certificate can only come through HTTP-01.
func TestACMEHTTP01(t *testing.T) {
	p := newPebble(t)
	s := newServer(t, acmeConfig(p, filepath.Join(t.TempDir(), "certs"), "box.cabane.test"))
	p.start(portOf(t, s.HTTPAddr()), closedPort(t))
	began := time.Now()
	run(t, s)
	waitState(t, s, StateOK, 30*time.Second)
	t.Logf("figure: certificate issued by Pebble through HTTP-01 (after a failed TLS-ALPN-01) in %v", time.Since(began).Round(time.Millisecond))

	if hits := s.acme["box.cabane.test"].challengeHits.Load(); hits == 0 {
		t.Fatal("no HTTP-01 validation request reached the box")
	}
	res, body := getHTTPS(t, httpsClient(t, s.HTTPSAddr(), p.issuerRoots()), "box.cabane.test", "/videos/watch/x")
	wantAppServed(t, res, body, "/videos/watch/x")
	if !strings.Contains(res.TLS.PeerCertificates[0].Issuer.CommonName, "Pebble") {
		t.Fatalf("issuer %q, want Pebble", res.TLS.PeerCertificates[0].Issuer)
	}
}

// An unreachable CA leaves HTTP serving the app (no redirect to an HTTPS
// that has no certificate), shows the failure in plain words, and the
// background retry gets the certificate once the CA comes back.
func TestACMEUnreachableKeepsHTTPServing(t *testing.T) {
	p := newPebble(t) // not started: its directory URL refuses connections
	s := newServer(t, acmeConfig(p, filepath.Join(t.TempDir(), "certs"), "box.cabane.test"))
	run(t, s)

	st := waitState(t, s, StateFailing, 10*time.Second)
	if !strings.HasPrefix(st.LastError, "Cannot reach the certificate authority") || strings.Contains(st.LastError, "dial tcp") {
		t.Fatalf("last error %q, want plain words about reaching the CA", st.LastError)
	}
	if st.NextRetry.IsZero() || !st.NotAfter.IsZero() {
		t.Fatalf("status while failing: %+v", st)
	}
	res, body := getHTTP(t, s.HTTPAddr(), "box.cabane.test", "/w/abc?x=1")
	wantAppServed(t, res, body, "/w/abc")
	if err := handshakeFails(s.HTTPSAddr(), "box.cabane.test"); err != nil {
		t.Fatal(err)
	}

	p.start(closedPort(t), portOf(t, s.HTTPSAddr()))
	waitState(t, s, StateOK, 30*time.Second)
	res, _ = getHTTP(t, s.HTTPAddr(), "box.cabane.test", "/w/abc?x=1")
	wantRedirect(t, res, http.StatusFound, "https://box.cabane.test/w/abc?x=1")
}
