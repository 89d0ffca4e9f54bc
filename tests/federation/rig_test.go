package federation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// clipPath is the one test clip of the process, rendered by TestMain:
// short, small, H.264 yuv420p, so that the copy path publishes it in a
// second or two.
var clipPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cabane-fed-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clipPath = filepath.Join(dir, "clip.mp4")
	args, err := testrig.Clip{Seconds: 1, Size: "320x240", FPS: 25, GOP: 25}.FFmpegArgs(clipPath)
	if err == nil {
		if out, ferr := exec.Command("ffmpeg", args...).CombinedOutput(); ferr != nil {
			err = fmt.Errorf("ffmpeg: %w\n%s", ferr, out)
		}
	}
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "test clip:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	testrig.RemoveBinary()
	os.Exit(code)
}

// instance is one Cabane of a test: its process, its host (the public
// URL's host:port, which is also its listening address) and its one user.
type instance struct {
	*testrig.App
	Host  string
	User  string
	Token string
}

const pass = "correct horse battery"

// start runs a Cabane whose public URL is its own loopback address, with
// one user (admin) named user and that user's channel user_channel; env
// is further environment (a test knob).
func start(t *testing.T, user string, env ...string) *instance {
	t.Helper()
	addr := testrig.FreeAddr(t)
	data := t.TempDir() + "/data"
	testrig.CreateUser(t, data, user, pass, true)
	app := testrig.Start(t, testrig.Options{Data: data, Addr: addr,
		Args: []string{"--public-url", "http://" + addr},
		Env:  append([]string{"CABANE_ALLOW_PRIVATE_FETCH=127.0.0.0/8"}, env...)})
	in := &instance{App: app, Host: addr, User: user}
	in.Token = app.Token(user, pass)
	return in
}

// restart starts the instance again on the same data and address (so the
// same public URL) once it was stopped.
func (in *instance) restart(t *testing.T) {
	t.Helper()
	in.App = in.App.Restart()
	in.Token = in.App.Token(in.User, pass)
}

// api calls the instance's REST API as its user: method, path, a JSON body
// (nil: none), and decodes a JSON answer into out (nil: ignored). It
// returns the status.
func (in *instance) api(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, in.URL(path), rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+in.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(bytes.TrimSpace(raw)) > 0 && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or the federation deadline passes:
// deliveries are queued jobs, so what one instance does reaches another a
// moment later.
func eventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(testrig.PollEvery)
	}
}
