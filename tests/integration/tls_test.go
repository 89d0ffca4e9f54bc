package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// writeCert makes a self-signed certificate for localhost.
func writeCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// `cabane serve --tls manual` serves HTTPS with the given certificate,
// redirects its public host from HTTP, and marks cookies Secure there.
func TestServeManualTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key, pool := writeCert(t, dir)
	httpAddr, httpsAddr := testrig.FreeAddr(t), testrig.FreeAddr(t)
	_, httpsPort, _ := strings.Cut(httpsAddr, ":")
	testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data"), Args: []string{"--tls", "manual", "--tls-cert", cert, "--tls-key", key,
		"--http-listen", httpAddr, "--https-listen", httpsAddr, "--public-url", "https://localhost:" + httpsPort}})
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get("https://" + httpsAddr + "/")
	if err != nil {
		t.Fatalf("HTTPS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
		t.Errorf("HTTPS /: %d → %s, want the setup redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	var secure bool
	for _, c := range resp.Cookies() {
		secure = secure || c.Secure && c.HttpOnly && c.SameSite == http.SameSiteLaxMode
	}
	if !secure {
		t.Errorf("cookies over HTTPS are not Secure/HttpOnly/SameSite=Lax: %v", resp.Header.Values("Set-Cookie"))
	}
	req, _ := http.NewRequest("GET", "http://"+httpAddr+"/w/abc?t=10", nil)
	req.Host = "localhost"
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 != 3 || !strings.HasPrefix(loc, "https://localhost") || !strings.HasSuffix(loc, "/w/abc?t=10") {
		t.Errorf("HTTP for the public host: %d → %q, want a redirect to HTTPS", resp.StatusCode, loc)
	}
}
