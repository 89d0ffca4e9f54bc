package certs

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// manualCert serves the certificate and key files the admin gave, and
// reloads them when they change on disk, so a certificate renewed by an
// outside tool (certbot, a NAS's own ACME client) is picked up without a
// restart.
type manualCert struct {
	certFile, keyFile string
	checkEvery        time.Duration // how often the files' mtimes are looked at

	mu        sync.Mutex
	cert      *tls.Certificate // nil while the files cannot be loaded
	lastErr   string           // plain words
	lastTry   time.Time
	checked   time.Time
	certMtime time.Time
	keyMtime  time.Time
}

func newManualCert(certFile, keyFile string) *manualCert {
	m := &manualCert{certFile: certFile, keyFile: keyFile, checkEvery: 30 * time.Second}
	m.mu.Lock()
	m.reloadLocked(time.Now())
	m.mu.Unlock()
	return m
}

// get returns the current certificate, reloading it first if the files
// changed since the last check.
func (m *manualCert) get(now time.Time) (*tls.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.checked) >= m.checkEvery {
		m.reloadLocked(now)
	}
	if m.cert == nil {
		return nil, errors.New(m.lastErr)
	}
	return m.cert, nil
}

// reloadLocked loads the files if their modification times changed, or if
// nothing is loaded yet. A failed reload keeps the previous certificate:
// a half-written renewal must not take HTTPS down.
func (m *manualCert) reloadLocked(now time.Time) {
	m.checked = now
	cm, cerr := mtime(m.certFile)
	km, kerr := mtime(m.keyFile)
	if m.cert != nil && cerr == nil && kerr == nil && cm.Equal(m.certMtime) && km.Equal(m.keyMtime) {
		return
	}
	m.lastTry = now
	c, err := tls.LoadX509KeyPair(m.certFile, m.keyFile)
	if err != nil {
		m.lastErr = explainFileError(err, m.certFile, m.keyFile)
		return
	}
	m.cert, m.lastErr = &c, ""
	m.certMtime, m.keyMtime = cm, km
}

func (m *manualCert) status(hosts []string, now time.Time) HostStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Sub(m.checked) >= m.checkEvery {
		m.reloadLocked(now)
	}
	host := firstOr(hosts, "")
	if m.cert == nil {
		return HostStatus{Host: host, State: StateFailing, LastError: m.lastErr, LastTry: m.lastTry}
	}
	h := hostState{leaf: m.cert.Leaf, lastErr: m.lastErr, lastTry: m.lastTry}
	hs := h.status(host, now)
	for _, name := range hosts {
		if hs.LastError == "" && m.cert.Leaf.VerifyHostname(name) != nil {
			hs.LastError = fmt.Sprintf("The certificate in %s does not name %s: that host stays on plain HTTP.", m.certFile, name)
		}
	}
	return hs
}

func mtime(path string) (time.Time, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

func explainFileError(err error, certFile, keyFile string) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("The certificate file %s or key file %s does not exist.", certFile, keyFile)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("Cabane may not read the certificate file %s or key file %s.", certFile, keyFile)
	}
	return fmt.Sprintf("The certificate file %s and key file %s cannot be used together: %v", certFile, keyFile, err)
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}
