package certs

import (
	"context"
	"crypto"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// acmeIssuer obtains and serves the certificate of one public host.
//
// Each host has its own autocert.Manager so that replacing one after a
// failure (see reset) never disturbs another host's certificate or its
// renewal timer. All Managers share the cache directory and the account.
type acmeIssuer struct {
	host    string
	account *acmeAccount
	cfg     Config

	cur atomic.Pointer[managerGen] // nil until the first attempt

	// challengeHits counts validation requests from the CA that reached
	// this box (HTTP-01 token fetches, TLS-ALPN-01 handshakes): the
	// admin page tells "never reached" from "reached but failed".
	challengeHits atomic.Int64
}

// managerGen is one autocert.Manager with its HTTP-01 handler.
type managerGen struct {
	m         *autocert.Manager
	challenge http.Handler
}

func newACMEIssuer(host string, account *acmeAccount, cfg Config) *acmeIssuer {
	return &acmeIssuer{host: host, account: account, cfg: cfg}
}

// obtain returns the host's certificate: from the Manager's memory, from
// the cache directory, or from a new ACME order. It is the only path that
// orders certificates: TLS handshakes never do (see getCertificate).
//
// autocert runs the order under its own five-minute context, which ctx
// cannot cancel; when ctx ends first, obtain returns and the order finishes
// (or times out) on its own.
func (a *acmeIssuer) obtain(ctx context.Context) (*tls.Certificate, error) {
	gen := a.cur.Load()
	if gen == nil {
		key, err := a.account.key(ctx)
		if err != nil {
			return nil, err
		}
		gen = a.newGen(key)
		a.cur.Store(gen)
	}
	type result struct {
		cert *tls.Certificate
		err  error
	}
	done := make(chan result, 1)
	go func() {
		c, err := gen.m.GetCertificate(ecdsaHello(a.host))
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		return r.cert, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// reset drops the Manager after a failed attempt. autocert remembers a
// failed order for a minute and answers "missing certificate" meanwhile;
// a fresh Manager makes the next attempt a real one whatever the backoff.
// It is only called while the host has no certificate, so no renewal timer
// is left behind.
func (a *acmeIssuer) reset() {
	if gen := a.cur.Load(); gen != nil {
		a.cur.Store(a.newGen(gen.m.Client.Key))
	}
}

func (a *acmeIssuer) newGen(key crypto.Signer) *managerGen {
	m := &autocert.Manager{
		Prompt: autocert.AcceptTOS,
		Cache:  a.account.cache,
		// One Manager per host: it may only ever order for that host.
		HostPolicy: func(_ context.Context, host string) error {
			if normalizeHost(host) != a.host {
				return fmt.Errorf("host %q is not %q", host, a.host)
			}
			return nil
		},
		Email: a.cfg.Email,
		Client: &acme.Client{
			Key:          key,
			DirectoryURL: a.cfg.DirectoryURL,
			HTTPClient:   a.account.httpClient,
			UserAgent:    "cabane",
			RetryBackoff: acmeRetryBackoff,
		},
	}
	// HTTPHandler also switches the Manager to try HTTP-01 after
	// TLS-ALPN-01. The fallback is never used: serveHTTP only sends
	// challenge paths here.
	return &managerGen{m: m, challenge: m.HTTPHandler(http.NotFoundHandler())}
}

// tokenCert answers a TLS-ALPN-01 validation handshake.
func (a *acmeIssuer) tokenCert(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	a.challengeHits.Add(1)
	gen := a.cur.Load()
	if gen == nil {
		return nil, fmt.Errorf("no tls-alpn-01 challenge pending for %q", a.host)
	}
	return gen.m.GetCertificate(hello)
}

// cert returns the certificate obtain already got; only call it once
// obtain has succeeded, or it would order one inside a TLS handshake.
func (a *acmeIssuer) cert() (*tls.Certificate, error) {
	gen := a.cur.Load()
	if gen == nil {
		return nil, fmt.Errorf("no certificate for %q yet", a.host)
	}
	return gen.m.GetCertificate(ecdsaHello(a.host))
}

// serveChallenge answers an HTTP-01 token request.
func (a *acmeIssuer) serveChallenge(w http.ResponseWriter, r *http.Request) {
	a.challengeHits.Add(1)
	gen := a.cur.Load()
	if gen == nil {
		http.NotFound(w, r)
		return
	}
	gen.challenge.ServeHTTP(w, r)
}

// ecdsaHello is the ClientHello autocert sees for every certificate it
// serves. Passing the real hello would make autocert order a second, RSA
// certificate inside the handshake of any client it judges ECDSA-less;
// every TLS 1.2+ client in use supports ECDSA P-256, so one certificate per
// host, ordered in the background, is enough.
func ecdsaHello(host string) *tls.ClientHelloInfo {
	return &tls.ClientHelloInfo{
		ServerName:   host,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	}
}

// wantsTokenCert reports whether a handshake is a TLS-ALPN-01 validation:
// the CA offers exactly the acme-tls/1 protocol (RFC 8737).
func wantsTokenCert(hello *tls.ClientHelloInfo) bool {
	return len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acme.ALPNProto
}

// errNoLeaf would mean autocert handed back a certificate it did not parse.
var errNoLeaf = errors.New("certificate without a parsed leaf")
