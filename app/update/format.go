// Package update installs signed Cabane releases next to the factory
// binary and rolls them back by itself when they do not come up healthy.
//
// A release is one file, cabane-<version>-linux-<arch>.update:
//
//	cabane-update 1\n
//	{"version":"…","goos":"linux","goarch":"arm64","size":N,"sha256":"…"}\n
//	<base64 ed25519 signature of the two lines above, newlines included>\n
//	<N bytes: the static binary>
//
// The header is text so that `head -3` shows what a file is; the signature
// covers the manifest, and the manifest's size and sha256 cover the body.
package update

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Magic is the first line of every update file.
const Magic = "cabane-update 1"

const (
	maxManifestLine = 1024 // the manifest is ~150 bytes; anything longer is not ours
	maxSignatureB64 = 128  // 64 bytes in base64 is 88 characters
	// MaxBinary bounds the body: the static binary is ~30 MiB; the admin
	// page's upload limit is a little above this.
	MaxBinary = 60 << 20
)

// Manifest says what the body is.
type Manifest struct {
	Version string `json:"version"`
	GOOS    string `json:"goos"`
	GOARCH  string `json:"goarch"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// versionRE keeps a version usable as a directory name and in a log line.
var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+_~-]{0,63}$`)

func (m Manifest) check() error {
	if !versionRE.MatchString(m.Version) {
		return fmt.Errorf("version %q is not a release version", m.Version)
	}
	if m.Size <= 0 || m.Size > MaxBinary {
		return fmt.Errorf("size %d is outside 1..%d bytes", m.Size, MaxBinary)
	}
	if b, err := hex.DecodeString(m.SHA256); err != nil || len(b) != sha256.Size {
		return fmt.Errorf("sha256 %q is not a SHA-256 in hex", m.SHA256)
	}
	if m.GOOS == "" || m.GOARCH == "" {
		return errors.New("goos and goarch are required")
	}
	return nil
}

// Header is a parsed, not yet verified, update header.
type Header struct {
	Manifest
	signed    []byte // the bytes the signature covers
	signature []byte
}

// Errors a caller may tell apart.
var (
	ErrNotUpdate    = errors.New("not a Cabane update file")
	ErrBadSignature = errors.New("the signature does not match this Cabane's release key")
	ErrNoKey        = errors.New("this build cannot be updated: it has no release key")
)

// ReadHeader reads the three header lines from r, leaving r at the first
// byte of the body. It checks the shape, not the signature.
func ReadHeader(r *bufio.Reader) (Header, error) {
	var h Header
	var signed bytes.Buffer
	magic, err := readLine(r, len(Magic)+1)
	if err != nil || magic != Magic {
		return h, fmt.Errorf("%w: the first line is not %q", ErrNotUpdate, Magic)
	}
	signed.WriteString(magic + "\n")
	line, err := readLine(r, maxManifestLine)
	if err != nil {
		return h, fmt.Errorf("%w: manifest line: %v", ErrNotUpdate, err)
	}
	signed.WriteString(line + "\n")
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h.Manifest); err != nil {
		return h, fmt.Errorf("%w: manifest: %v", ErrNotUpdate, err)
	}
	if dec.More() {
		return h, fmt.Errorf("%w: manifest: text after the JSON object", ErrNotUpdate)
	}
	if err := h.Manifest.check(); err != nil {
		return h, fmt.Errorf("%w: manifest: %v", ErrNotUpdate, err)
	}
	sig, err := readLine(r, maxSignatureB64)
	if err != nil {
		return h, fmt.Errorf("%w: signature line: %v", ErrNotUpdate, err)
	}
	h.signature, err = base64.StdEncoding.DecodeString(sig)
	if err != nil || len(h.signature) != ed25519.SignatureSize {
		return h, fmt.Errorf("%w: the signature line is not a base64 ed25519 signature", ErrNotUpdate)
	}
	h.signed = signed.Bytes()
	return h, nil
}

// readLine reads one \n-terminated line of at most max bytes, without the
// newline. A longer line is an error: a hostile file cannot make it buffer
// more.
func readLine(r *bufio.Reader, max int) (string, error) {
	var b []byte
	for len(b) <= max {
		c, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		if c == '\n' {
			return string(b), nil
		}
		b = append(b, c)
	}
	return "", fmt.Errorf("line longer than %d bytes", max)
}

// Verify checks the signature with the release key.
func (h Header) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return ErrNoKey
	}
	if !ed25519.Verify(pub, h.signed, h.signature) {
		return ErrBadSignature
	}
	return nil
}

// CopyBody copies exactly the manifest's size from r to w and checks the
// sha256; a short, long or altered body is an error (w then holds junk
// that the caller must discard).
func (h Header) CopyBody(w io.Writer, r io.Reader) error {
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, sum), io.LimitReader(r, h.Size))
	if err != nil {
		return fmt.Errorf("read the binary: %w", err)
	}
	if n < h.Size {
		return fmt.Errorf("the file is truncated: the binary has %d of its %d bytes", n, h.Size)
	}
	var extra [1]byte
	if k, _ := io.ReadFull(r, extra[:]); k > 0 {
		return fmt.Errorf("the file has bytes after its %d-byte binary", h.Size)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != strings.ToLower(h.SHA256) {
		return fmt.Errorf("the binary's sha256 is %s, the signed manifest says %s", got, h.SHA256)
	}
	return nil
}

// ParsePublicKey decodes the release key built into the binary.
func ParsePublicKey(b64 string) (ed25519.PublicKey, error) {
	if b64 == "" {
		return nil, ErrNoKey
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("the release key built into this binary is not a base64 ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// Sign writes an update file: header for m (its Size and SHA256 are
// computed from body) and the body.
func Sign(w io.Writer, priv ed25519.PrivateKey, m Manifest, body []byte) error {
	sum := sha256.Sum256(body)
	m.Size, m.SHA256 = int64(len(body)), hex.EncodeToString(sum[:])
	if err := m.check(); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	js, err := json.Marshal(m)
	if err != nil {
		return err
	}
	header := Magic + "\n" + string(js) + "\n"
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(header)))
	if _, err := io.WriteString(w, header+sig+"\n"); err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

// Running is what the running binary is: an update must be signed for its
// key, built for its OS and architecture, and another version.
type Running struct {
	Key     ed25519.PublicKey
	GOOS    string
	GOARCH  string
	Version string
}

// Accept verifies the signature first (nothing unsigned is believed), then
// the target and the version.
func (h Header) Accept(r Running) error {
	if err := h.Verify(r.Key); err != nil {
		return err
	}
	if h.GOOS != r.GOOS || h.GOARCH != r.GOARCH {
		return fmt.Errorf("this update is for %s/%s; this box is %s/%s", h.GOOS, h.GOARCH, r.GOOS, r.GOARCH)
	}
	if h.Version == r.Version {
		return fmt.Errorf("version %s is already running", h.Version)
	}
	return nil
}
