package testrig

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// CreateUser adds a user with `cabane admin create-user`, as the person
// installing the box would; it works with or without a server running on
// data.
func CreateUser(t testing.TB, data, user, pass string, admin bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{"admin", "create-user", "--data", data, "--username", user, "--email", user + "@example.org", "--password", pass}
	if admin {
		args = append(args, "--admin")
	}
	if out, err := exec.CommandContext(ctx, Binary(t), args...).CombinedOutput(); err != nil {
		t.Fatalf("cabane admin create-user: %v\n%s", err, out)
	}
}

// Token gets an OAuth bearer token the way PeerTube's apps do: the local
// client (/api/v1/oauth-clients/local), then the password grant.
func (a *App) Token(user, pass string) string {
	a.t.Helper()
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if code := GetJSON(a.t, a.URL("/api/v1/oauth-clients/local"), &cl); code != http.StatusOK || cl.ClientID == "" {
		a.t.Fatalf("local OAuth client: %d %+v", code, cl)
	}
	resp, err := http.PostForm(a.URL("/api/v1/users/token"), url.Values{"client_id": {cl.ClientID}, "client_secret": {cl.ClientSecret},
		"grant_type": {"password"}, "username": {user}, "password": {pass}})
	if err != nil {
		a.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		a.t.Fatalf("token: %d %v %+v", resp.StatusCode, err, tok)
	}
	return tok.AccessToken
}

// GetJSON decodes the JSON answer of a GET into into and returns the
// status; a body that is not JSON fails the test.
func GetJSON(t testing.TB, u string, into any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %d, bad JSON: %v", u, resp.StatusCode, err)
	}
	return resp.StatusCode
}

// Browser is an HTTP client with cookies, as a browser uses the pages.
type Browser struct {
	t testing.TB
	C *http.Client
}

// NewBrowser is a browser with an empty cookie jar.
func NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, C: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Get fetches a page and returns its body, final URL and the form token.
func (b *Browser) Get(u string) (body, final, csrf string) {
	b.t.Helper()
	resp, err := b.C.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(raw); m != nil {
		csrf = string(m[1])
	}
	return string(raw), resp.Request.URL.String(), csrf
}

// PostForm posts a URL-encoded form and returns the status, final URL and
// body.
func (b *Browser) PostForm(u string, vals url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.C.PostForm(u, vals)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(raw)
}

// Owner is the administrator Setup creates.
var Owner = struct{ User, Pass, Channel, ChannelDisplay string }{"alice", "correct horse", "alice_films", "Alice's films"}

// SetupCode is the first-run code the app wrote to its data directory, as
// a person at the box reads it; "" once set up.
func (a *App) SetupCode() string {
	b, _ := os.ReadFile(filepath.Join(a.Data, "setup-code"))
	return strings.TrimSpace(string(b))
}

// Setup creates the administrator through the first-run setup page, as the
// first visitor on the box does (with the setup code), and returns the
// logged-in browser.
func (a *App) Setup() *Browser {
	a.t.Helper()
	b := NewBrowser(a.t)
	_, final, tok := b.Get(a.URL("/"))
	if !strings.HasSuffix(final, "/setup") || tok == "" {
		a.t.Fatalf("first visit landed on %s (token %q), want /setup", final, tok)
	}
	code, final, body := b.PostForm(a.URL("/setup"), url.Values{"_csrf": {tok}, "username": {Owner.User}, "email": {Owner.User + "@example.org"},
		"password": {Owner.Pass}, "channel": {Owner.Channel}, "channelDisplayName": {Owner.ChannelDisplay}, "setupCode": {a.SetupCode()}})
	if code != http.StatusOK || !strings.HasSuffix(final, "/") {
		a.t.Fatalf("setup: %d at %s\n%s", code, final, body)
	}
	return b
}
