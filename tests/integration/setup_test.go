package integration

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"cabane.dev/cabane/internal/testrig"
)

// The first-run form makes whoever submits it the admin: it answers only
// on the home network (or a browser on the box itself), never to an
// outside address and never through the public URL, and says why.
func TestSetupOnlyFromHome(t *testing.T) {
	dir := t.TempDir()
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data"),
		Args: []string{"--lan", "127.0.0.1/32", "--public-url", "https://videos.example.org"}})
	// A valid double-submit pair: the refusal must come from where the
	// request is from, not from a missing token.
	const csrf = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
	form := url.Values{"username": {"mallory"}, "email": {"m@example.org"}, "password": {"correct horse"},
		"channel": {"mallory_ch"}, "_csrf": {csrf}}.Encode()
	try := func(c *http.Client, method, host string) (int, string) {
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(form)
		}
		req, _ := http.NewRequest(method, in.URL("/setup"), body)
		if host != "" {
			req.Host = host
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "cabane_csrf", Value: csrf})
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	outside, home := testrig.ClientFrom("127.0.0.2"), testrig.ClientFrom("127.0.0.1")
	for _, c := range []struct {
		name   string
		client *http.Client
		host   string
	}{{"an outside address", outside, ""}, {"the public URL, from home", home, "videos.example.org"}} {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			code, body := try(c.client, m, c.host)
			if code != http.StatusForbidden || !strings.Contains(body, "home network") {
				t.Errorf("%s %s through %s: %d, want 403 saying why", m, "/setup", c.name, code)
			}
		}
	}
	if code, _ := try(home, http.MethodGet, ""); code != http.StatusOK {
		t.Errorf("GET /setup from home: %d, want 200", code)
	}
	// Nobody became admin.
	var cfg map[string]any
	if testrig.GetJSON(t, in.URL("/api/v1/users/me"), &cfg) != http.StatusUnauthorized {
		t.Error("/users/me answered without a user")
	}
	if code, _ := try(home, http.MethodGet, ""); code != http.StatusOK {
		t.Error("setup is no longer offered at home: someone became admin")
	}
}

// From the box itself (loopback, home network found automatically) the
// setup page asks for the code Cabane wrote to its data directory: loopback
// is also where a reverse proxy's visitors come from. Through a proxy that
// says so, it is refused.
func TestSetupFromTheBoxNeedsTheCode(t *testing.T) {
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(t.TempDir(), "data")})
	code := in.SetupCode()
	if len(code) != 11 {
		t.Fatalf("setup code %q in the data directory", code)
	}
	b := testrig.NewBrowser(t)
	page, final, tok := b.Get(in.URL("/setup"))
	if !strings.HasSuffix(final, "/setup") || !strings.Contains(page, `name="setupCode"`) {
		t.Fatalf("the setup page from the box does not ask for the code (%s)", final)
	}
	form := func(code string) url.Values {
		return url.Values{"_csrf": {tok}, "username": {"alice"}, "email": {"a@example.org"}, "password": {"correct horse"},
			"channel": {"alice_films"}, "setupCode": {code}}
	}
	for _, wrong := range []string{"", "AAAAA-AAAAA", code + "X"} {
		if status, _, body := b.PostForm(in.URL("/setup"), form(wrong)); status != http.StatusForbidden || !strings.Contains(body, "setup code") {
			t.Errorf("setup with code %q: %d", wrong, status)
		}
	}
	// A reverse proxy on the box forwarding an internet visitor.
	req, _ := http.NewRequest(http.MethodGet, in.URL("/setup"), nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("setup through a proxy on the box: %d, want 403", res.StatusCode)
	}
	if status, final, _ := b.PostForm(in.URL("/setup"), form(strings.ToLower(code))); status != http.StatusOK || !strings.HasSuffix(final, "/") {
		t.Fatalf("setup with the code: %d at %s", status, final)
	}
	if in.SetupCode() != "" {
		t.Error("the setup code outlived the setup")
	}
}
