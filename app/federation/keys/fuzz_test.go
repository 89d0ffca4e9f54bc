package keys

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedPEMs are the public keys of the captured actor documents in
// testdata (Mastodon, PeerTube, GoToSocial), as they arrived.
func seedPEMs(f *testing.F) (pems []string, docs [][]byte) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		docs = append(docs, b)
		var d struct {
			PublicKey any `json:"publicKey"`
		}
		_ = json.Unmarshal(b, &d)
		switch k := d.PublicKey.(type) {
		case string:
			pems = append(pems, k)
		case map[string]any:
			if s, ok := k["publicKeyPem"].(string); ok {
				pems = append(pems, s)
			}
		}
	}
	if len(pems) == 0 {
		f.Fatal("no PEM among the seeds")
	}
	return pems, docs
}

// The remote key parser never panics, and a key it accepts is a usable
// RSA key that survives the SPKI form Cabane publishes.
func FuzzParsePublicPEM(f *testing.F) {
	pems, _ := seedPEMs(f)
	for _, p := range pems {
		f.Add(p)
		// The same key as PKCS#1 (BEGIN RSA PUBLIC KEY, some Misskeys).
		if k, err := ParsePublicPEM(p); err == nil {
			f.Add(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(k)})))
		}
		// A block of the wrong kind.
		f.Add(strings.Replace(p, "PUBLIC KEY-----", "RSA PUBLIC KEY-----", 2))
	}
	f.Add("-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicPEM(s)
		if err != nil {
			return
		}
		if k == nil || k.N == nil || k.N.Sign() <= 0 || k.E <= 1 {
			t.Fatalf("accepted %q as %+v", s, k)
		}
		spki, err := EncodePublicPEM(k)
		if err != nil {
			t.Fatalf("accepted %q but cannot publish it: %v", s, err)
		}
		again, err := ParsePublicPEM(spki)
		if err != nil || !again.Equal(k) {
			t.Fatalf("SPKI round trip of %q: %v", s, err)
		}
	})
}

// The key document reader (an actor with publicKey as one object or an
// array, or a bare Key object such as GoToSocial's stub) never panics,
// and the key it finds is the one asked for, with a PEM.
func FuzzKeyDocument(f *testing.F) {
	_, docs := seedPEMs(f)
	for _, d := range docs {
		f.Add(d, "https://mastodon.example/users/a#main-key")
	}
	f.Add([]byte(`{"id":"https://a.example/u","publicKey":[{"id":"https://a.example/u#k","owner":"https://a.example/u","publicKeyPem":"x"}]}`), "https://a.example/u#k")
	f.Add([]byte(`{"id":"https://a.example/u/main-key","owner":"https://a.example/u","publicKeyPem":"x"}`), "https://a.example/u/main-key")
	f.Fuzz(func(t *testing.T, body []byte, keyID string) {
		d, err := parseDocument(body)
		if err != nil {
			return
		}
		k, ok := d.key(keyID)
		if !ok {
			return
		}
		if k.ID != keyID || k.PublicKeyPem == "" {
			t.Fatalf("asked for %q in %q, found %+v", keyID, body, k)
		}
		if pub, err := ParsePublicPEM(k.PublicKeyPem); err == nil && pub == (*rsa.PublicKey)(nil) {
			t.Fatal("nil key without an error")
		}
	})
}
