package signature

import (
	"errors"
	"net/http"
)

// Why a request's signature is refused. Each error Verify returns wraps
// one of these (errors.Is), with the detail for the log.
var (
	// ErrNoSignature: neither a Signature header nor an Authorization:
	// Signature one.
	ErrNoSignature = errors.New("signature: request is not signed")
	// ErrMalformed: the Signature header cannot be read, or names an
	// algorithm other than rsa-sha256 / hs2019.
	ErrMalformed = errors.New("signature: malformed Signature header")
	// ErrMissingHeader: a header that must be signed ((request-target),
	// host, date, and digest on a POST) is not signed, or a signed header
	// is absent.
	ErrMissingHeader = errors.New("signature: a required header is not signed")
	// ErrExpired: Date is further from now than the allowed skew, either
	// way.
	ErrExpired = errors.New("signature: date outside the accepted window")
	// ErrDigest: the Digest header does not match the body.
	ErrDigest = errors.New("signature: digest does not match the body")
	// ErrUnknownKey: the keyId's key could not be found or fetched.
	ErrUnknownKey = errors.New("signature: unknown key")
	// ErrBadSignature: the signature does not verify with the key.
	ErrBadSignature = errors.New("signature: signature does not verify")
)

// Status is the HTTP status an inbox answers for a Verify error: 400 for a
// request that is malformed whoever sent it (bad header, missing header,
// body not matching its digest), 401 for a sender we cannot authenticate
// (unsigned, bad signature, unknown key, stale date), 500 otherwise.
func Status(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrMissingHeader), errors.Is(err, ErrDigest):
		return http.StatusBadRequest
	case errors.Is(err, ErrNoSignature), errors.Is(err, ErrBadSignature), errors.Is(err, ErrUnknownKey), errors.Is(err, ErrExpired):
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}
