// Package ldsig signs and verifies activities with linked-data signatures
// (RsaSignature2017), as Mastodon and PeerTube do.
//
// An HTTP signature vouches for a request, not for the activity in it: a
// server that forwards somebody else's activity signs the request with
// its own key. PeerTube answers 403 to a forwarded activity unless its
// body carries a valid linked-data signature by the activity's actor
// (checkJsonLDSignature), and PeerTube forwards the activities about its
// videos (comments, likes, CacheFiles) to the videos' followers. So what
// Cabane sends is signed in the body too, and then reaches those
// followers when an origin forwards it.
//
// The signature covers the document's meaning, not its bytes: both the
// document (without its signature) and the signature's options (creator
// and created, under the identity/v1 context) are canonicalized to
// N-Quads with URDNA2015; the hex SHA-256 of the options, then of the
// document, concatenated, is signed with RSA-SHA256 (PKCS #1 v1.5).
//
// The contexts are embedded; a document naming any other context by URL
// is refused rather than fetched: verification never reaches the network.
package ldsig

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/piprate/json-gold/ld"
)

// Type is the signature type Mastodon and PeerTube make and check.
const Type = "RsaSignature2017"

// optionsContext is the context the signature options are canonicalized
// under (the signature suite's, not the document's).
const optionsContext = "https://w3id.org/identity/v1"

//go:embed contexts/*.jsonld
var contextFiles embed.FS

// contextURLs maps the contexts ActivityPub servers name to the files
// embedded here (http and https alike: documents use both).
var contextURLs = map[string]string{
	"https://www.w3.org/ns/activitystreams": "activitystreams.jsonld",
	"http://www.w3.org/ns/activitystreams":  "activitystreams.jsonld",
	"https://w3id.org/security/v1":          "security-v1.jsonld",
	"http://w3id.org/security/v1":           "security-v1.jsonld",
	"https://w3id.org/identity/v1":          "identity-v1.jsonld",
	"http://w3id.org/identity/v1":           "identity-v1.jsonld",
}

// ErrUnknownContext is a document naming a context that is not embedded.
var ErrUnknownContext = errors.New("ldsig: context not known here")

// ErrInvalid is a signature that does not match the document.
var ErrInvalid = errors.New("ldsig: signature does not match")

// Signature is the object a signed document carries as "signature".
type Signature struct {
	Type           string `json:"type"`
	Creator        string `json:"creator"`
	Created        string `json:"created"`
	SignatureValue string `json:"signatureValue"`
}

// loader serves the embedded contexts and nothing else.
type loader struct{}

func (loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	name, ok := contextURLs[u]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownContext, u)
	}
	b, err := contextFiles.ReadFile(path.Join("contexts", name))
	if err != nil {
		return nil, fmt.Errorf("ldsig: embedded context %s: %w", name, err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("ldsig: embedded context %s: %w", name, err)
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// canonicalHash is the hex SHA-256 of doc's URDNA2015 N-Quads.
func canonicalHash(doc map[string]any) (string, error) {
	opts := ld.NewJsonLdOptions("")
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.DocumentLoader = loader{}
	out, err := ld.NewJsonLdProcessor().Normalize(doc, opts)
	if err != nil {
		return "", fmt.Errorf("ldsig: canonicalize: %w", err)
	}
	nq, _ := out.(string)
	sum := sha256.Sum256([]byte(nq))
	return hex.EncodeToString(sum[:]), nil
}

// toBeSigned is what the RSA key signs for doc (its "signature" left out)
// and the signature's creator and created.
func toBeSigned(doc map[string]any, creator, created string) ([]byte, error) {
	optHash, err := canonicalHash(map[string]any{"@context": optionsContext, "creator": creator, "created": created})
	if err != nil {
		return nil, err
	}
	body := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "signature" {
			body[k] = v
		}
	}
	docHash, err := canonicalHash(body)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(optHash + docHash))
	return sum[:], nil
}

// Sign returns activity (a JSON object without a "signature") with a
// signature by key appended, its bytes otherwise unchanged. keyID names
// the key (the actor's IRI and #main-key): PeerTube fetches the actor at
// the part before '#', Mastodon the key document itself.
func Sign(activity []byte, key *rsa.PrivateKey, keyID string, now time.Time) ([]byte, error) {
	doc, err := decode(activity)
	if err != nil {
		return nil, err
	}
	if _, ok := doc["signature"]; ok {
		return nil, errors.New("ldsig: the document is signed already")
	}
	created := now.UTC().Format("2006-01-02T15:04:05.000Z")
	digest, err := toBeSigned(doc, keyID, created)
	if err != nil {
		return nil, err
	}
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest)
	if err != nil {
		return nil, fmt.Errorf("ldsig: sign: %w", err)
	}
	field, err := json.Marshal(Signature{Type: Type, Creator: keyID, Created: created, SignatureValue: base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		return nil, err
	}
	// Appended to the bytes as they are: re-encoding the whole document
	// would reorder its keys and could reformat its numbers.
	body := bytes.TrimRight(activity, " \t\r\n")
	out := make([]byte, 0, len(body)+len(field)+16)
	out = append(out, body[:len(body)-1]...)
	if len(doc) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"signature":`...)
	out = append(out, field...)
	return append(out, '}'), nil
}

// Read returns the signature a document carries, or an error when it has
// none or one of another type.
func Read(activity []byte) (Signature, error) {
	var d struct {
		Signature *Signature `json:"signature"`
	}
	if err := json.Unmarshal(activity, &d); err != nil {
		return Signature{}, fmt.Errorf("ldsig: %w", err)
	}
	switch {
	case d.Signature == nil:
		return Signature{}, errors.New("ldsig: the document is not signed")
	case d.Signature.Type != Type:
		return Signature{}, fmt.Errorf("ldsig: signature type %q, not %s", d.Signature.Type, Type)
	case d.Signature.Creator == "" || d.Signature.SignatureValue == "":
		return Signature{}, errors.New("ldsig: the signature lacks its creator or value")
	}
	return *d.Signature, nil
}

// Verify checks activity's signature against pub, the key of the
// signature's creator (Read names it; the caller fetches it and checks
// that it belongs to the activity's actor).
//
// The inbox does not call it: canonicalizing a graph chosen by a sender
// can take exponential time (URDNA2015 on crafted blank nodes), which a
// box this size cannot spare, and a forwarded activity is vouched for by
// its actor's own server instead (inbox/forward.go). The tests use it on
// Mastodon's signatures and Cabane's own.
func Verify(activity []byte, pub *rsa.PublicKey) error {
	s, err := Read(activity)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(s.SignatureValue)
	if err != nil {
		return fmt.Errorf("%w: signatureValue is not base64", ErrInvalid)
	}
	doc, err := decode(activity)
	if err != nil {
		return err
	}
	digest, err := toBeSigned(doc, s.Creator, s.Created)
	if err != nil {
		return err
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig); err != nil {
		return ErrInvalid
	}
	return nil
}

func decode(activity []byte) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(activity, &doc); err != nil {
		return nil, fmt.Errorf("ldsig: the document is not a JSON object: %w", err)
	}
	if doc == nil {
		return nil, errors.New("ldsig: the document is not a JSON object")
	}
	return doc, nil
}
