// Package signature signs Cabane's outgoing ActivityPub requests and
// verifies incoming ones with HTTP signatures as the fediverse uses them
// (draft-cavage-http-signatures, RSA-SHA256), on github.com/go-fed/httpsig:
// the library builds the signing string and does the RSA work; this
// package decides what must be signed, checks Date and Digest, finds keys
// (app/federation/keys) and says why a request is refused.
package signature

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// KeyID is the keyId of a local actor's key: its IRI and #main-key, as
// PeerTube and Mastodon name theirs.
func KeyID(actorIRI string) string { return actorIRI + "#main-key" }

// The headers signed, PeerTube's: with a body its Digest too.
var (
	headersWithBody    = []string{httpsig.RequestTarget, "host", "date", "digest"}
	headersWithoutBody = []string{httpsig.RequestTarget, "host", "date"}
)

// algorithmLabel is what the Signature header's algorithm says: PeerTube
// before 7.x (the Joyent parser) refuses go-fed's hs2019 label.
const algorithmLabel = "rsa-sha256"

// Signer signs requests. The zero value uses the real clock.
type Signer struct {
	Now func() time.Time
}

// Sign sets Date, Host (for the signature; the transport sends r.Host),
// Digest when there is a body, and the Signature header of r, signed with
// key under keyID. body is r's body (nil for a GET): POSTs sign
// (request-target) host date digest, GETs (request-target) host date.
func (s Signer) Sign(r *http.Request, key *rsa.PrivateKey, keyID string, body []byte) error {
	if strings.ContainsAny(keyID, "\",") {
		return fmt.Errorf("sign: keyId %q has a quote or comma", keyID)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	headers := headersWithoutBody
	if body != nil || r.Method == http.MethodPost {
		headers = headersWithBody
		if body == nil {
			body = []byte{}
		}
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	r.Header.Set("Date", now().UTC().Format(http.TimeFormat))
	r.Header.Set("Host", host)
	r.Header.Del("Digest") // the library adds it, and refuses to replace one
	r.Header.Del("Signature")
	// A signer holds hash state: one per request (it is cheap).
	signer, algo, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil || algo != httpsig.RSA_SHA256 {
		return fmt.Errorf("sign: signer %s: %v", algo, err)
	}
	err = signer.SignRequest(key, keyID, wireTarget(r), body)
	r.Header.Del("Host") // the transport writes r.Host; never a second Host line
	if err != nil {
		return fmt.Errorf("sign %s %s: %w", r.Method, r.URL, err)
	}
	// go-fed v1.1.0 always labels the algorithm hs2019, which PeerTube
	// refuses; the label is not part of what is signed, so say rsa-sha256.
	sig := r.Header.Get("Signature")
	prefix := `keyId="` + keyID + `",algorithm="hs2019",`
	if !strings.HasPrefix(sig, prefix) {
		return fmt.Errorf("sign: unexpected Signature header from the library: %q", sig)
	}
	r.Header.Set("Signature", `keyId="`+keyID+`",algorithm="`+algorithmLabel+`",`+sig[len(prefix):])
	return nil
}

// wireTarget returns a shallow copy of r whose URL.Path is the path as
// sent on the wire (percent-escapes kept): go-fed signs URL.Path, which Go
// decodes, while Mastodon and PeerTube sign and check the raw path. The
// copy shares r's Header, so what the library sets lands on r.
func wireTarget(r *http.Request) *http.Request {
	u := *r.URL
	if r.RequestURI != "" && strings.HasPrefix(r.RequestURI, "/") {
		// A server's request: exactly what the client sent.
		u.Path, u.RawQuery, _ = strings.Cut(r.RequestURI, "?")
	} else {
		u.Path = r.URL.EscapedPath()
	}
	u.RawPath = ""
	c := *r
	c.URL = &u
	return &c
}
