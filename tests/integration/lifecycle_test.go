package integration

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// A restart (SIGTERM, new process, same data directory) keeps the account,
// the session, the videos and their files.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "a.mp4", 3, "640x360", "h264")
	data := filepath.Join(dir, "data")
	in := testrig.Start(t, testrig.Options{Data: data})
	b := in.Setup()
	_, final, _ := upload(t, b, in, clip, "Kept")
	id := final[strings.LastIndex(final, "/")+1:]
	v := waitVideo(t, in, id, 60*time.Second, "publication", func(v apiVideo) bool { return v.State.ID == 1 && len(heights(v)) == 1 })
	in.Stop() // fails the test unless the process exits with status 0
	// A clean stop folds the WAL back into the database file.
	if st, err := os.Stat(filepath.Join(data, "cabane.db-wal")); err == nil && st.Size() > 0 {
		t.Errorf("WAL of %d bytes left after a clean stop", st.Size())
	}

	in2 := testrig.Start(t, testrig.Options{Data: data})
	// The browser's cookies were set for the old address; carry them over.
	old, _ := url.Parse(in.URL("/"))
	now, _ := url.Parse(in2.URL("/"))
	b.C.Jar.SetCookies(now, b.C.Jar.Cookies(old))
	page, final, _ := b.Get(in2.URL("/upload"))
	if !strings.HasSuffix(final, "/upload") || !strings.Contains(page, `id="upload-form"`) {
		t.Errorf("session lost across the restart: landed on %s", final)
	}
	v2 := video(t, in2, id)
	if v2.UUID != v.UUID || v2.State.ID != 1 || !slices.Equal(heights(v2), heights(v)) {
		t.Fatalf("after restart: %+v, before: %+v", v2, v)
	}
	if hs := ffprobeHeights(t, v2.StreamingPlaylists[0].PlaylistURL); len(hs) != 1 {
		t.Errorf("master playlist unreadable after restart: %v", hs)
	}
	// The first run is over: no setup page again.
	_, final, _ = testrig.NewBrowser(t).Get(in2.URL("/"))
	if strings.HasSuffix(final, "/setup") {
		t.Error("setup page shown again after a restart")
	}
}

// kill -9 in the middle of a transcode: the next start resumes the job and
// publishes the video; a half-written rendition is never served.
func TestKill9DuringTranscodeResumes(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "long.webm", 20, "1280x720", "vp9")
	data := filepath.Join(dir, "data")
	in := testrig.Start(t, testrig.Options{Data: data})
	in.Setup()
	token := in.Token("alice", "correct horse")
	code, res := apiUpload(t, in, token, clip, map[string]string{"name": "Interrupted"})
	if code != 200 {
		t.Fatalf("upload: %d %v", code, res)
	}
	id := res["video"].(map[string]any)["uuid"].(string)
	waitVideo(t, in, id, 60*time.Second, "the transcode to start", func(v apiVideo) bool { return v.ProcessingProgress > 0 })
	in.Kill()

	// Whatever ffmpeg was writing is in a staging folder, never at a path
	// the server would serve.
	hls := filepath.Join(data, "media", id, "hls")
	entries, _ := os.ReadDir(hls)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			t.Errorf("rendition %s is in place before the transcode finished", e.Name())
		}
	}

	in2 := testrig.Start(t, testrig.Options{Data: data})
	// Not published by the killed process: whatever publishes it now is
	// the new process resuming the job.
	if v := video(t, in2, id); v.State.ID == 1 {
		t.Fatalf("published before the restart could resume anything: %+v", v)
	}
	resp, err := http.Get(in2.URL("/static/streaming-playlists/hls/" + id + "/720.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unfinished rendition served with %d", resp.StatusCode)
	}
	v := waitVideo(t, in2, id, 3*time.Minute, "publication after the restart", func(v apiVideo) bool { return v.State.ID == 1 })
	if hs := heights(v); !slices.Equal(hs, []int{720, 480, 360}) {
		t.Errorf("renditions after resume: %v", hs)
	}
	if v.Duration != 20 {
		t.Errorf("duration %d, want 20", v.Duration)
	}
	noStaging(t, data)
}

// The setup, login and upload forms refuse posts without the form token;
// logins fail with a wrong password; logout ends the session.
func TestFormsCSRFAndLogin(t *testing.T) {
	dir := t.TempDir()
	clip := makeClip(t, dir, "c.mp4", 2, "320x240", "h264")
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})

	evil := testrig.NewBrowser(t)
	evil.Get(in.URL("/setup")) // gets a token cookie, but will not send the token
	code, _, _ := evil.PostForm(in.URL("/setup"), url.Values{"username": {"mallory"}, "email": {"m@example.org"}, "password": {"12345678"}, "channel": {"m_channel"}})
	if code != http.StatusForbidden {
		t.Fatalf("setup without the form token: %d, want 403", code)
	}
	b := in.Setup()
	// A second setup is refused once an admin exists.
	_, _, tok := b.Get(in.URL("/login"))
	code, _, _ = b.PostForm(in.URL("/setup"), url.Values{"_csrf": {tok}, "username": {"bob"}, "email": {"b@example.org"}, "password": {"12345678"}, "channel": {"bob_channel"}})
	if code != http.StatusForbidden {
		t.Errorf("second setup: %d, want 403", code)
	}

	// Upload with the session cookie but a forged form: refused, nothing kept.
	code, _, _ = upload(t, b, in, clip, "with token") // the control: carries the page's token
	if code != 200 {
		t.Fatalf("upload with token: %d", code)
	}
	resp := postMultipart(t, b.C, in.URL("/upload"), map[string]string{"_csrf": "wrong", "name": "x"}, clip)
	if resp != http.StatusForbidden {
		t.Errorf("upload with a wrong token: %d, want 403", resp)
	}
	resp = postMultipart(t, b.C, in.URL("/api/v1/videos/upload"), map[string]string{"name": "x"}, clip)
	if resp != http.StatusForbidden {
		t.Errorf("API upload with the session cookie and no token: %d, want 403", resp)
	}
	var list struct{ Total int }
	testrig.GetJSON(t, in.URL("/api/v1/videos"), &list)
	if list.Total > 1 {
		t.Errorf("%d videos stored, want only the one with a token", list.Total)
	}

	// Log out, then log in with a wrong and a right password.
	_, _, tok = b.Get(in.URL("/"))
	if code, final, _ := b.PostForm(in.URL("/logout"), url.Values{"_csrf": {tok}}); code != 200 || !strings.HasSuffix(final, "/") {
		t.Fatalf("logout: %d %s", code, final)
	}
	if _, final, _ := b.Get(in.URL("/upload")); !strings.Contains(final, "/login") {
		t.Fatalf("after logout /upload went to %s, want the login page", final)
	}
	_, _, tok = b.Get(in.URL("/login"))
	if code, _, body := b.PostForm(in.URL("/login"), url.Values{"_csrf": {tok}, "username": {"alice"}, "password": {"wrong password"}}); code != http.StatusUnauthorized || !strings.Contains(body, "Wrong user name or password") {
		t.Errorf("wrong password: %d", code)
	}
	if code, _, _ := b.PostForm(in.URL("/login"), url.Values{"username": {"alice"}, "password": {"correct horse"}}); code != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", code)
	}
	if code, final, _ := b.PostForm(in.URL("/login"), url.Values{"_csrf": {tok}, "username": {"alice"}, "password": {"correct horse"}, "next": {"/upload"}}); code != 200 || !strings.HasSuffix(final, "/upload") {
		t.Errorf("login: %d at %s, want /upload", code, final)
	}
	if _, final, _ := b.Get(in.URL("/login?next=//evil.example/")); strings.Contains(final, "evil") {
		t.Errorf("open redirect through next: %s", final)
	}
}

func postMultipart(t *testing.T, c *http.Client, u string, fields map[string]string, file string) int {
	t.Helper()
	body, ctype := multipartBody(t, fields, file)
	resp, err := c.Post(u, ctype, body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// cabane admin create-user works while the server runs, with the password
// on standard input, and the new user can log in through the API.
func TestAdminCreateUserWhileServing(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	in := testrig.Start(t, testrig.Options{Data: data})
	cmd := exec.Command(testrig.Binary(t), "admin", "create-user", "--data", data, "--username", "bob", "--email", "bob@example.org", "--admin")
	cmd.Stdin = strings.NewReader("a long secret\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "created administrator bob") {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	// The admin exists now, so the first-run setup is over.
	if _, final, _ := testrig.NewBrowser(t).Get(in.URL("/")); strings.HasSuffix(final, "/setup") {
		t.Errorf("setup still shown after the CLI created an admin")
	}
	in.Token("bob", "a long secret")
	// Same name again: a clear refusal, not a crash.
	cmd = exec.Command(testrig.Binary(t), "admin", "create-user", "--data", data, "--username", "bob", "--email", "other@example.org", "--password", "another secret")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already taken") {
		t.Errorf("duplicate user: err %v, output %s", err, out)
	}
}

// cabane doctor answers "will my box cope?" on a box never set up.
func TestDoctor(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out, err := exec.Command(testrig.Binary(t), "doctor", "--data", data, "--seconds", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, want := range []string{"Board:", "Memory:", "Disk:", "free of", "ffmpeg:", "working libx264", "Encoder:      libx264", "Ladder:", "720p:", "1080p:", "× real time"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

// The admin pages are wired to the real hardware probe and TLS state, and
// closed to anyone else.
func TestAdminPagesWired(t *testing.T) {
	in := testrig.Start(t, testrig.Options{})
	b := in.Setup()
	deadline := time.Now().Add(20 * time.Second)
	var page string
	for time.Now().Before(deadline) {
		page, _, _ = b.Get(in.URL("/admin/transcoding"))
		if strings.Contains(page, "libx264") && strings.Contains(page, "h264_nvenc") {
			break // the probe has listed ffmpeg's encoders
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, want := range []string{"libx264", "h264_nvenc", "720p"} {
		if !strings.Contains(page, want) {
			t.Errorf("/admin/transcoding lacks %q", want)
		}
	}
	if page, _, _ := b.Get(in.URL("/admin")); !strings.Contains(page, "HTTPS") {
		t.Errorf("/admin does not show the TLS state")
	}
	if _, final, _ := testrig.NewBrowser(t).Get(in.URL("/admin/transcoding")); !strings.Contains(final, "/login") {
		t.Errorf("anonymous visitor reached the admin page: %s", final)
	}
}
