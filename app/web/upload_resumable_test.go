package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// resumableRig is the web rig with quotas stored, and an API client.
func resumableRig(t *testing.T) (*rig, *apiClient) {
	r := newRig(t)
	r.videos.Quotas = r.store.Quotas()
	return r, newAPIClient(t, r)
}

// call sends one API request with headers as who, checked against the
// contract.
func (a *apiClient) call(method, path, who string, body []byte, hdr map[string]string) openapi.Response {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.r.http.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	return a.contract.Do(a.t, http.DefaultClient, req)
}

// initUpload starts a resumable upload of size bytes and returns the path
// (with upload_id) that its Location names.
func (a *apiClient) initUpload(who string, size int64) (string, openapi.Response) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"name": "Resumed clip", "filename": "clip.webm", "privacy": 1, "tags": []string{"resume", "chunks"}})
	res := a.call(http.MethodPost, resumablePath, who, body, map[string]string{"Content-Type": "application/json",
		"X-Upload-Content-Length": fmt.Sprint(size), "X-Upload-Content-Type": "video/webm"})
	if res.Status != http.StatusCreated {
		return "", res
	}
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, a.r.http.URL+resumablePath+"?upload_id=") {
		a.t.Fatalf("Location %q", loc)
	}
	return strings.TrimPrefix(loc, a.r.http.URL), res
}

func (a *apiClient) chunk(who, path string, b []byte, start, total int64) openapi.Response {
	a.t.Helper()
	return a.call(http.MethodPut, path, who, b, map[string]string{"Content-Type": "application/octet-stream",
		"Content-Range": fmt.Sprintf("bytes %d-%d/%d", start, start+int64(len(b))-1, total)})
}

func (a *apiClient) stored(who, path string, total int64) (int, string) {
	a.t.Helper()
	res := a.call(http.MethodPut, path, who, nil, map[string]string{"Content-Range": fmt.Sprintf("bytes */%d", total)})
	return res.Status, res.Header.Get("Range")
}

// cutReader gives n bytes, then fails: a connection dropped mid-chunk.
type cutReader struct {
	b []byte
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection dropped")
	}
	k := copy(p, c.b[:min(c.n, len(c.b), len(p))])
	c.b, c.n = c.b[k:], c.n-k
	return k, nil
}

func resumableFiles(t *testing.T, l config.Layout) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(l.Uploads()), "resumable", "*"))
	return m
}

func TestResumableUploadProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a clip")
	}
	r, a := resumableRig(t)
	r.runQueue()
	data, err := os.ReadFile(clip(t, t.TempDir(), 320, 240, 2, 25))
	if err != nil {
		t.Fatal(err)
	}
	total := int64(len(data))
	path, res := a.initUpload("user", total)
	if path == "" {
		t.Fatalf("init: %d %s", res.Status, res.Body)
	}
	if st, rng := a.stored("user", path, total); st != http.StatusPermanentRedirect || rng != "" {
		t.Fatalf("fresh upload: %d Range %q, want 308 and no range", st, rng)
	}
	third := total / 3
	res = a.chunk("user", path, data[:third], 0, total)
	if res.Status != http.StatusPermanentRedirect || res.Header.Get("Range") != fmt.Sprintf("bytes=0-%d", third-1) {
		t.Fatalf("first chunk: %d Range %q", res.Status, res.Header.Get("Range"))
	}
	// Another user can neither read nor write it.
	if st, _ := a.stored("admin", path, total); st != http.StatusForbidden {
		t.Errorf("another user's status query: %d, want 403", st)
	}
	if res := a.chunk("admin", path, data[third:2*third], third, total); res.Status != http.StatusForbidden {
		t.Errorf("another user's chunk: %d, want 403", res.Status)
	}
	// A chunk that skips bytes is refused.
	if res := a.chunk("user", path, data[2*third:], 2*third, total); res.Status != http.StatusConflict {
		t.Errorf("chunk with a gap: %d, want 409", res.Status)
	}

	// The second chunk's connection drops after 1000 bytes.
	req, _ := http.NewRequest(http.MethodPut, r.http.URL+path, &cutReader{b: data[third : 2*third], n: 1000})
	req.ContentLength = third
	req.Header.Set("Authorization", "Bearer "+a.tokens["user"])
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", third, 2*third-1, total))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the cut request got an answer: %d", resp.StatusCode)
	}
	// The client asks where to resume: what arrived was kept.
	var got int64
	eventually(t, 5*time.Second, "the cut chunk's bytes are stored", func() bool {
		st, rng := a.stored("user", path, total)
		var last int64
		fmt.Sscanf(rng, "bytes=0-%d", &last)
		got = last + 1
		return st == http.StatusPermanentRedirect && got >= third+1000
	})
	if got > 2*third {
		t.Fatalf("stored %d bytes, more than was sent", got)
	}
	// The server may still be finishing the dropped request: 409 with
	// the stored range until it has, as node-uploadx answers.
	eventually(t, 5*time.Second, "the resumed chunk is taken", func() bool {
		res = a.chunk("user", path, data[got:2*third], got, total)
		return res.Status != http.StatusConflict
	})
	if res.Status != http.StatusPermanentRedirect {
		t.Fatalf("resumed chunk: %d %s", res.Status, res.Body)
	}
	res = a.chunk("user", path, data[2*third:], 2*third, total)
	if res.Status != http.StatusOK {
		t.Fatalf("last chunk: %d %s", res.Status, res.Body)
	}
	var up uploaded
	if err := json.Unmarshal(res.Body, &up); err != nil || up.Video.UUID == "" || up.Video.ShortUUID == "" || up.Video.ID == 0 {
		t.Fatalf("last chunk's body %s (%v)", res.Body, err)
	}
	if left := resumableFiles(t, r.layout); len(left) != 0 {
		t.Errorf("partial files left after the upload: %v", left)
	}
	v, err := r.store.Videos.ByUUID(context.Background(), up.Video.UUID)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := os.ReadFile(filepath.Join(r.layout.Video(v.UUID), v.OriginalFile))
	if err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("the stored original differs from the file sent (%d of %d bytes, %v)", len(stored), len(data), err)
	}
	tags, _ := r.store.Videos.Tags(context.Background(), v.ID)
	if v.Name != "Resumed clip" || v.Size != total || strings.Join(tags, ",") != "resume,chunks" {
		t.Errorf("video %q size %d tags %v", v.Name, v.Size, tags)
	}
	eventually(t, 60*time.Second, "the upload is processed", func() bool {
		v, err := r.store.Videos.ByUUID(context.Background(), up.Video.UUID)
		return err == nil && v.State == model.StatePublished
	})
	// A finished upload is no more.
	if st, _ := a.stored("user", path, total); st != http.StatusNotFound {
		t.Errorf("status of a finished upload: %d, want 404", st)
	}
}

// reopen is Cabane restarted on the same data directory: a new store
// connection, videos service and server; nothing kept in memory.
func (r *rig) reopen(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, r.layout.DB(), store.Options{BackupDir: r.layout.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	vs := &videos.Service{Store: st.Repo(), Jobs: r.jobs, Media: r.videos.Media, Layout: r.layout, Log: log,
		Transcoding: r.videos.Transcoding, Quotas: st.Quotas()}
	cfg := config.Default()
	cfg.DataDir = r.layout.Root
	srv, err := New(Deps{Config: cfg, Auth: &auth.Service{Store: st.Repo()}, Accounts: &accounts.Service{Store: st.Repo()},
		Videos: vs, Jobs: r.jobs, Log: log, Version: "1.2.3-test", TLSStatus: r.server.TLSStatus, Transcoding: r.server.Transcoding})
	if err != nil {
		t.Fatal(err)
	}
	r.http.Close()
	r.http = httptest.NewServer(srv.Handler())
	t.Cleanup(r.http.Close)
	r.videos, r.store, r.server = vs, st, srv
}

func TestResumableUploadSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a clip")
	}
	r, a := resumableRig(t)
	data, err := os.ReadFile(clip(t, t.TempDir(), 160, 120, 1, 25))
	if err != nil {
		t.Fatal(err)
	}
	total := int64(len(data))
	path, res := a.initUpload("user", total)
	if path == "" {
		t.Fatalf("init: %d %s", res.Status, res.Body)
	}
	half := total / 2
	if res := a.chunk("user", path, data[:half], 0, total); res.Status != http.StatusPermanentRedirect {
		t.Fatalf("first chunk: %d", res.Status)
	}
	r.reopen(t)
	if st, rng := a.stored("user", path, total); st != http.StatusPermanentRedirect || rng != fmt.Sprintf("bytes=0-%d", half-1) {
		t.Fatalf("after the restart: %d Range %q, want 308 bytes=0-%d", st, rng, half-1)
	}
	res = a.chunk("user", path, data[half:], half, total)
	if res.Status != http.StatusOK {
		t.Fatalf("last chunk after the restart: %d %s", res.Status, res.Body)
	}
	var up uploaded
	json.Unmarshal(res.Body, &up)
	if v, err := r.store.Videos.ByUUID(context.Background(), up.Video.UUID); err != nil || v.Size != total {
		t.Fatalf("video after a restart mid-upload: %+v %v", v, err)
	}
}

func TestResumableUploadCancelAndExpiry(t *testing.T) {
	r, a := resumableRig(t)
	body := bytes.Repeat([]byte("x"), 4096)
	path, res := a.initUpload("user", 10000)
	if path == "" {
		t.Fatalf("init: %d %s", res.Status, res.Body)
	}
	if res := a.chunk("user", path, body, 0, 10000); res.Status != http.StatusPermanentRedirect {
		t.Fatalf("chunk: %d", res.Status)
	}
	if n := len(resumableFiles(t, r.layout)); n != 2 {
		t.Fatalf("%d files for one upload, want its part and its state", n)
	}
	if res := a.call(http.MethodDelete, path, "admin", nil, nil); res.Status != http.StatusForbidden {
		t.Errorf("another user's cancel: %d, want 403", res.Status)
	}
	if res := a.call(http.MethodDelete, path, "user", nil, nil); res.Status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if left := resumableFiles(t, r.layout); len(left) != 0 {
		t.Errorf("cancel left %v", left)
	}
	if res := a.chunk("user", path, body, 4096, 10000); res.Status != http.StatusNotFound {
		t.Errorf("chunk of a cancelled upload: %d, want 404", res.Status)
	}

	// Expiry: a day untouched and it goes; a fresh one stays.
	old, _ := a.initUpload("user", 10000)
	a.chunk("user", old, body, 0, 10000)
	fresh, _ := a.initUpload("user", 10000)
	for _, f := range resumableFiles(t, r.layout) {
		if strings.Contains(f, strings.TrimPrefix(old, resumablePath+"?upload_id=")) {
			day := time.Now().Add(-25 * time.Hour)
			os.Chtimes(f, day, day)
		}
	}
	n, err := r.videos.ExpireResumable(time.Now().Add(-videos.ResumableExpiry))
	if err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	if st, _ := a.stored("user", old, 10000); st != http.StatusNotFound {
		t.Errorf("expired upload: %d, want 404", st)
	}
	if st, _ := a.stored("user", fresh, 10000); st != http.StatusPermanentRedirect {
		t.Errorf("fresh upload after expiry: %d, want 308", st)
	}
	if res := a.call(http.MethodPut, resumablePath+"?upload_id=../../cabane.db", "user", nil, nil); res.Status != http.StatusNotFound {
		t.Errorf("a path as upload_id: %d, want 404", res.Status)
	}
}

// TestResumableCancelWhileWriting: a cancel that arrives while a chunk is
// still being written (a browser aborts its PUT and sends DELETE at once;
// the server has not yet seen the PUT's connection close) is a 409 the
// client can retry, not a 500; once the write ends, the cancel succeeds.
func TestResumableCancelWhileWriting(t *testing.T) {
	r, a := resumableRig(t)
	path, res := a.initUpload("user", 10000)
	if path == "" {
		t.Fatalf("init: %d %s", res.Status, res.Body)
	}
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPut, r.http.URL+path, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 4096
	req.Header.Set("Content-Range", "bytes 0-4095/10000")
	req.Header.Set("Authorization", "Bearer "+a.tokens["user"])
	done := make(chan struct{})
	go func() {
		defer close(done)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	if _, err := pw.Write(bytes.Repeat([]byte("x"), 100)); err != nil {
		t.Fatal(err)
	}
	// The server holds the upload once the first bytes are in its part file.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var size int64
		for _, f := range resumableFiles(t, r.layout) {
			if fi, err := os.Stat(f); err == nil && !strings.HasSuffix(f, ".json") {
				size = max(size, fi.Size())
			}
		}
		if size >= 100 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the chunk's first bytes never reached the part file")
		}
		time.Sleep(10 * time.Millisecond)
	}
	del, err := http.NewRequest(http.MethodDelete, r.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	del.Header.Set("Authorization", "Bearer "+a.tokens["user"])
	got, err := http.DefaultClient.Do(del)
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	if got.StatusCode != http.StatusConflict {
		t.Errorf("cancel during a write: %d, want 409", got.StatusCode)
	}
	pw.CloseWithError(errors.New("aborted by the browser"))
	<-done
	// The client has its error; the server may take a moment more to see
	// the connection gone: retry as upload.js does.
	for tries := 0; ; tries++ {
		res := a.call(http.MethodDelete, path, "user", nil, nil)
		if res.Status == http.StatusNoContent {
			break
		}
		if res.Status != http.StatusConflict || tries == 50 {
			t.Fatalf("cancel after the write: %d %s", res.Status, res.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if left := resumableFiles(t, r.layout); len(left) != 0 {
		t.Errorf("cancel left %v", left)
	}
}
