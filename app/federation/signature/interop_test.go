package signature

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// signingString is the draft-cavage signing string written out by hand,
// as Mastodon and PeerTube build it: the raw (escaped) path, lower-case
// names, one "name: value" line each.
func signingString(method, rawTarget string, headers [][2]string) string {
	lines := []string{"(request-target): " + strings.ToLower(method) + " " + rawTarget}
	for _, h := range headers {
		lines = append(lines, h[0]+": "+h[1])
	}
	return strings.Join(lines, "\n")
}

// A request signed by another implementation over the raw path verifies,
// escapes and query included.
func TestVerifyChecksTheRawPathAsOthersSignIt(t *testing.T) {
	key, _ := testKeys(t)
	const target = "/video-channels/caf%C3%A9%20noir/inbox?x=%2F"
	sum := sha256.Sum256(like)
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	date := t0.Format(http.TimeFormat)
	s := signingString("POST", target, [][2]string{{"host", "cabane.example"}, {"date", date}, {"digest", digest}, {"content-type", "application/activity+json"}})
	h := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(string(like)))
	r.Host = "cabane.example"
	r.Header.Set("Date", date)
	r.Header.Set("Digest", digest)
	r.Header.Set("Content-Type", "application/activity+json")
	r.Header.Set("Signature", `keyId="`+KeyID(actorIRI)+`",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="`+base64.StdEncoding.EncodeToString(sig)+`"`)
	if _, err := verifierAt(keySource(KeyID(actorIRI), &key.PublicKey), t0).Verify(context.Background(), r, like); err != nil {
		t.Fatal(err)
	}
}

// What we sign is what others check: the signing string over the raw path.
func TestSignerSignsTheRawPath(t *testing.T) {
	key, _ := testKeys(t)
	r, _ := http.NewRequest(http.MethodGet, "https://gts.example/users/caf%C3%A9?page=true", nil)
	if err := (Signer{Now: func() time.Time { return t0 }}).Sign(r, key, KeyID(actorIRI), nil); err != nil {
		t.Fatal(err)
	}
	p, err := parseParams(r.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(p.signature)
	s := signingString("GET", "/users/caf%C3%A9?page=true", [][2]string{{"host", "gts.example"}, {"date", t0.Format(http.TimeFormat)}})
	h := sha256.Sum256([]byte(s))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, h[:], sig); err != nil {
		t.Errorf("signature is not over %q: %v", s, err)
	}
}
