package certs

import (
	"crypto/tls"
	"fmt"
	"time"
)

// getCertificate is the HTTPS listener's tls.Config.GetCertificate.
//
// In ModeACME it answers TLS-ALPN-01 validations and serves certificates
// that the background loop already obtained; it never starts an order
// itself, so a scanner sending random SNI names, or a browser arriving
// while the CA is down, cannot burn the CA's rate limits. A name that is
// not one of the hosts (an IP address, no SNI) gets the first host's
// certificate: the browser shows a name mismatch rather than a failed
// handshake.
func (s *Server) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if s.manual != nil {
		return s.manual.get(time.Now())
	}
	name := normalizeHost(hello.ServerName)
	if wantsTokenCert(hello) {
		iss := s.acme[name]
		if iss == nil {
			return nil, fmt.Errorf("tls-alpn-01 for unknown host %q", hello.ServerName)
		}
		return iss.tokenCert(hello)
	}
	if s.httpsReady(name) {
		return s.acme[name].cert()
	}
	for _, h := range s.cfg.Hosts {
		if s.httpsReady(h) {
			return s.acme[h].cert()
		}
	}
	return nil, fmt.Errorf("no certificate for %q yet", hello.ServerName)
}
