// Package integration runs the real cabane binary against real ffmpeg and
// SQLite, the way a creator and a browser use it over HTTP.
package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var cabaneBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cabane-it-")
	if err != nil {
		panic(err)
	}
	cabaneBin = filepath.Join(dir, "cabane")
	build := exec.Command("go", "build", "-o", cabaneBin, "../../cmd/cabane")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build cabane: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is one running cabane process.
type instance struct {
	t    *testing.T
	data string
	addr string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan error
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func start(t *testing.T, data string, extra ...string) *instance {
	t.Helper()
	in := &instance{t: t, data: data, addr: freeAddr(t), log: &bytes.Buffer{}, done: make(chan error, 1)}
	// mDNS off: tests never announce in the root network namespace.
	args := append([]string{"serve", "--data", data, "--listen", in.addr, "--log-level", "debug", "--mdns=false"}, extra...)
	for i, a := range extra {
		if a == "--http-listen" && i+1 < len(extra) {
			in.addr = extra[i+1] // with TLS on, plain HTTP answers there
		}
	}
	in.cmd = exec.Command(cabaneBin, args...)
	in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
	// Its own process group, so a kill reaches ffmpeg children too when
	// the test wants a whole-box crash.
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.done <- in.cmd.Wait() }()
	t.Cleanup(func() {
		if in.cmd.ProcessState == nil {
			syscall.Kill(-in.cmd.Process.Pid, syscall.SIGKILL)
			<-in.done
		}
		if t.Failed() {
			t.Logf("cabane log:\n%s", in.log.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(in.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return in
			}
		}
		select {
		case err := <-in.done:
			t.Fatalf("cabane exited at start: %v\n%s", err, in.log)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("cabane did not answer in time\n%s", in.log)
	return nil
}

func (in *instance) url(p string) string { return "http://" + in.addr + p }

// stop sends SIGTERM and waits for a clean exit.
func (in *instance) stop() {
	in.t.Helper()
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-in.done:
		if err != nil {
			in.t.Fatalf("cabane did not stop cleanly: %v\n%s", err, in.log)
		}
	case <-time.After(30 * time.Second):
		in.t.Fatalf("cabane did not stop within 30 s\n%s", in.log)
	}
}

// crash kills the whole process group with SIGKILL: ffmpeg dies too, as in
// a power cut.
func (in *instance) crash() {
	syscall.Kill(-in.cmd.Process.Pid, syscall.SIGKILL)
	<-in.done
}

// browser is an HTTP client with cookies, as a browser uses the pages.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get fetches a page and returns its body, final URL and the form token.
func (b *browser) get(u string) (body, final, csrf string) {
	b.t.Helper()
	resp, err := b.c.Get(u)
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

func (b *browser) postForm(u string, vals url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(u, vals)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(raw)
}

// setup creates the admin through the setup page, as the first visitor.
func setup(t *testing.T, in *instance) *browser {
	b := newBrowser(t)
	_, final, tok := b.get(in.url("/"))
	if !strings.HasSuffix(final, "/setup") || tok == "" {
		t.Fatalf("first visit landed on %s (token %q), want /setup", final, tok)
	}
	code, final, body := b.postForm(in.url("/setup"), url.Values{"_csrf": {tok}, "username": {"alice"}, "email": {"alice@example.org"},
		"password": {"correct horse"}, "channel": {"alice_films"}, "channelDisplayName": {"Alice's films"}})
	if code != 200 || !strings.HasSuffix(final, "/") {
		t.Fatalf("setup: %d at %s\n%s", code, final, body)
	}
	return b
}

// uploadForm posts a file through the upload page's form, with its token,
// and returns the short UUID from the watch page it lands on.
func (b *browser) upload(in *instance, file, name string) (status int, final, body string) {
	b.t.Helper()
	_, _, tok := b.get(in.url("/upload"))
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("_csrf", tok)
		mw.WriteField("name", name)
		mw.WriteField("privacy", "1")
		fw, _ := mw.CreateFormFile("videofile", filepath.Base(file))
		f, err := os.Open(file)
		if err == nil {
			io.Copy(fw, f)
			f.Close()
		}
		pw.CloseWithError(mw.Close())
	}()
	resp, err := b.c.Post(in.url("/upload"), mw.FormDataContentType(), pr)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(raw)
}

type apiVideo struct {
	ID        int64  `json:"id"`
	UUID      string `json:"uuid"`
	ShortUUID string `json:"shortUUID"`
	Name      string `json:"name"`
	Duration  int    `json:"duration"`
	State     struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"state"`
	ProcessingProgress float64 `json:"processingProgress"`
	ThumbnailPath      string  `json:"thumbnailPath"`
	PreviewPath        string  `json:"previewPath"`
	Error              string  `json:"error"`
	StreamingPlaylists []struct {
		PlaylistURL string `json:"playlistUrl"`
		Files       []struct {
			Height      int    `json:"height"`
			PlaylistURL string `json:"playlistUrl"`
		} `json:"files"`
	} `json:"streamingPlaylists"`
}

func (in *instance) video(t *testing.T, id string) apiVideo {
	t.Helper()
	var v apiVideo
	getJSON(t, in.url("/api/v1/videos/"+id), &v)
	return v
}

func getJSON(t *testing.T, u string, into any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %d, bad JSON: %v", u, resp.StatusCode, err)
	}
	return resp.StatusCode
}

// waitFor polls the video until cond holds.
func (in *instance) waitFor(t *testing.T, id string, timeout time.Duration, what string, cond func(apiVideo) bool) apiVideo {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var v apiVideo
	for time.Now().Before(deadline) {
		v = in.video(t, id)
		if v.State.ID == 7 {
			t.Fatalf("video failed: %s\n%s", v.Error, in.log)
		}
		if cond(v) {
			return v
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("video %s: %s did not happen within %s (state %+v, progress %.0f)\n%s", id, what, timeout, v.State, v.ProcessingProgress, in.log)
	return v
}

func heights(v apiVideo) []int {
	var hs []int
	for _, p := range v.StreamingPlaylists {
		for _, f := range p.Files {
			hs = append(hs, f.Height)
		}
	}
	return hs
}

// makeClip renders a test clip with ffmpeg's lavfi sources.
func makeClip(t *testing.T, dir, name string, seconds int, size string, codecArgs ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	args := []string{"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", fmt.Sprint(seconds)}
	args = append(append(args, codecArgs...), "-y", out)
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, out)
	}
	return out
}

func h264Args() []string {
	// What a phone or a camera hands over: H.264 High at a sane bitrate.
	return []string{"-c:v", "libx264", "-preset", "veryfast", "-b:v", "2500k", "-maxrate", "3M", "-bufsize", "6M", "-pix_fmt", "yuv420p", "-g", "60", "-c:a", "aac"}
}

func vp9Args() []string {
	return []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M", "-c:a", "libopus"}
}

// ffprobeStreams reads a URL or file with ffprobe and returns its video heights.
func ffprobeHeights(t *testing.T, target string) []int {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=height", "-of", "json", target).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", target, err)
	}
	var r struct {
		Streams []struct {
			Height int `json:"height"`
		} `json:"streams"`
	}
	json.Unmarshal(out, &r)
	var hs []int
	for _, s := range r.Streams {
		hs = append(hs, s.Height)
	}
	return hs
}

// noStaging asserts no half-written rendition folder is left in the data dir.
func noStaging(t *testing.T, data string) {
	t.Helper()
	filepath.WalkDir(filepath.Join(data, "media"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".partial") {
			t.Errorf("staging left behind: %s", p)
		}
		return nil
	})
}
