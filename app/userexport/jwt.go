package userexport

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// The private download URL's ?jwt= is a JSON Web Token (RFC 7519) signed
// with HS256, as PeerTube's: header.payload.signature, base64url without
// padding. Its key is the export's own secret, drawn at random when it was
// requested and kept in its row: a token names one archive of one user,
// ends at its exp, and dies with the export when it is deleted, with no
// key of the server's to keep or rotate.

// jwtHeader is the only header accepted: an "alg" of none, or another
// algorithm than the one the key is for, is refused before anything else.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

var jwtHeaderB64 = base64.RawURLEncoding.EncodeToString([]byte(jwtHeader))

// jwtClaims is the token's payload.
type jwtClaims struct {
	ExportID int64 `json:"userExportId"`
	UserID   int64 `json:"userId"`
	Exp      int64 `json:"exp"`
}

// ErrBadToken: the token is not one this box signed for this archive, or
// it has expired.
var ErrBadToken = errors.New("this download link is not valid (or has expired)")

func signJWT(secret string, c jwtClaims) string {
	payload, _ := json.Marshal(c)
	in := jwtHeaderB64 + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// DownloadToken is the ?jwt= of e's private download URL, valid until the
// archive expires (counted from now for one still being built, as the URL
// is given from the start).
func (s *Service) DownloadToken(e repo.UserExport) string {
	exp := e.ExpiresAt
	if exp.IsZero() {
		exp = s.now().Add(Keep)
	}
	return signJWT(e.Token, jwtClaims{ExportID: e.ID, UserID: e.UserID, Exp: exp.Unix()})
}

// verifyJWT is the export tok names, once its signature, its user and its
// date are checked.
func (s *Service) verifyJWT(ctx context.Context, tok string) (repo.UserExport, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(tok) > 2048 {
		return repo.UserExport{}, ErrBadToken
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return repo.UserExport{}, ErrBadToken
	}
	var hdr struct{ Alg, Typ string }
	if json.Unmarshal(h, &hdr) != nil || hdr.Alg != "HS256" || hdr.Typ != "" && hdr.Typ != "JWT" {
		return repo.UserExport{}, ErrBadToken
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return repo.UserExport{}, ErrBadToken
	}
	var c jwtClaims
	if json.Unmarshal(p, &c) != nil || c.ExportID <= 0 {
		return repo.UserExport{}, ErrBadToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return repo.UserExport{}, ErrBadToken
	}
	e, err := s.Store.Get(ctx, c.ExportID)
	if errors.Is(err, model.ErrNotFound) {
		return e, ErrBadToken
	}
	if err != nil {
		return e, err
	}
	m := hmac.New(sha256.New, []byte(e.Token))
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, m.Sum(nil)) || e.Token == "" || c.UserID != e.UserID || !s.now().Before(time.Unix(c.Exp, 0)) {
		return e, ErrBadToken
	}
	return e, nil
}
