// Package certs serves Cabane over HTTP and, when configured, HTTPS: with
// certificates from an ACME certificate authority (Let's Encrypt by default)
// through golang.org/x/crypto/acme/autocert, or with files given by the
// admin. A failing certificate authority never stops the server: plain HTTP
// keeps serving the LAN while issuance is retried in the background.
package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
	"golang.org/x/net/idna"
)

// TLS modes, as written in the configuration.
const (
	ModeOff    = "off"    // plain HTTP only (the default)
	ModeACME   = "acme"   // certificates from an ACME CA
	ModeManual = "manual" // certificate and key files given by the admin
)

// Config chooses how Cabane serves HTTP and HTTPS.
type Config struct {
	Mode string // ModeOff (default when empty), ModeACME or ModeManual

	// Hosts are the public host names (acme: required, one certificate
	// each; manual: the names redirected to HTTPS, defaulting to the
	// certificate's names). Ports and case are ignored.
	Hosts []string

	Email        string         // ACME contact, optional
	DirectoryURL string         // ACME directory; empty = Let's Encrypt production
	CacheDir     string         // ACME account key and certificates (data/certs)
	CARoots      *x509.CertPool // trust for the ACME server's own HTTPS; nil = system roots

	// HTTPAddr defaults to ":80"; in ModeOff it is the caller's listen
	// address. HTTPSAddr defaults to ":443" and is unused in ModeOff.
	HTTPAddr, HTTPSAddr string

	CertFile, KeyFile string // ModeManual: PEM files

	// RetryMin and RetryMax bound the exponential backoff between failed
	// issuance attempts (defaults 2 min and 1 h, chosen to stay under
	// Let's Encrypt's 5 failed validations per host per hour).
	RetryMin, RetryMax time.Duration

	// ShutdownTimeout bounds the graceful shutdown once Run's context ends
	// (default 10 s).
	ShutdownTimeout time.Duration
}

// Defaults, exported so the configuration package can show them.
const (
	DefaultHTTPAddr        = ":80"
	DefaultHTTPSAddr       = ":443"
	DefaultRetryMin        = 2 * time.Minute
	DefaultRetryMax        = time.Hour
	DefaultShutdownTimeout = 10 * time.Second
)

// withDefaults returns a copy of c with defaults filled in and host names
// normalised, or an error naming the first setting that cannot work.
func (c Config) withDefaults() (Config, error) {
	if c.Mode == "" {
		c.Mode = ModeOff
	}
	c.Mode = strings.ToLower(c.Mode)
	if c.HTTPAddr == "" {
		c.HTTPAddr = DefaultHTTPAddr
	}
	if c.HTTPSAddr == "" {
		c.HTTPSAddr = DefaultHTTPSAddr
	}
	if c.RetryMin <= 0 {
		c.RetryMin = DefaultRetryMin
	}
	if c.RetryMax <= 0 {
		c.RetryMax = DefaultRetryMax
	}
	if c.RetryMax < c.RetryMin {
		c.RetryMax = c.RetryMin
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.DirectoryURL == "" {
		c.DirectoryURL = autocert.DefaultACMEDirectory
	}

	hosts, err := normalizeHosts(c.Hosts)
	if err != nil {
		return c, err
	}
	c.Hosts = hosts

	switch c.Mode {
	case ModeOff:
	case ModeACME:
		if len(c.Hosts) == 0 {
			return c, errors.New("tls mode acme needs at least one public host name")
		}
		for _, h := range c.Hosts {
			// autocert refuses names without a dot, and CAs refuse IPs
			// in DNS identifiers: fail at start-up rather than forever
			// in the background.
			if net.ParseIP(h) != nil || !strings.Contains(h, ".") {
				return c, fmt.Errorf("tls mode acme: %q is not a public DNS name", h)
			}
		}
		if c.CacheDir == "" {
			return c, errors.New("tls mode acme needs a cache directory")
		}
	case ModeManual:
		if c.CertFile == "" || c.KeyFile == "" {
			return c, errors.New("tls mode manual needs both a certificate file and a key file")
		}
	default:
		return c, fmt.Errorf("unknown tls mode %q (want off, acme or manual)", c.Mode)
	}
	return c, nil
}

// normalizeHosts lower-cases, strips ports and trailing dots, converts to
// Punycode and removes duplicates, keeping the configured order.
func normalizeHosts(in []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, raw := range in {
		h := normalizeHost(raw)
		if h == "" {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			return nil, fmt.Errorf("invalid host name %q", raw)
		}
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out, nil
}

// normalizeHost turns a Host header, SNI name or configured name into the
// form hosts are compared in: no port, no trailing dot, lower case,
// Punycode. It returns "" for a name that cannot be a host.
func normalizeHost(hostport string) string {
	h := strings.TrimSpace(hostport)
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimPrefix(strings.TrimSuffix(h, "]"), "[") // bare [::1]
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return ""
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	// idna.Lookup also lower-cases, so "Box.Example" and "box.example"
	// meet, as they do in autocert.
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return ""
	}
	return a
}
