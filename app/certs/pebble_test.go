package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// Pebble and pebble-challtestsrv come from scripts/install-pebble.sh, run
// once per test binary into the repository's .tools/bin.
var pebbleTools struct {
	once sync.Once
	dir  string
	err  error
}

func pebbleBinDir(t *testing.T) string {
	t.Helper()
	pebbleTools.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			pebbleTools.err = err
			return
		}
		dir := filepath.Join(root, ".tools", "bin")
		out, err := exec.Command(filepath.Join(root, "scripts", "install-pebble.sh"), dir).CombinedOutput()
		if err != nil {
			pebbleTools.err = fmt.Errorf("scripts/install-pebble.sh: %v\n%s", err, out)
			return
		}
		pebbleTools.dir = dir
	})
	if pebbleTools.err != nil {
		t.Fatal(pebbleTools.err)
	}
	return pebbleTools.dir
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test directory")
		}
		dir = parent
	}
}

// pebble is one Pebble ACME server with its own pebble-challtestsrv as DNS
// (answering every name with 127.0.0.1), all on loopback.
type pebble struct {
	t          *testing.T
	dir        string
	dirURL     string         // ACME directory
	mgmtURL    string         // Pebble's management interface
	tlsRoots   *x509.CertPool // trust for Pebble's own HTTPS (Config.CARoots)
	listenAddr string
	mgmtAddr   string
	dnsAddr    string
	dnsMgmt    string
	procs      []*exec.Cmd
	logs       []*bytes.Buffer
}

// newPebble prepares addresses and Pebble's HTTPS certificate; start runs it.
// The split lets a test build its Server (whose ports Pebble must validate
// against) with the directory URL before Pebble runs.
func newPebble(t *testing.T) *pebble {
	t.Helper()
	p := &pebble{t: t, dir: t.TempDir()}
	p.listenAddr = testrig.FreeAddr(t)
	p.mgmtAddr = testrig.FreeAddr(t)
	p.dnsAddr = freeUDPTCP(t)
	p.dnsMgmt = testrig.FreeAddr(t)
	p.dirURL = "https://" + p.listenAddr + "/dir"
	p.mgmtURL = "https://" + p.mgmtAddr
	certPEM, keyPEM := selfSigned(t, "pebble test listener", []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")})
	writeFile(t, filepath.Join(p.dir, "cert.pem"), certPEM)
	writeFile(t, filepath.Join(p.dir, "key.pem"), keyPEM)
	p.tlsRoots = x509.NewCertPool()
	p.tlsRoots.AppendCertsFromPEM(certPEM)
	return p
}

// start runs Pebble validating HTTP-01 on httpPort and TLS-ALPN-01 on
// tlsPort, and waits until its directory answers.
func (p *pebble) start(httpPort, tlsPort int) {
	t := p.t
	t.Helper()
	bin := pebbleBinDir(t)

	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":           p.listenAddr,
		"managementListenAddress": p.mgmtAddr,
		"certificate":             filepath.Join(p.dir, "cert.pem"),
		"privateKey":              filepath.Join(p.dir, "key.pem"),
		"httpPort":                httpPort,
		"tlsPort":                 tlsPort,
		"ocspResponderURL":        "",
		"retryAfter":              map[string]int{"authz": 1, "order": 1},
		"keyAlgorithm":            "ecdsa",
	}}
	js, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(p.dir, "pebble.json")
	writeFile(t, cfgPath, js)

	p.spawn(filepath.Join(bin, "pebble-challtestsrv"),
		"-http01", "", "-https01", "", "-doh", "", "-tlsalpn01", "",
		"-dnsserver", p.dnsAddr, "-management", p.dnsMgmt,
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
	waitTCP(t, p.dnsMgmt)

	p.spawn(filepath.Join(bin, "pebble"), "-config", cfgPath, "-dnsserver", p.dnsAddr)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.tlsRoots}}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := client.Get(p.dirURL)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pebble did not come up at %s: %v\n%s", p.dirURL, err, p.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *pebble) spawn(bin string, args ...string) {
	t := p.t
	cmd := exec.Command(bin, args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	// No sleeping before validation, no deliberately rejected nonces,
	// no authorization reuse: fast, and every order really validates.
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	p.procs = append(p.procs, cmd)
	p.logs = append(p.logs, &buf)
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("CERTS_PEBBLE_LOG") != "" {
			t.Logf("%s output:\n%s", filepath.Base(bin), buf.String())
		}
	})
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
}

// stop kills Pebble and its DNS: the CA becomes unreachable.
func (p *pebble) stop() {
	for _, c := range p.procs {
		c.Process.Kill()
		c.Wait()
	}
}

func (p *pebble) output() string {
	var s string
	for _, b := range p.logs {
		s += b.String()
	}
	return s
}

// issuerRoots is the pool a browser would need: Pebble's issuing root,
// fetched from its management interface (it is generated at each start).
func (p *pebble) issuerRoots() *x509.CertPool {
	t := p.t
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.tlsRoots}}}
	res, err := client.Get(p.mgmtURL + "/roots/0")
	if err != nil {
		t.Fatalf("fetch pebble root: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("pebble root is not PEM: %q", b)
	}
	return pool
}

// selfSigned makes a CA-capable self-signed ECDSA certificate.
func selfSigned(t testing.TB, cn string, names []string, ips []net.IP) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{cn}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		DNSNames:              names,
		IPAddresses:           ips,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// freeUDPTCP returns a loopback port free for both UDP and TCP (DNS).
func freeUDPTCP(t testing.TB) string {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := pc.LocalAddr().String()
		ln, err := net.Listen("tcp", addr)
		pc.Close()
		if err == nil {
			ln.Close()
			return addr
		}
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

func waitTCP(t testing.TB, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func portOf(t testing.TB, a net.Addr) int {
	t.Helper()
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// closedPort is a loopback port with no listener, for pointing Pebble's
// validation of the challenge type a test must not use.
func closedPort(t testing.TB) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(testrig.FreeAddr(t))
	n, _ := strconv.Atoi(p)
	return n
}
