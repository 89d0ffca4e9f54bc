package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/openapi"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testrig.RemoveBinary()
	os.Exit(code)
}

// instance is a running Cabane with its administrator (testrig.Owner,
// whose channel is testrig.Owner.Channel) set up through the first-run
// page, as a person at the box does.
type instance struct {
	*testrig.App
	contract *openapi.Contract
}

func newInstance(t *testing.T) *instance {
	t.Helper()
	a := testrig.Start(t, testrig.Options{})
	a.Setup()
	return &instance{App: a, contract: openapi.Load(t)}
}

// call sends one request as an app does and checks the answer against the
// contract (openapi.Contract.Do fails the test on any discrepancy).
// header is extra headers ("Authorization", "User-Agent", ...); body, when
// not nil, is sent with contentType.
func (in *instance) call(t *testing.T, method, path string, header map[string]string, contentType string, body []byte) openapi.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, in.URL(path), rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return in.contract.Do(t, &http.Client{Timeout: 30 * time.Second}, req)
}

// want fails the test unless the response has the status.
func want(t *testing.T, what string, r openapi.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, clip(r.Body))
	}
}

func clip(b []byte) string {
	if len(b) > 1500 {
		return string(b[:1500]) + "…"
	}
	return string(b)
}

// obj decodes a JSON object (numbers as json.Number, so a test can tell an
// integer from a string as the apps' typed parsers do).
func obj(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, clip(b))
	}
	return m
}

// field walks a dotted path ("channel.host", "data.0.name") through
// decoded JSON; ok is false when a step is missing.
func field(v any, path string) (any, bool) {
	for _, step := range strings.Split(path, ".") {
		switch cur := v.(type) {
		case map[string]any:
			next, ok := cur[step]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			var i int
			if _, err := fmt.Sscanf(step, "%d", &i); err != nil || i < 0 || i >= len(cur) {
				return nil, false
			}
			v = cur[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Types an app's parser insists on.
const (
	tString = "string"
	tInt    = "int"
	tNumber = "number"
	tBool   = "bool"
	tArray  = "array"
	tObject = "object"
	tNull   = "null-or-string" // a string, or null (PeerTube sends null when unset)
)

// fields asserts that each path exists in v with the type the app reads it
// as: a client written in Java/Kotlin/JS fails (or shows nothing) when a
// field it reads is missing or of another type.
func fields(t *testing.T, what string, v any, want map[string]string) {
	t.Helper()
	for path, typ := range want {
		got, ok := field(v, path)
		if !ok {
			t.Errorf("%s: %s is missing", what, path)
			continue
		}
		if !isType(got, typ) {
			t.Errorf("%s: %s is %T %v, want %s", what, path, got, got, typ)
		}
	}
}

func isType(v any, typ string) bool {
	switch typ {
	case tString:
		_, ok := v.(string)
		return ok
	case tNull:
		_, ok := v.(string)
		return ok || v == nil
	case tInt:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	case tNumber:
		_, ok := v.(json.Number)
		return ok
	case tBool:
		_, ok := v.(bool)
		return ok
	case tArray:
		_, ok := v.([]any)
		return ok
	case tObject:
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// token logs in as PeerTube's apps do: the local OAuth client, then the
// password grant; returns the bearer header.
func (in *instance) bearer(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"Authorization": "Bearer " + in.Token(testrig.Owner.User, testrig.Owner.Pass)}
}

// uploadClip uploads a short H.264 clip through the API (as the web
// client's legacy upload does) and waits until it is published; returns
// its UUID.
func (in *instance) uploadClip(t *testing.T, name string, extra url.Values) string {
	t.Helper()
	file := testrig.MakeClip(t, filepath.Join(t.TempDir(), "clip.mp4"), testrig.Clip{Seconds: 3})
	tok := in.Token(testrig.Owner.User, testrig.Owner.Pass)
	var buf bytes.Buffer
	mw := newMultipart(&buf)
	mw.field("name", name)
	mw.field("channelId", fmt.Sprint(in.channelID(t)))
	mw.field("privacy", "1")
	for k, vs := range extra {
		for _, v := range vs {
			mw.field(k, v)
		}
	}
	mw.file("videofile", file)
	ct := mw.close()
	req, _ := http.NewRequest(http.MethodPost, in.URL("/api/v1/videos/upload"), &buf)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload %s: %d %s", name, resp.StatusCode, b)
	}
	var out struct {
		Video struct{ UUID string } `json:"video"`
	}
	json.Unmarshal(b, &out)
	in.waitPublished(t, out.Video.UUID)
	return out.Video.UUID
}

// waitPublished polls the API until the video is published (state 1).
func (in *instance) waitPublished(t *testing.T, id string) {
	t.Helper()
	testrig.WaitFor(t, 2*time.Minute, func() bool {
		var v struct {
			State struct{ ID int } `json:"state"`
			Error string           `json:"error"`
		}
		testrig.GetJSON(t, in.URL("/api/v1/videos/"+id), &v)
		if v.State.ID == 7 {
			t.Fatalf("video %s failed: %s", id, v.Error)
		}
		return v.State.ID == 1
	})
}

// channelID is the administrator's channel's number.
func (in *instance) channelID(t *testing.T) int64 {
	t.Helper()
	var ch struct{ ID int64 }
	if code := testrig.GetJSON(t, in.URL("/api/v1/video-channels/"+testrig.Owner.Channel), &ch); code != http.StatusOK {
		t.Fatalf("channel %s: %d", testrig.Owner.Channel, code)
	}
	return ch.ID
}

// run runs a command with a deadline and returns its combined output.
func run(ctx context.Context, t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("$ %s %s\n%s", name, strings.Join(args, " "), out)
	return string(out), err
}
