package signature

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"cabane.dev/cabane/app/federation/keys"
)

var t0 = time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)

func verifierAt(ks KeySource, at time.Time) *Verifier {
	return &Verifier{Keys: ks, Now: func() time.Time { return at }}
}

func TestSignerWritesWhatPeerTubeChecks(t *testing.T) {
	key, _ := testKeys(t)
	r, _ := http.NewRequest(http.MethodPost, "https://peertube.example/accounts/x/inbox", strings.NewReader(string(like)))
	if err := (Signer{Now: func() time.Time { return t0 }}).Sign(r, key, KeyID(actorIRI), like); err != nil {
		t.Fatal(err)
	}
	p, err := parseParams(r.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	if p.keyID != "https://remote.example/accounts/alice#main-key" || p.algorithm != "rsa-sha256" ||
		strings.Join(p.headers, " ") != "(request-target) host date digest" {
		t.Errorf("Signature: %q", r.Header.Get("Signature"))
	}
	sum := sha256.Sum256(like)
	if got, want := r.Header.Get("Digest"), "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("Digest %q, want %q", got, want)
	}
	if got := r.Header.Get("Date"); got != "Thu, 05 Nov 2026 10:00:00 GMT" {
		t.Errorf("Date %q", got)
	}
	if _, ok := r.Header["Host"]; ok {
		t.Error("Host left in Header (the transport sends r.Host)")
	}

	g, _ := http.NewRequest(http.MethodGet, "https://gts.example/users/x", nil)
	if err := (Signer{}).Sign(g, key, KeyID(actorIRI), nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := parseParams(g.Header.Get("Signature")); strings.Join(p.headers, " ") != "(request-target) host date" || g.Header.Get("Digest") != "" {
		t.Errorf("GET Signature %q, Digest %q", g.Header.Get("Signature"), g.Header.Get("Digest"))
	}
}

// PeerTube's own negative vector: a Mastodon 2.5 Create whose body is not
// the one its Digest (and so its signature) covers.
func TestMastodonBadBodyFixtureFailsOnDigest(t *testing.T) {
	var fx struct {
		Headers map[string]string
		Body    json.RawMessage
	}
	readFixture(t, "mastodon-create-note-reply-bad-body-http-signature.json", &fx)
	var pk struct{ PublicKey string }
	readFixture(t, "mastodon-public-key.json", &pk)
	pub, err := keys.ParsePublicPEM(pk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	date, _ := http.ParseTime(fx.Headers["date"])
	ks := keySource("http://localhost:3000/users/ronan2#main-key", pub)

	request := func(body []byte) *http.Request {
		// The path it was signed for: with it the signature itself holds
		// (checked below), so the body alone is what is refused.
		r := httptest.NewRequest(http.MethodPost, "/accounts/ronan/inbox", strings.NewReader(string(body)))
		for k, v := range fx.Headers {
			if k != "host" {
				r.Header.Set(k, v)
			}
		}
		r.Host = fx.Headers["host"]
		return r
	}
	body := []byte(fx.Body)
	_, err = verifierAt(ks, date).Verify(context.Background(), request(body), body)
	if !errors.Is(err, ErrDigest) || Status(err) != http.StatusBadRequest {
		t.Fatalf("got %v (status %d), want ErrDigest / 400", err, Status(err))
	}
	// Mastodon's signature over its headers is genuine: the refusal is
	// the body's, as PeerTube's test intends.
	lib, err := httpsig.NewVerifier(request(body))
	if err != nil || lib.Verify(pub, httpsig.RSA_SHA256) != nil {
		t.Fatalf("the fixture's signature does not hold over its headers: %v", err)
	}
	// The Digest is signed: making it match the altered body breaks the
	// signature instead.
	r := request(body)
	sum := sha256.Sum256(body)
	r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	_, err = verifierAt(ks, date).Verify(context.Background(), r, body)
	if !errors.Is(err, ErrBadSignature) || Status(err) != http.StatusUnauthorized {
		t.Fatalf("re-digested body: %v, want ErrBadSignature / 401", err)
	}
	// And it is long expired today.
	if _, err := verifierAt(ks, time.Now()).Verify(context.Background(), request(body), body); !errors.Is(err, ErrExpired) {
		t.Errorf("today: %v, want ErrExpired", err)
	}
}

func TestVerifyAcceptsOurSignature(t *testing.T) {
	key, _ := testKeys(t)
	ks := keySource(KeyID(actorIRI), &key.PublicKey)
	res, err := verifierAt(ks, t0).Verify(context.Background(), signedPOST(t, key, like, t0), like)
	if err != nil {
		t.Fatal(err)
	}
	if res.Owner != owner || res.KeyID != KeyID(actorIRI) {
		t.Errorf("result %+v", res)
	}
	if ks.refreshes != 0 {
		t.Errorf("%d refreshes for a good signature", ks.refreshes)
	}
}

func TestVerifyRefusals(t *testing.T) {
	key, other := testKeys(t)
	good := func() *http.Request { return signedPOST(t, key, like, t0) }
	setSig := func(r *http.Request, from, to string) *http.Request {
		r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), from, to, 1))
		return r
	}
	// signWith signs a POST with chosen headers, through the library the
	// way another server might.
	signWith := func(headers string, drop ...string) *http.Request {
		r := good()
		for _, h := range drop {
			r.Header.Del(h)
		}
		p, _ := parseParams(r.Header.Get("Signature"))
		return setSig(r, `headers="`+strings.Join(p.headers, " ")+`"`, `headers="`+headers+`"`)
	}
	cases := []struct {
		name string
		req  func() *http.Request
		body []byte
		keys KeySource
		at   time.Time
		want error
	}{
		{name: "unsigned", req: func() *http.Request { r := good(); r.Header.Del("Signature"); return r }, want: ErrNoSignature},
		{name: "body altered", req: good, body: []byte(strings.Replace(string(like), "4242", "4243", 1)), want: ErrDigest},
		{name: "digest of another algorithm only", req: func() *http.Request { r := good(); r.Header.Set("Digest", "MD5=abc"); return r }, want: ErrDigest},
		{name: "signature altered", req: func() *http.Request {
			r := good()
			p, _ := parseParams(r.Header.Get("Signature"))
			return setSig(r, p.signature[:8], "AAAAAAAA")
		}, want: ErrBadSignature},
		{name: "wrong key", req: good, keys: keySource(KeyID(actorIRI), &other.PublicKey), want: ErrBadSignature},
		{name: "unknown key", req: good, keys: keySource("https://else.example/a#main-key", &key.PublicKey), want: ErrUnknownKey},
		{name: "digest not signed", req: func() *http.Request { return signWith("(request-target) host date") }, want: ErrMissingHeader},
		{name: "host not signed", req: func() *http.Request { return signWith("(request-target) date digest") }, want: ErrMissingHeader},
		{name: "request-target not signed", req: func() *http.Request { return signWith("host date digest") }, want: ErrMissingHeader},
		{name: "no headers parameter (date only)", req: func() *http.Request {
			r := good()
			p, _ := parseParams(r.Header.Get("Signature"))
			return setSig(r, `headers="`+strings.Join(p.headers, " ")+`",`, "")
		}, want: ErrMissingHeader},
		{name: "no Date header", req: func() *http.Request { r := good(); r.Header.Del("Date"); return r }, want: ErrMissingHeader},
		{name: "no Digest header", req: func() *http.Request { r := good(); r.Header.Del("Digest"); return r }, want: ErrMissingHeader},
		{name: "expired", req: good, at: t0.Add(MaxSkew + time.Second), want: ErrExpired},
		{name: "from the future", req: good, at: t0.Add(-MaxSkew - time.Second), want: ErrExpired},
		{name: "rsa-sha512 label", req: func() *http.Request { return setSig(good(), `algorithm="rsa-sha256"`, `algorithm="rsa-sha512"`) }, want: ErrMalformed},
		{name: "no keyId", req: func() *http.Request { return setSig(good(), `keyId="`+KeyID(actorIRI)+`",`, "") }, want: ErrMalformed},
		{name: "garbage", req: func() *http.Request { r := good(); r.Header.Set("Signature", "garbage"); return r }, want: ErrMalformed},
		{name: "path changed", req: func() *http.Request { r := good(); r.RequestURI = "/accounts/carol/inbox"; return r }, want: ErrBadSignature},
		{name: "host changed", req: func() *http.Request { r := good(); r.Host = "evil.example"; return r }, want: ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ks := c.keys
			if ks == nil {
				ks = keySource(KeyID(actorIRI), &key.PublicKey)
			}
			body, at := c.body, c.at
			if body == nil {
				body = like
			}
			if at.IsZero() {
				at = t0
			}
			_, err := verifierAt(ks, at).Verify(context.Background(), c.req(), body)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if Status(err) < 400 || Status(err) > 499 {
				t.Errorf("status %d", Status(err))
			}
		})
	}
	// Within the skew, either way: accepted.
	for _, at := range []time.Time{t0.Add(MaxSkew - time.Second), t0.Add(-MaxSkew + time.Second)} {
		if _, err := verifierAt(keySource(KeyID(actorIRI), &key.PublicKey), at).Verify(context.Background(), good(), like); err != nil {
			t.Errorf("at %s: %v", at.Sub(t0), err)
		}
	}
}

func TestVerifyAcceptsOtherServersForms(t *testing.T) {
	key, _ := testKeys(t)
	ks := keySource(KeyID(actorIRI), &key.PublicKey)
	forms := map[string]func(string) (string, string){
		// GoToSocial (and go-fed itself) label RSA-SHA256 "hs2019".
		"hs2019 label": func(s string) (string, string) { return "Signature", strings.Replace(s, "rsa-sha256", "hs2019", 1) },
		"no algorithm": func(s string) (string, string) {
			return "Signature", strings.Replace(s, `algorithm="rsa-sha256",`, "", 1)
		},
		"spaces after comma": func(s string) (string, string) { return "Signature", strings.ReplaceAll(s, `",`, `", `) },
		"Authorization":      func(s string) (string, string) { return "Authorization", "Signature " + s },
		"params reordered": func(s string) (string, string) {
			parts := strings.Split(s, `",`)
			for i := range parts[:len(parts)-1] {
				parts[i] += `"`
			}
			parts[0], parts[len(parts)-1] = parts[len(parts)-1], parts[0]
			return "Signature", strings.Join(parts, ",")
		},
	}
	for name, form := range forms {
		r := signedPOST(t, key, like, t0)
		h, v := form(r.Header.Get("Signature"))
		r.Header.Del("Signature")
		r.Header.Set(h, v)
		if _, err := verifierAt(ks, t0).Verify(context.Background(), r, like); err != nil {
			t.Errorf("%s (%s: %s): %v", name, h, v, err)
		}
	}
}

func TestVerifyRefetchesARotatedKeyOnce(t *testing.T) {
	key, old := testKeys(t)
	ks := keySource(KeyID(actorIRI), &old.PublicKey)
	ks.fresh[KeyID(actorIRI)] = &keys.Remote{KeyID: KeyID(actorIRI), Owner: owner, Public: &key.PublicKey}
	if _, err := verifierAt(ks, t0).Verify(context.Background(), signedPOST(t, key, like, t0), like); err != nil {
		t.Fatal(err)
	}
	if _, err := verifierAt(ks, t0).Verify(context.Background(), signedPOST(t, key, like, t0), like); err != nil {
		t.Fatal(err)
	}
	if ks.refreshes != 1 {
		t.Errorf("%d refreshes, want 1 (the second request finds the new key)", ks.refreshes)
	}
}

// A GoToSocial sender: keyId …/users/tester/main-key, whose document is a
// stub without an inbox; the owner is the actor the inbox must compare
// with the activity's.
func TestVerifyGoToSocialStubGivesTheOwner(t *testing.T) {
	key, _ := testKeys(t)
	var stub map[string]any
	readFixture(t, "captured-gts-main-key-stub.json", &stub)
	pemA, _ := keys.EncodePublicPEM(&key.PublicKey)
	pk := stub["publicKey"].(map[string]any)
	pk["publicKeyPem"] = pemA // the fixture's shape, our key
	keyID, ownerIRI := pk["id"].(string), pk["owner"].(string)
	fullActor := map[string]any{"id": ownerIRI, "type": "Person", "inbox": ownerIRI + "/inbox", "publicKey": pk}
	docs := map[string]any{keyID: stub, ownerIRI: fullActor}
	fetch := fetchFunc(func(_ context.Context, iri string) ([]byte, error) {
		d, ok := docs[iri]
		if !ok {
			return nil, errors.New("404")
		}
		return json.Marshal(d)
	})
	st := openStore(t)
	res := keys.NewResolver(fetch, st.ActorKeys(), keys.ResolverOptions{})

	r, _ := http.NewRequest(http.MethodPost, "https://cabane.example/accounts/bob/inbox", nil)
	if err := (Signer{Now: func() time.Time { return t0 }}).Sign(r, key, keyID, like); err != nil {
		t.Fatal(err)
	}
	got := asReceived(r)
	got.Header.Set("Signature", strings.Replace(got.Header.Get("Signature"), "rsa-sha256", "hs2019", 1))
	out, err := verifierAt(res, t0).Verify(context.Background(), got, like)
	if err != nil {
		t.Fatal(err)
	}
	if out.Owner != "http://localhost:18080/users/tester" || out.KeyID != keyID {
		t.Errorf("result %+v", out)
	}
}

type fetchFunc func(context.Context, string) ([]byte, error)

func (f fetchFunc) Fetch(ctx context.Context, iri string) ([]byte, error) { return f(ctx, iri) }

// Through a real HTTP server and client: the signature survives the wire,
// including an escaped path and a query.
func TestRoundTripThroughHTTPServer(t *testing.T) {
	key, _ := testKeys(t)
	ks := keySource(KeyID(actorIRI), &key.PublicKey)
	v := &Verifier{Keys: ks}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		res, err := v.Verify(r.Context(), r, body)
		if err != nil {
			http.Error(w, err.Error(), Status(err))
			return
		}
		io.WriteString(w, res.Owner)
	}))
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		body         []byte
	}{
		{http.MethodPost, "/accounts/bob/inbox", like},
		{http.MethodPost, "/video-channels/caf%C3%A9%20noir/inbox", like},
		{http.MethodGet, "/accounts/bob/outbox?page=2&x=%2F", nil},
	} {
		var rd io.Reader
		if c.body != nil {
			rd = strings.NewReader(string(c.body))
		}
		req, _ := http.NewRequest(c.method, srv.URL+c.path, rd)
		if err := (Signer{}).Sign(req, key, KeyID(actorIRI), c.body); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(got) != owner {
			t.Errorf("%s %s: %s %q", c.method, c.path, resp.Status, got)
		}
	}
	// Unsigned: 401.
	resp, err := srv.Client().Post(srv.URL+"/accounts/bob/inbox", "application/activity+json", strings.NewReader(string(like)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned POST: %s", resp.Status)
	}
}
