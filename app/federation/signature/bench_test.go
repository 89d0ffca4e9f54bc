package signature

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"testing"
)

// BenchmarkVerifyLikePOST: one Like-sized inbox POST verified with a key
// already in memory (the inbox's common case): parse, Date, Digest, RSA.
func BenchmarkVerifyLikePOST(b *testing.B) {
	key, _ := testKeys(b)
	ks := keySource(KeyID(actorIRI), &key.PublicKey)
	v := verifierAt(ks, t0)
	r := signedPOST(b, key, like, t0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, like); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignLikePOST: what each delivery costs in signing.
func BenchmarkSignLikePOST(b *testing.B) {
	key, _ := testKeys(b)
	s := Signer{}
	b.ReportAllocs()
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPost, "https://peertube.example/accounts/x/inbox", nil)
		if err := s.Sign(r, key, KeyID(actorIRI), like); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseParams: the Signature header is outside input; parsing never
// panics, and what it accepts survives the canonical form.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{
		`keyId="https://a.example/u#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"`,
		`keyId="k", algorithm="hs2019", created=1, expires=2, headers="(created) host", signature="x"`,
		`keyId=k,signature=s`, `keyId="`, `=`, `,,,`, `headers=""`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseParams(s)
		if err != nil {
			return
		}
		q, err := parseParams(p.canonical())
		if err != nil || q.keyID != p.keyID || q.signature != p.signature || len(q.headers) != len(p.headers) {
			t.Fatalf("canonical form of %q is %q: %+v %v", s, p.canonical(), q, err)
		}
	})
}

// BenchmarkRSAVerifyOnly is the floor under BenchmarkVerifyLikePOST: one
// RSA-2048 PKCS#1 v1.5 verification and nothing else, for the ratio.
func BenchmarkRSAVerifyOnly(b *testing.B) {
	key, _ := testKeys(b)
	h := sha256.Sum256(like)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, h[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
