package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
)

// send makes a request with optional session and CSRF cookie and returns
// the response (body read) without following redirects.
func (r *rig) send(t *testing.T, method, path string, body io.Reader, hdr map[string]string, who string, csrfCookieToo bool) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if who != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[who]})
	}
	if csrfCookieToo {
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func formParts(t *testing.T, fields map[string]string) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

func setsCSRF(res *http.Response) bool {
	for _, c := range res.Cookies() {
		if c.Name == csrfCookie {
			return true
		}
	}
	return false
}

func TestOnlyPagesSetTheCSRFCookie(t *testing.T) {
	r := newRig(t)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	res, _ := r.send(t, http.MethodGet, "/", nil, nil, "", false)
	if !setsCSRF(res) {
		t.Error("the home page sets no CSRF cookie")
	}
	for _, p := range []string{"/api/v1/videos", "/static/streaming-playlists/hls/" + v.UUID + "/" + v.UUID + "-360-fragmented.mp4",
		"/lazy-static/thumbnails/" + v.UUID + ".jpg"} {
		res, _ := r.send(t, http.MethodGet, p, nil, nil, "", false)
		if res.StatusCode != http.StatusOK || setsCSRF(res) || len(res.Header.Values("Set-Cookie")) > 0 {
			t.Errorf("GET %s: %d, Set-Cookie %q", p, res.StatusCode, res.Header.Values("Set-Cookie"))
		}
	}
	res, _ = r.send(t, http.MethodGet, "/static/streaming-playlists/hls/"+v.UUID+"/"+v.UUID+"-360-fragmented.mp4", nil, nil, "", false)
	if !strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Errorf("public segment Cache-Control %q", res.Header.Get("Cache-Control"))
	}
}

// TestEveryFormChecksCSRFWhateverItsEncoding: multipart forms used to skip
// the check (left to an upload handler that only the upload route has).
func TestEveryFormChecksCSRFWhateverItsEncoding(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		path, who string
		fields    map[string]string
	}{
		{"/admin/jobs/1/cancel", "admin", map[string]string{"x": "1"}},
		{"/admin/transcoding/encoder", "admin", map[string]string{"encoder": "libx264"}},
		{"/login", "", map[string]string{"username": "user", "password": "correct horse battery staple"}},
		{"/logout", "admin", map[string]string{}},
	} {
		body, ct := formParts(t, c.fields)
		res, _ := r.send(t, http.MethodPost, c.path, body, map[string]string{"Content-Type": ct}, c.who, true)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("multipart POST %s without the token: %d, want 403", c.path, res.StatusCode)
		}
	}
	if len(r.choices) != 0 {
		t.Errorf("the encoder changed: %v", r.choices)
	}
	// With the token in the multipart form, the same login goes through.
	body, ct := formParts(t, map[string]string{"username": "user", "password": "correct horse battery staple", csrfField: testCSRF})
	res, _ := r.send(t, http.MethodPost, "/login", body, map[string]string{"Content-Type": ct}, "", true)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("multipart login with its token: %d, want 303", res.StatusCode)
	}
}

func TestPagesRefuseFramingEmbedAllowsIt(t *testing.T) {
	r := newRig(t)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	res, _ := r.send(t, http.MethodGet, "/admin", nil, nil, "admin", false)
	if res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("admin page framing headers: %q, %q", res.Header.Get("X-Frame-Options"), res.Header.Get("Content-Security-Policy"))
	}
	res, body := r.send(t, http.MethodGet, "/videos/embed/"+v.UUID, nil, nil, "", false)
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Frame-Options") != "" || !strings.Contains(body, "<video") {
		t.Errorf("embed: %d, X-Frame-Options %q", res.StatusCode, res.Header.Get("X-Frame-Options"))
	}
}

func TestAPIErrorsArePeerTubeJSON(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		method, path string
		hdr          map[string]string
		status       int
		detail       string
		field        string
	}{
		{"GET", "/api/v1/videos/imports", map[string]string{"Accept": "text/html"}, 404, "no such API endpoint", ""},
		{"GET", "/api/v1/no/such/thing", nil, 404, "no such API endpoint", ""},
		{"GET", "/api/v1/users/me", map[string]string{"Accept": "text/html"}, 401, "authentication required", ""},
		{"POST", "/api/v1/videos/upload", nil, 401, "authentication required", ""},
		{"GET", "/api/v1/videos?count=abc", nil, 400, "count must be", "count"},
		{"GET", "/api/v1/videos?sort=-nonsense", nil, 400, "unknown sort", "sort"},
		{"GET", "/api/v1/videos/00000000-0000-4000-8000-000000000000", nil, 404, "Video not found", ""},
	} {
		res, body := r.send(t, c.method, c.path, nil, c.hdr, "", false)
		var p problem
		if err := json.Unmarshal([]byte(body), &p); err != nil || res.StatusCode != c.status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %q %s (%v)", c.method, c.path, res.StatusCode, res.Header.Get("Content-Type"), body, err)
			continue
		}
		if p.Status != c.status || !strings.Contains(p.Detail, c.detail) || p.Error != p.Detail || p.Title == "" {
			t.Errorf("%s %s: body %+v", c.method, c.path, p)
		}
		if c.field != "" && p.InvalidParams[c.field].Param != c.field {
			t.Errorf("%s %s: invalid-params %+v, want %s named", c.method, c.path, p.InvalidParams, c.field)
		}
	}
}

func TestAPIPreflightAndCORS(t *testing.T) {
	r := newRig(t)
	res, _ := r.send(t, http.MethodOptions, "/api/v1/videos/upload", nil, map[string]string{"Origin": "https://app.example",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}, "", false)
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "authorization") ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}
	res, _ = r.send(t, http.MethodGet, "/api/v1/videos", nil, map[string]string{"Origin": "https://app.example"}, "", false)
	if res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET without CORS: %v", res.Header)
	}
}

// TestFederationURLsNegotiate: PeerTube's actor and video URLs serve pages
// to browsers, and answer servers in ActivityPub's media type.
func TestFederationURLsNegotiate(t *testing.T) {
	r := newRig(t)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	ch, _ := r.server.Accounts.ChannelsOf(context.Background(), r.userAccount(t, "admin"))
	for _, p := range []string{"/accounts/admin", "/video-channels/" + ch[0].Name, "/videos/watch/" + v.UUID} {
		res, body := r.send(t, http.MethodGet, p, nil, map[string]string{"Accept": "text/html"}, "", false)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "<html") {
			t.Errorf("GET %s as a browser: %d", p, res.StatusCode)
		}
		res, body = r.send(t, http.MethodGet, p, nil, map[string]string{"Accept": `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`}, "", false)
		var e activityError
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") || json.Unmarshal([]byte(body), &e) != nil || e.Status != res.StatusCode {
			t.Errorf("GET %s as a server: %d %q %s", p, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	// An unknown actor, asked by a server, is an activity+json 404.
	res, _ := r.send(t, http.MethodGet, "/accounts/nobody", nil, map[string]string{"Accept": "application/activity+json"}, "", false)
	if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") {
		t.Errorf("unknown actor: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestInstanceNameEverywhere(t *testing.T) {
	r := newRig(t)
	r.server.Config.InstanceName = "Les vidéos de Mamie"
	_, body := r.send(t, http.MethodGet, "/nearby", nil, nil, "", false)
	if !strings.Contains(body, "<title>Nearby · Les vidéos de Mamie</title>") {
		t.Errorf("page title does not carry --name:\n%.300s", body)
	}
	var cfg struct {
		Instance struct{ Name string } `json:"instance"`
	}
	_, body = r.send(t, http.MethodGet, "/api/v1/config", nil, nil, "", false)
	if json.Unmarshal([]byte(body), &cfg); cfg.Instance.Name != "Les vidéos de Mamie" {
		t.Errorf("/api/v1/config instance.name %q", cfg.Instance.Name)
	}
}

// TestNoDeadLinks follows every URL the API hands out for a few videos:
// each must answer (the API used to advertise /accounts/..., /video-channels/...
// and /videos/embed/... links that were 404).
func TestNoDeadLinks(t *testing.T) {
	r := newRig(t)
	var ids []string
	// A real file behind each rendition: metadataUrl asks ffprobe.
	media := filepath.Join(t.TempDir(), "tiny.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x36:rate=10:duration=1",
		"-c:v", "libx264", "-movflags", "frag_keyframe+empty_moov", media).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	tiny, err := os.ReadFile(media)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{model.PrivacyPublic, model.PrivacyPublic, model.PrivacyUnlisted} {
		v := r.publishedVideo(t, r.adminChannel, p)
		if err := os.WriteFile(filepath.Join(r.layout.HLS(v.UUID), v.UUID+"-360-fragmented.mp4"), tiny, 0o644); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.UUID)
	}
	docs := []string{"/api/v1/videos"}
	for _, id := range ids {
		docs = append(docs, "/api/v1/videos/"+id)
	}
	seen := map[string]bool{}
	for _, d := range docs {
		_, body := r.send(t, http.MethodGet, d, nil, nil, "", false)
		var doc any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		walkURLs(doc, func(u string) { seen[u] = true })
	}
	if len(seen) < 8 {
		t.Fatalf("only %d URLs found: %v", len(seen), seen)
	}
	for u := range seen {
		path := strings.TrimPrefix(u, r.http.URL)
		if !strings.HasPrefix(path, "/") {
			t.Errorf("URL %q points elsewhere than this server", u)
			continue
		}
		res, _ := r.send(t, http.MethodGet, path, nil, nil, "", false)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, res.StatusCode)
		}
	}
}

// walkURLs calls fn with every string in doc that is a URL or an absolute
// path (PeerTube's *Path fields).
func walkURLs(doc any, fn func(string)) {
	switch x := doc.(type) {
	case map[string]any:
		for _, v := range x {
			walkURLs(v, fn)
		}
	case []any:
		for _, v := range x {
			walkURLs(v, fn)
		}
	case string:
		if strings.HasPrefix(x, "http://") || strings.HasPrefix(x, "https://") || strings.HasPrefix(x, "/") {
			fn(x)
		}
	}
}

// An inbox POST is the federation group's: never refused as a CSRF
// failure, answered in ActivityPub's media type.
func TestInboxesAreNotPages(t *testing.T) {
	r := newRig(t)
	for _, p := range []string{"/inbox", "/accounts/admin/inbox", "/.well-known/webfinger?resource=acct:admin@example.org"} {
		method := http.MethodPost
		if strings.HasPrefix(p, "/.well-known") {
			method = http.MethodGet
		}
		res, body := r.send(t, method, p, strings.NewReader(`{"type":"Follow"}`), map[string]string{"Content-Type": "application/activity+json"}, "", false)
		if res.StatusCode == http.StatusForbidden || len(res.Cookies()) > 0 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") {
			t.Errorf("%s %s: %d %q cookies %v: %s", method, p, res.StatusCode, res.Header.Get("Content-Type"), res.Cookies(), body)
		}
	}
}

// An upload to someone else's channel is refused, naming the field, and
// leaves nothing behind.
func TestUploadToAnotherAccountsChannel(t *testing.T) {
	r := newRig(t)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("name", "not mine")
	w.WriteField("channelId", strconv.FormatInt(r.adminChannel, 10))
	fw, _ := w.CreateFormFile("videofile", "clip.mp4")
	fw.Write([]byte("whatever the file"))
	w.Close()
	res, body := r.send(t, http.MethodPost, "/api/v1/videos/upload", &buf,
		map[string]string{"Content-Type": w.FormDataContentType(), csrfHeader: testCSRF}, "user", true)
	var p problem
	json.Unmarshal([]byte(body), &p)
	if res.StatusCode != http.StatusForbidden || p.InvalidParams["channelId"].Param != "channelId" {
		t.Errorf("upload to the admin's channel as another user: %d %s", res.StatusCode, body)
	}
	if n, _ := r.server.Videos.Count(t.Context()); n != 0 {
		t.Errorf("%d videos stored", n)
	}
	if left, _ := os.ReadDir(r.layout.Uploads()); len(left) != 0 {
		t.Errorf("upload files left behind: %v", left)
	}
}
