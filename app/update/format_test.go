package update

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
)

func testKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func signed(t testing.TB, priv ed25519.PrivateKey, m Manifest, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Sign(&b, priv, m, body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// open parses, accepts and copies a file as Stage does.
func open(file []byte, r Running) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(file))
	h, err := ReadHeader(br)
	if err != nil {
		return nil, err
	}
	if err := h.Accept(r); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = h.CopyBody(&out, br)
	return out.Bytes(), err
}

func TestUpdateFile(t *testing.T) {
	pub, priv := testKey(t)
	body := []byte("\x7fELF a static binary")
	m := Manifest{Version: "1.2.0", GOOS: "linux", GOARCH: "arm64"}
	good := signed(t, priv, m, body)
	pi := Running{Key: pub, GOOS: "linux", GOARCH: "arm64", Version: "1.1.0"}

	got, err := open(good, pi)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("a good file: %v, body %q", err, got)
	}
	if !strings.HasPrefix(string(good), Magic+"\n{") {
		t.Errorf("header starts %q", good[:40])
	}

	otherPub, otherPriv := testKey(t)
	flip := bytes.Clone(good)
	flip[len(Magic)+12] ^= 1 // inside the manifest
	tamperedBody := bytes.Clone(good)
	tamperedBody[len(tamperedBody)-1] ^= 1
	for _, c := range []struct {
		name string
		file []byte
		r    Running
		want string
		is   error
	}{
		{"other key", signed(t, otherPriv, m, body), pi, "", ErrBadSignature},
		{"running has another key", good, Running{Key: otherPub, GOOS: "linux", GOARCH: "arm64"}, "", ErrBadSignature},
		{"no key", good, Running{GOOS: "linux", GOARCH: "arm64"}, "", ErrNoKey},
		{"manifest altered", flip, pi, "", ErrNotUpdate},
		{"body altered", tamperedBody, pi, "sha256", nil},
		{"truncated body", good[:len(good)-3], pi, "truncated", nil},
		{"bytes after the body", append(bytes.Clone(good), 'x'), pi, "after its", nil},
		{"truncated header", good[:30], pi, "", ErrNotUpdate},
		{"wrong arch", good, Running{Key: pub, GOOS: "linux", GOARCH: "amd64", Version: "1"}, "this box is linux/amd64", nil},
		{"running version", good, Running{Key: pub, GOOS: "linux", GOARCH: "arm64", Version: "1.2.0"}, "already running", nil},
		{"not an update", []byte("#!/bin/sh\necho hi\n"), pi, "", ErrNotUpdate},
		{"empty", nil, pi, "", ErrNotUpdate},
	} {
		_, err := open(c.file, c.r)
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.is != nil && !errors.Is(err, c.is):
			t.Errorf("%s: %v, want %v", c.name, err, c.is)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v, want it to say %q", c.name, err, c.want)
		}
	}
}

// A manifest with a hostile version (a path) is refused even when signed:
// the version becomes a directory name.
func TestManifestVersionIsAName(t *testing.T) {
	_, priv := testKey(t)
	for _, v := range []string{"../../etc", "a/b", "", ".hidden", strings.Repeat("9", 65)} {
		if err := Sign(io.Discard, priv, Manifest{Version: v, GOOS: "linux", GOARCH: "arm64"}, []byte("x")); err == nil {
			t.Errorf("version %q signed", v)
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	if _, err := ParsePublicKey(""); !errors.Is(err, ErrNoKey) {
		t.Errorf("empty key: %v", err)
	}
	if _, err := ParsePublicKey("bm90IGEga2V5"); err == nil {
		t.Error("a short key accepted")
	}
	pub, _ := testKey(t)
	k, err := ParsePublicKey(base64.StdEncoding.EncodeToString(pub) + "\n")
	if err != nil || !k.Equal(pub) {
		t.Errorf("good key: %v", err)
	}
}

// FuzzParseUpdate: any bytes, hostile or cut anywhere, give an error or a
// verified body, never a panic, and never a body the key did not sign.
func FuzzParseUpdate(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(bytes.NewReader(make([]byte, 64))) // fixed: the corpus stays valid
	m := Manifest{Version: "2.0.0", GOOS: "linux", GOARCH: "arm64"}
	body := []byte("binary body")
	var good bytes.Buffer
	Sign(&good, priv, m, body)
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()/2])
	f.Add([]byte(Magic + "\n{}\n\n"))
	f.Add([]byte(Magic + "\n" + `{"version":"1","goos":"linux","goarch":"arm64","size":-1,"sha256":""}` + "\n"))
	f.Add([]byte(Magic + "\n" + strings.Repeat("{", 5000)))
	r := Running{Key: pub, GOOS: "linux", GOARCH: "arm64", Version: "1.0.0"}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := open(data, r)
		if err == nil && (!bytes.Equal(data, good.Bytes()) || !bytes.Equal(got, body)) {
			// Only the seed is signed by priv (ed25519 signatures are not
			// malleable, and nothing may follow the body).
			t.Fatalf("accepted a file the key did not sign: %q", data)
		}
	})
}
