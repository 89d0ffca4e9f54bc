package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// FuzzTokenRequest: any body, form or JSON, is read into the request or
// refused with an API error (never a panic, never a 500).
func FuzzTokenRequest(f *testing.F) {
	f.Add("application/json", `{"client_id":"a","client_secret":"b","grant_type":"password","username":"u","password":"p"}`)
	f.Add("application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=x&client_id=%ZZ")
	f.Add("application/json", `{"grant_type":["password"]}`)
	f.Add("text/plain", "grant_type=password")
	f.Add("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--x--\r\n")
	e := echo.New()
	f.Fuzz(func(t *testing.T, ct, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/users/token", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		c := e.NewContext(req, httptest.NewRecorder())
		q, err := readTokenRequest(c)
		if err != nil {
			he, ok := err.(*echo.HTTPError)
			if !ok || he.Code < 400 || he.Code >= 500 {
				t.Fatalf("error %v for %q", err, body)
			}
			return
		}
		if len(q.GrantType) > len(body)+len(ct) {
			t.Fatalf("grant_type longer than the request: %q", q.GrantType)
		}
	})
}

func TestTokenEndpointSaysWhatWasWrong(t *testing.T) {
	r := newRig(t)
	cl, err := r.server.Auth.LocalClient(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// A JSON body is read as JSON, not reported as a missing grant_type.
	res, body := r.send(t, http.MethodPost, "/api/v1/users/token",
		strings.NewReader(`{"client_id":"`+cl.ID+`","client_secret":"`+cl.Secret+`","grant_type":"password","username":"user","password":"correct horse battery staple"}`),
		map[string]string{"Content-Type": "application/json"}, "", false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "access_token") {
		t.Errorf("JSON password grant: %d %s", res.StatusCode, body)
	}
	// A wrong client is refused as such, before any password is checked.
	res, body = r.send(t, http.MethodPost, "/api/v1/users/token",
		strings.NewReader("client_id=nope&client_secret=nope&grant_type=password&username=user&password=wrong"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "", false)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalid_client") {
		t.Errorf("wrong client: %d %s", res.StatusCode, body)
	}
}
