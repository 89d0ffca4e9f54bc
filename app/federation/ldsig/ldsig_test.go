package ldsig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/vocab"
)

func readPub(t *testing.T, pemText []byte) *rsa.PublicKey {
	t.Helper()
	b, _ := pem.Decode(pemText)
	if b == nil {
		t.Fatal("no PEM block")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PublicKey)
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A document Mastodon signed verifies here: the canonicalization, the
// contexts and the hashing agree with Mastodon's (and so PeerTube's,
// which checks Mastodon's signatures the same way).
func TestVerifiesMastodonSignature(t *testing.T) {
	doc := read(t, "mastodon-create-signed.json")
	pub := readPub(t, read(t, "mastodon-create-signed.pem"))
	if err := Verify(doc, pub); err != nil {
		t.Fatalf("Mastodon's signature: %v", err)
	}
	s, _ := Read(doc)
	if s.Creator != "https://activitypub.academy/users/brauca_darradiul#main-key" {
		t.Errorf("creator %q", s.Creator)
	}
	// Any change of meaning breaks it; a change of form does not.
	for name, edit := range map[string]func(map[string]any){
		"content":   func(d map[string]any) { d["object"].(map[string]any)["content"] = "<p>Tost</p>" },
		"audience":  func(d map[string]any) { d["cc"] = []any{} },
		"created":   func(d map[string]any) { d["signature"].(map[string]any)["created"] = "2024-09-12T16:50:47Z" },
		"value":     func(d map[string]any) { d["signature"].(map[string]any)["signatureValue"] = "AQIDBA==" },
		"not b64":   func(d map[string]any) { d["signature"].(map[string]any)["signatureValue"] = "!" },
		"objectId":  func(d map[string]any) { d["object"].(map[string]any)["id"] = "https://evil.example/notes/1" },
		"published": func(d map[string]any) { d["published"] = "2024-09-12T16:50:44Z" },
	} {
		var d map[string]any
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		edit(d)
		b, _ := json.Marshal(d)
		if err := Verify(b, pub); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s changed: %v, want ErrInvalid", name, err)
		}
	}
	var d map[string]any
	_ = json.Unmarshal(doc, &d)
	compact, _ := json.Marshal(d) // keys sorted, spaces gone
	if err := Verify(compact, pub); err != nil {
		t.Errorf("re-encoded: %v", err)
	}
}

// PeerTube's negative vector: Mastodon's Create with a broken signature.
func TestRefusesPeerTubeBadSignatureFixture(t *testing.T) {
	var key struct {
		PublicKey string `json:"publicKey"`
	}
	if err := json.Unmarshal(read(t, "mastodon-public-key.json"), &key); err != nil {
		t.Fatal(err)
	}
	if err := Verify(read(t, "mastodon-create-note-reply-bad-ld-signature.json"), readPub(t, []byte(key.PublicKey))); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad signature: %v, want ErrInvalid", err)
	}
}

// A video's Update as a Cabane sent it (captured from
// TestPeerTubeTakesCabaneSignatures, where PeerTube's check took it) signs
// and verifies here too.
func TestSignsCabaneVideoUpdate(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	signed, err := Sign(read(t, "cabane-update-video.json"), key, "http://127.0.0.1:43915/accounts/abe#main-key", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(signed, &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(signed, []byte(`"Nuthatch, upside down"`), []byte(`"Nuthatch, right side up"`), 1)
	if bytes.Equal(forged, signed) {
		t.Fatal("the title is not in the fixture")
	}
	if err := Verify(forged, &key.PublicKey); !errors.Is(err, ErrInvalid) {
		t.Errorf("a changed title verified: %v", err)
	}
}

// What Cabane sends, signed here, verifies; the bytes before the
// signature are the document's own.
func TestSignRoundTrip(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	activity := []byte(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
		`{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017","pt":"https://joinpeertube.org/ns#","uuid":"pt:uuid"}],` +
		`"type":"Create","id":"https://box.example/videos/watch/u/comments/1/activity","actor":"https://box.example/accounts/ana",` +
		`"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["https://box.example/accounts/ana/followers"],` +
		`"object":{"type":"Note","id":"https://box.example/videos/watch/u/comments/1","content":"Bravo","size":12345678901,` +
		`"inReplyTo":"https://peertube.example/videos/watch/v","attributedTo":"https://box.example/accounts/ana"}}` + "\n")
	now := time.Date(2026, 12, 3, 8, 0, 0, 123e6, time.UTC)
	signed, err := Sign(activity, key, "https://box.example/accounts/ana#main-key", now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, bytes.TrimSuffix(bytes.TrimSpace(activity), []byte("}"))) {
		t.Errorf("the document's bytes changed:\n%s", signed)
	}
	if !json.Valid(signed) {
		t.Fatalf("not JSON: %s", signed)
	}
	s, err := Read(signed)
	if err != nil || s.Created != "2026-12-03T08:00:00.123Z" || s.Type != Type || s.Creator != "https://box.example/accounts/ana#main-key" {
		t.Fatalf("signature %+v %v", s, err)
	}
	if err := Verify(signed, &key.PublicKey); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if err := Verify(signed, &other.PublicKey); !errors.Is(err, ErrInvalid) {
		t.Errorf("another key: %v", err)
	}
	forged := bytes.Replace(signed, []byte(`"Bravo"`), []byte(`"Buy now"`), 1)
	if err := Verify(forged, &key.PublicKey); !errors.Is(err, ErrInvalid) {
		t.Errorf("changed content: %v", err)
	}
	if _, err := Sign(signed, key, "k", now); err == nil {
		t.Error("signed twice")
	}
	empty, err := Sign([]byte(`{}`), key, "k", now)
	if err != nil || !json.Valid(empty) {
		t.Errorf("empty object: %s %v", empty, err)
	}
}

// Verification never fetches: a context that is not embedded is an error,
// and so is what is not a signed JSON object.
func TestRefusedInputs(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	remote := []byte(`{"@context":"https://evil.example/context.jsonld","type":"Like","actor":"https://a.example/u"}`)
	if _, err := Sign(remote, key, "k", time.Now()); err == nil || !strings.Contains(err.Error(), "evil.example") {
		t.Errorf("unknown context: %v", err)
	}
	for _, in := range []string{`[]`, `"x"`, `null`, `{`, `{"type":"Like"}`,
		`{"type":"Like","signature":{"type":"RsaSignature2018","creator":"k","signatureValue":"AA=="}}`,
		`{"type":"Like","signature":{"type":"RsaSignature2017","signatureValue":"AA=="}}`} {
		if err := Verify([]byte(in), &key.PublicKey); err == nil {
			t.Errorf("%s verified", in)
		}
	}
}

// The cost of signing one activity, which delivery pays once per activity
// (not per recipient): a Mastodon-sized Note, and the Update of a video a
// Cabane sent (7.6 kB, the whole Video object); BenchmarkRSA is the RSA
// signature alone, the floor, for a ratio on the same machine.
func BenchmarkSignUpdateVideo(b *testing.B) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	body, err := os.ReadFile("testdata/cabane-update-video.json")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		if _, err := Sign(body, key, "https://box.example/accounts/a#main-key", now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRSA(b *testing.B) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	digest := make([]byte, 32)
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignNote(b *testing.B) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	doc, err := os.ReadFile("testdata/mastodon-create-signed.json")
	if err != nil {
		b.Fatal(err)
	}
	var d map[string]any
	_ = json.Unmarshal(doc, &d)
	delete(d, "signature")
	body, _ := json.Marshal(d)
	now := time.Now()
	for b.Loop() {
		if _, err := Sign(body, key, "https://box.example/accounts/a#main-key", now); err != nil {
			b.Fatal(err)
		}
	}
}

// Every @context Cabane sends names only contexts embedded here, so each
// of its activities can be signed (delivery sends it unsigned otherwise).
func TestCabaneContextsSign(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, ctx := range map[string]vocab.Context{"actor": vocab.ActorContext, "group": vocab.GroupContext,
		"video": vocab.VideoContext, "note": vocab.NoteContext, "cachefile": vocab.CacheFileContext, "collection": vocab.CollectionContext} {
		doc := []byte(`{"@context":` + string(ctx) + `,"type":"Create","id":"https://box.example/a/1","actor":"https://box.example/accounts/ana",` +
			`"object":{"type":"CacheFile","id":"https://box.example/redundancy/1","object":"https://pt.example/videos/watch/v",` +
			`"expires":"2026-12-10T00:00:00.000Z","url":{"type":"Link","mediaType":"application/x-mpegURL","href":"https://box.example/static/redundancy/hls/v"}}}`)
		signed, err := Sign(doc, key, "https://box.example/accounts/ana#main-key", time.Now())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := Verify(signed, &key.PublicKey); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		// What the context gives meaning to is covered: the copy's
		// folder and expiry cannot be changed under the signature.
		forged := bytes.Replace(signed, []byte("https://box.example/static/redundancy/hls/v"), []byte("https://evil.example/hls/v"), 1)
		if err := Verify(forged, &key.PublicKey); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: a changed href verified: %v", name, err)
		}
	}
}
