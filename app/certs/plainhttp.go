package certs

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

const challengePrefix = "/.well-known/acme-challenge/"

// serveHTTP is the plain HTTP listener's handler. It answers HTTP-01
// challenges, sends requests for a public host that has a working
// certificate to HTTPS, and serves the app for everything else: the LAN
// (cabane.local, the box's IP) and public hosts still waiting for a
// certificate, so a failing ACME never leaves the site unreachable.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	host := normalizeHost(r.Host)
	if iss := s.acme[host]; iss != nil && strings.HasPrefix(r.URL.Path, challengePrefix) {
		iss.serveChallenge(w, r)
		return
	}
	if s.httpsReady(host) {
		redirectToHTTPS(w, r, host)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// redirectToHTTPS keeps the path and query and drops the port: the public
// HTTPS port is 443 even when the box listens elsewhere behind a router.
// The redirect is temporary (302, or 307 keeping the method and body for
// non-GET requests) so that switching TLS off later does not leave browsers
// with a cached redirect to a dead port.
func redirectToHTTPS(w http.ResponseWriter, r *http.Request, host string) {
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	target := "https://" + host + r.URL.RequestURI()
	code := http.StatusFound
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		code = http.StatusTemporaryRedirect
	}
	http.Redirect(w, r, target, code)
}

// httpsReady reports whether HTTPS can serve host right now.
func (s *Server) httpsReady(host string) bool {
	switch s.cfg.Mode {
	case ModeACME:
		s.mu.Lock()
		defer s.mu.Unlock()
		h := s.hosts[host]
		return h != nil && h.leaf != nil
	case ModeManual:
		c, err := s.manual.get(time.Now())
		if err != nil || c.Leaf == nil || time.Now().After(c.Leaf.NotAfter) {
			return false
		}
		// Configured hosts only (all the certificate's names when none
		// are), and only those the certificate names: a redirect to a
		// name mismatch would be worse than plain HTTP. IP addresses (the
		// LAN) stay on HTTP even if the certificate happens to name one.
		if len(s.cfg.Hosts) > 0 && !slices.Contains(s.cfg.Hosts, host) {
			return false
		}
		return net.ParseIP(host) == nil && c.Leaf.VerifyHostname(host) == nil
	}
	return false
}
