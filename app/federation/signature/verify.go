package signature

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/go-fed/httpsig"

	"cabane.dev/cabane/app/federation/keys"
)

// KeySource finds remote keys (keys.Resolver).
type KeySource interface {
	Key(ctx context.Context, keyID string) (*keys.Remote, error)
	// Refresh fetches the key again after a failed verification (a
	// rotated key), or refuses when it was fetched too recently.
	Refresh(ctx context.Context, keyID string) (*keys.Remote, error)
}

// MaxSkew is how far Date may be from now, either way: PeerTube's
// CLOCK_SKEW_SECONDS (1800).
const MaxSkew = 30 * time.Minute

// Verifier checks incoming requests' signatures.
type Verifier struct {
	Keys KeySource
	// MaxSkew bounds |now - Date| (default MaxSkew).
	MaxSkew time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Result is who signed a request.
type Result struct {
	KeyID string
	// Owner is the actor the key belongs to: the inbox must check that it
	// is the activity's actor.
	Owner string
}

// Verify checks r's signature, with body the request's body as read (the
// caller bounds its size). It requires (request-target), host and date
// signed, and digest too on a POST or with a body; Date within MaxSkew;
// Digest, when present, matching the body; the algorithm labelled
// rsa-sha256 or hs2019 (GoToSocial's label, RSA-SHA256 underneath). The
// error wraps one of the Err values (see Status).
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (Result, error) {
	raw, err := signatureHeader(r.Header)
	if err != nil {
		return Result{}, err
	}
	p, err := parseParams(raw)
	if err != nil {
		return Result{}, err
	}
	switch p.algorithm {
	case "", "rsa-sha256", "hs2019":
	default:
		return Result{}, fmt.Errorf("%w: algorithm %q", ErrMalformed, p.algorithm)
	}
	required := headersWithoutBody
	if r.Method == http.MethodPost || len(body) > 0 {
		required = headersWithBody
	}
	for _, h := range required {
		if !p.signs(h) {
			return Result{}, fmt.Errorf("%w: %s", ErrMissingHeader, h)
		}
	}
	// The headers the library reads: only the signed ones, Host from
	// r.Host (Go's server moves it out of Header), and the Signature in a
	// form its parser reads right.
	h := make(http.Header, len(p.headers)+1)
	host := r.Host
	if host == "" {
		host = r.Header.Get("Host")
	}
	for _, name := range p.headers {
		switch name {
		case httpsig.RequestTarget, "(created)", "(expires)":
			continue
		case "host":
			if host != "" {
				h["Host"] = []string{host}
			}
			continue
		}
		k := textproto.CanonicalMIMEHeaderKey(name)
		vs := r.Header[k]
		if len(vs) == 0 {
			return Result{}, fmt.Errorf("%w: %s signed but absent", ErrMissingHeader, name)
		}
		h[k] = vs
	}
	if h.Get("Host") == "" {
		return Result{}, fmt.Errorf("%w: host signed but absent", ErrMissingHeader)
	}
	if err := v.checkDate(h.Get("Date")); err != nil {
		return Result{}, err
	}
	if d := r.Header.Get("Digest"); d != "" || p.signs("digest") {
		if err := checkDigest(d, body); err != nil {
			return Result{}, err
		}
	}

	key, err := v.Keys.Key(ctx, p.keyID)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s: %w", ErrUnknownKey, p.keyID, err)
	}
	h.Set("Signature", p.canonical())
	lr := wireTarget(r)
	lr.Header, lr.Host = h, host
	ver, err := httpsig.NewVerifier(lr)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := ver.Verify(key.Public, httpsig.RSA_SHA256); err != nil {
		// The actor may have rotated its key: fetch it again, once, unless
		// it was fetched lately.
		fresh, ferr := v.Keys.Refresh(ctx, p.keyID)
		if ferr != nil || fresh.Public.Equal(key.Public) {
			return Result{}, fmt.Errorf("%w: %s: %w", ErrBadSignature, p.keyID, errors.Join(err, ferr))
		}
		if err := ver.Verify(fresh.Public, httpsig.RSA_SHA256); err != nil {
			return Result{}, fmt.Errorf("%w: %s (refreshed key): %w", ErrBadSignature, p.keyID, err)
		}
		key = fresh
	}
	return Result{KeyID: p.keyID, Owner: key.Owner}, nil
}

// signatureHeader is the Signature header, or Authorization's parameters
// when it says "Signature …".
func signatureHeader(h http.Header) (string, error) {
	if s := h.Get("Signature"); s != "" {
		return s, nil
	}
	if a, ok := strings.CutPrefix(h.Get("Authorization"), "Signature "); ok {
		return a, nil
	}
	return "", ErrNoSignature
}

func (v *Verifier) checkDate(date string) error {
	t, err := http.ParseTime(date)
	if err != nil {
		return fmt.Errorf("%w: date %q", ErrMissingHeader, date)
	}
	now, skew := time.Now, v.MaxSkew
	if v.Now != nil {
		now = v.Now
	}
	if skew <= 0 {
		skew = MaxSkew
	}
	if d := now().Sub(t); d > skew || d < -skew {
		return fmt.Errorf("%w: date %s, %s from now", ErrExpired, date, d.Round(time.Second))
	}
	return nil
}

// checkDigest checks a Digest header ("SHA-256=<base64>", possibly among
// others, comma-separated) against body. Every SHA-256 or SHA-512 entry
// must match, and there must be one.
func checkDigest(header string, body []byte) error {
	checked := 0
	for _, entry := range strings.Split(header, ",") {
		algo, val, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok {
			continue
		}
		var sum []byte
		switch strings.ToUpper(algo) {
		case "SHA-256":
			s := sha256.Sum256(body)
			sum = s[:]
		case "SHA-512":
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue
		}
		got, err := base64.StdEncoding.DecodeString(val)
		if err != nil || !bytes.Equal(got, sum) {
			return fmt.Errorf("%w: %s", ErrDigest, algo)
		}
		checked++
	}
	if checked == 0 {
		return fmt.Errorf("%w: no SHA-256 digest in %q", ErrDigest, header)
	}
	return nil
}
