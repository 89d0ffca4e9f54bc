package openapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The helper must tell a good response from a bad one, or every contract
// test built on it proves nothing.
func TestCheckTellsGoodFromBad(t *testing.T) {
	c := Load(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/oauth-clients/local", nil)
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	good := `{"client_id":"v1ikx5hnfop4mdpnci8nsqh93c45rldf","client_secret":"AjWiOapPltI6EnsWQwlFarRtLh4u8tDt"}`
	if err := c.Check(req, 200, h, []byte(good)); err != nil {
		t.Errorf("a good client pair is refused: %v", err)
	}
	for name, body := range map[string]string{
		"short id (the pattern's missing + must not let this through)": `{"client_id":"v1ik","client_secret":"AjWiOapPltI6EnsWQwlFarRtLh4u8tDt"}`,
		"wrong type": `{"client_id":32,"client_secret":"AjWiOapPltI6EnsWQwlFarRtLh4u8tDt"}`,
		"bad chars":  `{"client_id":"v1ikx5hnfop4mdpnci8nsqh93c45rld!","client_secret":"AjWiOapPltI6EnsWQwlFarRtLh4u8tDt"}`,
	} {
		if err := c.Check(req, 200, h, []byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := c.Check(req, 200, http.Header{"Content-Type": {"text/html"}}, []byte(good)); err == nil {
		t.Error("an HTML content type is accepted for a JSON operation")
	}
	if err := c.Check(httptest.NewRequest(http.MethodGet, "/api/v1/no-such-thing", nil), 200, h, []byte(good)); err == nil {
		t.Error("an unknown operation is accepted")
	}
}

// Errata: the corrected patterns mean what PeerTube means.
func TestErrataPatterns(t *testing.T) {
	for in, want := range map[string]string{
		`/^[a-z0-9._]+$/`:                           `^[a-z0-9._]+$`,
		`/^[a-zA-Z0-9\\-_.:]+$/`:                    `^[a-zA-Z0-9\-_.:]+$`,
		`/^[a-z0-9]$/`:                              `^[a-z0-9]+$`,
		`/magnet:\?xt=urn:[a-z0-9]+:[a-z0-9]{32}/i`: `(?i)magnet:\?xt=urn:[a-z0-9]+:[a-z0-9]{32}`,
		`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`: `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
	} {
		if got := fixPattern(in); got != want {
			t.Errorf("fixPattern(%s) = %s, want %s", in, got, want)
		}
	}
}

// /users/me is one object, as PeerTube sends it, not the document's array.
func TestErrataUsersMe(t *testing.T) {
	c := Load(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/users/me", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := c.Check(req, 200, h, []byte(`{"id":1,"username":"chocobozzz"}`)); err != nil {
		t.Errorf("one object refused: %v", err)
	}
	if err := c.Check(req, 200, h, []byte(`[{"id":1}]`)); err == nil {
		t.Error("an array accepted")
	}
}

func TestCompleteNamesMissingFields(t *testing.T) {
	c := Load(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/videos", nil)
	body := `{"total":1,"data":[{"id":1,"account":{"id":1,"name":"a","displayName":"a","url":"http://x/a","host":"x","avatars":[]}}]}`
	missing, err := c.Complete(req, 200, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(missing, " ")
	for _, want := range []string{"data[].uuid", "data[].channel", "data[].category"} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing %s not reported: %v", want, missing)
		}
	}
	if strings.Contains(joined, "data[].account.") {
		t.Errorf("the complete account is reported: %v", missing)
	}
	missing, _ = c.Complete(req, 200, []byte(body), "data[].uuid")
	if strings.Contains(strings.Join(missing, " "), "data[].uuid ") {
		t.Errorf("an allowed absence is reported: %v", missing)
	}
}

// An error the operation does not document must still be PeerTube's
// error body.
func TestUndocumentedErrorsMustBeProblems(t *testing.T) {
	c := Load(t)
	req := httptest.NewRequest(http.MethodPut, "/api/v1/videos/1", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := c.Check(req, 403, h, []byte(`{"status":403,"title":"Forbidden","detail":"no","error":"no"}`)); err != nil {
		t.Errorf("a problem body refused: %v", err)
	}
	for _, body := range []string{`{"status":404,"detail":"no","error":"no"}`, `{"status":403}`, `not json`, `{"status":403,"detail":"no","error":"no","invalid-params":[]}`} {
		if err := c.Check(req, 403, h, []byte(body)); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
}
