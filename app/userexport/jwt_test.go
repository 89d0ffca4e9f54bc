package userexport_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/visibility"
)

// checkJWT checks a completed export's download token: a real HS256 JWT
// naming the export, its user and its expiry, and refused when forged,
// tampered with, of another algorithm, for another archive, or expired.
func checkJWT(t *testing.T, s *userexport.Service, e repo.UserExport, jwt string, c *clock) {
	t.Helper()
	ctx := context.Background()
	b64 := base64.RawURLEncoding
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	var hdr, claims map[string]any
	h, _ := b64.DecodeString(parts[0])
	p, _ := b64.DecodeString(parts[1])
	if json.Unmarshal(h, &hdr) != nil || json.Unmarshal(p, &claims) != nil {
		t.Fatalf("header %s, payload %s", h, p)
	}
	if hdr["alg"] != "HS256" || hdr["typ"] != "JWT" {
		t.Errorf("header: %v", hdr)
	}
	if claims["userExportId"] != float64(e.ID) || claims["userId"] != float64(e.UserID) || claims["exp"] != float64(e.ExpiresAt.Unix()) {
		t.Errorf("claims %v, export %d of user %d until %v", claims, e.ID, e.UserID, e.ExpiresAt)
	}
	sign := func(key, in string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(in))
		return b64.EncodeToString(m.Sum(nil))
	}
	if sign(e.Token, parts[0]+"."+parts[1]) != parts[2] {
		t.Errorf("the signature is not HMAC-SHA256 of header.payload")
	}
	other, _ := json.Marshal(map[string]any{"userExportId": e.ID, "userId": e.UserID + 1, "exp": claims["exp"]})
	later, _ := json.Marshal(map[string]any{"userExportId": e.ID, "userId": e.UserID, "exp": time.Now().Add(1000 * time.Hour).Unix()})
	none := b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	hs512 := b64.EncodeToString([]byte(`{"alg":"HS512","typ":"JWT"}`))
	for name, bad := range map[string]string{
		"another user's claim":    parts[0] + "." + b64.EncodeToString(other) + "." + parts[2],
		"a later expiry":          parts[0] + "." + b64.EncodeToString(later) + "." + parts[2],
		"alg none":                none + "." + parts[1] + ".",
		"alg none, signed":        none + "." + parts[1] + "." + parts[2],
		"another algorithm":       hs512 + "." + parts[1] + "." + sign(e.Token, hs512+"."+parts[1]),
		"signed with a wrong key": parts[0] + "." + parts[1] + "." + sign("not the secret", parts[0]+"."+parts[1]),
		"truncated":               parts[0] + "." + parts[1],
		"the raw secret":          e.Token,
		"empty signature":         parts[0] + "." + parts[1] + ".",
	} {
		if _, _, err := s.Open(ctx, visibility.Viewer{}, e.Filename, bad); !errors.Is(err, userexport.ErrForbidden) {
			t.Errorf("%s: %v, want ErrForbidden", name, err)
		}
	}
	if _, _, err := s.Open(ctx, visibility.Viewer{}, "user-export-1-other.zip", jwt); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("the token for another archive: %v", err)
	}
	// Past its exp, the token is refused (the archive's own expiry is
	// the same moment).
	saved := c.t
	c.t = e.ExpiresAt.Add(time.Second)
	if _, _, err := s.Open(ctx, visibility.Viewer{}, e.Filename, jwt); !errors.Is(err, userexport.ErrForbidden) {
		t.Errorf("an expired token: %v", err)
	}
	c.t = saved
	if f, _, err := s.Open(ctx, visibility.Viewer{}, e.Filename, jwt); err != nil {
		t.Errorf("the token again: %v", err)
	} else {
		f.Close()
	}
}
