// Package keys holds the RSA keys of HTTP signatures: local actors' key
// pairs (generated once per actor, kept in the store), the PEM forms the
// fediverse exchanges, and the resolver that finds a remote actor's public
// key from a Signature header's keyId.
package keys

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrUnsupportedKey: the PEM holds no key, or a key that is not RSA.
var ErrUnsupportedKey = errors.New("keys: not an RSA key")

// EncodePrivatePEM writes a private key as PKCS#8 PEM.
func EncodePrivatePEM(k *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// EncodePublicPEM writes a public key as SPKI PEM (-----BEGIN PUBLIC KEY-----),
// the only form PeerTube accepts in an actor's publicKeyPem.
func EncodePublicPEM(k *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// ParsePrivatePEM reads a PKCS#8 PEM private key (what EncodePrivatePEM
// writes).
func ParsePrivatePEM(s string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("private key: %w", ErrUnsupportedKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key %T: %w", k, ErrUnsupportedKey)
	}
	return rk, nil
}

// ParsePublicPEM reads a remote actor's publicKeyPem: SPKI (BEGIN PUBLIC
// KEY, what Mastodon, PeerTube and GoToSocial send) or PKCS#1 (BEGIN RSA
// PUBLIC KEY, what some Misskey versions send).
func ParsePublicPEM(s string) (*rsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, fmt.Errorf("public key: no PEM block: %w", ErrUnsupportedKey)
	}
	switch b.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key %T: %w", k, ErrUnsupportedKey)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("public key: PEM block %q: %w", b.Type, ErrUnsupportedKey)
}
