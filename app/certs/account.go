package certs

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// accountKeyName is where autocert keeps the ACME account key in its cache;
// using the same entry keeps the cache directory readable by autocert alone.
const accountKeyName = "acme_account+key"

// acmeAccount is what every host's Manager shares: the cache directory, the
// HTTP client towards the CA and the account key.
type acmeAccount struct {
	cache      autocert.DirCache
	httpClient *http.Client

	mu  sync.Mutex
	sig crypto.Signer
}

func newACMEAccount(cfg Config) *acmeAccount {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: cfg.CARoots, MinVersion: tls.VersionTLS12}
	return &acmeAccount{
		cache: autocert.DirCache(cfg.CacheDir),
		// A bound on every request, so an order abandoned at shutdown
		// (see acmeIssuer.obtain) does not linger on a dead connection.
		httpClient: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}
}

// key loads the account key from the cache, creating it on first use.
// Loading it once, before any Manager exists, keeps hosts ordering in
// parallel from each creating an account of their own.
func (a *acmeAccount) key(ctx context.Context) (crypto.Signer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sig != nil {
		return a.sig, nil
	}
	data, err := a.cache.Get(ctx, accountKeyName)
	switch {
	case err == nil:
		sig, perr := parseAccountKey(data)
		if perr != nil {
			return nil, fmt.Errorf("account key in %s: %w", a.cache, perr)
		}
		a.sig = sig
		return sig, nil
	case !errors.Is(err, autocert.ErrCacheMiss):
		return nil, fmt.Errorf("read account key from %s: %w", a.cache, err)
	}

	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate account key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("encode account key: %w", err)
	}
	var buf bytes.Buffer
	if err := pem.Encode(&buf, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}); err != nil {
		return nil, fmt.Errorf("encode account key: %w", err)
	}
	if err := a.cache.Put(ctx, accountKeyName, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("write account key to %s: %w", a.cache, err)
	}
	a.sig = k
	return k, nil
}

// parseAccountKey reads the PEM forms autocert writes and accepts.
func parseAccountKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	sig, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key of type %T cannot sign", k)
	}
	return sig, nil
}
