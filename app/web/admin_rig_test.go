package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/certs"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/hardware"
)

// testCSRF is the double-submit token the test clients send as cookie and
// form field.
const testCSRF = "test-csrf-token-0123456789abcdefghijklmnopqrstuvwxyz"

// rig is a web.Server on real parts: a SQLite file, the job queue, the
// videos service with the system's ffmpeg, behind a real listener.
type rig struct {
	t      *testing.T
	layout config.Layout
	store  *store.Store
	jobs   *jobs.Queue
	videos *videos.Service
	server *Server
	http   *httptest.Server

	adminChannel int64
	adminAccount int64
	sessions     map[string]string // "admin", "user" → session cookie

	mu      sync.Mutex
	status  transcoding.Status
	choices []string // SetEncoder calls
	heights []int    // the ladder the videos service encodes
	tls     certs.Status
}

func newRig(t *testing.T) *rig { t.Helper(); return newRigIn(t, t.TempDir()) }

// newRigIn is newRig with its data directory in dir (a small disk, say).
func newRigIn(t *testing.T, dir string) *rig {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Workers = 1
	r := &rig{t: t, layout: config.Layout{Root: cfg.DataDir}, sessions: map[string]string{}}
	if err := r.layout.Prepare(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	st, err := store.Open(ctx, r.layout.DB(), store.Options{BackupDir: r.layout.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.store = st
	r.jobs = jobs.New(st.DB(), log, jobs.Options{Poll: 100 * time.Millisecond})
	runner := &media.Runner{FFmpeg: "ffmpeg", FFprobe: "ffprobe", Logger: log}
	board := hardware.Board{Kind: hardware.KindGeneric, Cores: 2, MemTotal: 4 << 30}
	enc := hardware.Libx264{Preset: "veryfast"}
	prof := transcoding.Build(board, hardware.ProbeResult{}, false, "", 1)
	// Only 360p: the tests encode small clips and must stay quick.
	r.heights = []int{360}
	r.videos = &videos.Service{Store: st.Repo(), Jobs: r.jobs, Media: runner, Layout: r.layout, Log: log,
		Transcoding: rigProfiles{r: r, base: prof}}
	r.jobs.Register(videos.JobKind, r.videos.Handle)
	r.status = transcoding.Status{Board: board, Encoder: enc.Name(), Profile: prof, Probed: true}
	r.tls = certs.Status{Mode: certs.ModeOff, State: certs.StateOff}
	au := &auth.Service{Store: st.Repo()}
	r.server, err = New(Deps{Config: cfg, Auth: au, Accounts: &accounts.Service{Store: st.Repo()}, Videos: r.videos, Jobs: r.jobs, Log: log, Version: "1.2.3-test",
		TLSStatus: func() certs.Status { r.mu.Lock(); defer r.mu.Unlock(); return r.tls },
		Transcoding: func() transcoding.Status {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.status
		},
		SetEncoder: func(ctx context.Context, name string) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.choices = append(r.choices, name)
			r.status.Choice = name
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.http = httptest.NewServer(r.server.Handler())
	t.Cleanup(r.http.Close)

	for _, u := range []struct {
		name  string
		admin bool
	}{{"admin", true}, {"user", false}} {
		usr, ch, err := au.CreateUser(ctx, auth.NewUserRequest{Username: u.name, Email: u.name + "@example.org",
			Password: "correct horse battery staple", Admin: u.admin})
		if err != nil {
			t.Fatal(err)
		}
		if u.admin {
			r.adminChannel, r.adminAccount = ch.ID, ch.AccountID
		}
		if r.sessions[u.name], err = au.StartSession(ctx, usr.ID); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// runQueue runs the job queue until the test ends.
func (r *rig) runQueue() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.jobs.Run(ctx, 1); err != nil {
			r.t.Errorf("queue: %v", err)
		}
	}()
	r.t.Cleanup(func() { cancel(); <-done })
}

// request is one request as who ("", "user" or "admin"); withCSRF adds
// the token (cookie and form field) that a page's form would send.
type request struct {
	method, path, who string
	form              url.Values
	withCSRF          bool
	lang              string // Accept-Language, when set
}

// do sends req without following redirects.
func (r *rig) do(ctx context.Context, req request) *http.Response {
	r.t.Helper()
	var body io.Reader
	form := url.Values{}
	for k, v := range req.form {
		form[k] = v
	}
	if req.withCSRF {
		form.Set(csrfField, testCSRF)
	}
	if req.method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, r.http.URL+req.path, body)
	if err != nil {
		r.t.Fatal(err)
	}
	if req.method == http.MethodPost {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if req.lang != "" {
		hr.Header.Set("Accept-Language", req.lang)
	}
	hr.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	if req.who != "" {
		hr.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[req.who]})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(hr)
	if err != nil {
		r.t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	return res
}

// page fetches a page and returns its status and body.
func (r *rig) page(req request) (int, string) {
	r.t.Helper()
	res := r.do(context.Background(), req)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// clip makes a test clip with ffmpeg's lavfi sources. VP9 in WebM, so
// Cabane must encode it (the copy path is for H.264).
func clip(t *testing.T, dir string, w, h, seconds, fps int) string {
	t.Helper()
	out := filepath.Join(dir, fmt.Sprintf("clip-%dx%d-%ds.webm", w, h, seconds))
	cmd := exec.Command("ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d:duration=%d", w, h, fps, seconds),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", seconds),
		"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-g", "120",
		"-c:a", "libopus", "-b:a", "32k", "-shortest", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, b)
	}
	return out
}

// ingest stores a clip as an upload of the admin's channel; its job is
// queued.
func (r *rig) ingest(path string, privacy int) model.Video {
	r.t.Helper()
	tmp := filepath.Join(r.layout.Uploads(), filepath.Base(path))
	if err := os.Rename(path, tmp); err != nil {
		// another file system: copy
		b, err := os.ReadFile(path)
		if err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			r.t.Fatal(err)
		}
	}
	v, err := r.videos.Ingest(context.Background(), tmp, videos.UploadMeta{UploaderAccountID: r.adminAccount, ChannelID: r.adminChannel, Name: "Clip " + filepath.Base(path),
		Privacy: privacy, OriginalName: filepath.Base(path)})
	if err != nil {
		r.t.Fatal(err)
	}
	return v
}

// sseEvent is one parsed server-sent event.
type sseEvent struct {
	Name, Data string
}

// openStream connects to an event stream and parses it in the background;
// the channel closes when the stream ends.
func (r *rig) openStream(ctx context.Context, path, who string) (*http.Response, <-chan sseEvent) {
	r.t.Helper()
	res := r.do(ctx, request{method: http.MethodGet, path: path, who: who})
	ch := make(chan sseEvent, 256)
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		close(ch)
		return res, ch
	}
	go func() {
		defer close(ch)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" || ev.Data != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return res, ch
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ffmpegChildren lists the ffmpeg processes whose parent is this test.
func ffmpegChildren() []int {
	var out []int
	me := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ")".
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < 0 {
			continue
		}
		comm := s[open+1 : end]
		// A zombie counts too: the child must be reaped, not just dead.
		var state string
		var ppid int
		if _, err := fmt.Sscan(s[end+1:], &state, &ppid); err != nil {
			continue
		}
		if ppid == me && strings.HasPrefix(comm, "ffmpeg") {
			out = append(out, pid)
		}
	}
	return out
}

// stagingDirs lists the ".partial*" folders left in a video's HLS folder.
func (r *rig) stagingDirs(v model.Video) []string {
	m, err := filepath.Glob(filepath.Join(r.layout.HLS(v.UUID), ".partial*"))
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

// rigProfiles is the profile the rig's videos service encodes with: the
// board's libx264 profile, with only r.heights and nothing above them.
type rigProfiles struct {
	r    *rig
	base transcoding.Profile
}

func (p rigProfiles) Profile() transcoding.Profile {
	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	prof := p.base
	prof.Heights = slices.Clone(p.r.heights)
	prof.MaxHeight = slices.Max(p.r.heights)
	return prof
}

func (rigProfiles) EncoderFailed(string, error) {}
