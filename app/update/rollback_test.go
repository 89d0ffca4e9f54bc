package update_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cabane.dev/cabane/app/update"
	"cabane.dev/cabane/internal/testrig"
)

// The whole update path with real binaries: two Cabane builds and a
// release that crashes at start, a supervisor that restarts the service
// as systemd's Restart=on-failure does, and `cabane update` from a shell.
func TestUpdateAndRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	work := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	keyFile := filepath.Join(work, "release.key")
	os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(priv)+"\n"), 0o600)
	pubB64 := base64.StdEncoding.EncodeToString(pub)
	binA, binB := filepath.Join(work, "cabane-1.0.0"), filepath.Join(work, "cabane-2.0.0")
	var wg sync.WaitGroup
	for bin, v := range map[string]string{binA: "1.0.0", binB: "2.0.0"} {
		wg.Go(func() { build(t, bin, v, pubB64) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	data := filepath.Join(work, "data")
	cli(t, binA, "admin", "create-user", "--data", data, "--username", "alice", "--email", "alice@example.org", "--password", "correct horse battery", "--admin")
	addr := testrig.FreeAddr(t)
	sup := supervise(t, binA, addr, data)
	waitVersion(t, addr, "1.0.0")
	pid := sup.pid()
	sup.waitReady(t, 1)
	releases := filepath.Join(data, "releases")

	// Refused, and nothing changes: another key, another architecture, a
	// cut file, a release whose migrations fail.
	body, _ := os.ReadFile(binB)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	otherArch := map[string]string{"amd64": "arm64"}[runtime.GOARCH]
	if otherArch == "" {
		otherArch = "amd64"
	}
	failing := []byte("#!/bin/sh\necho 'migration 7: no such table' >&2\nexit 1\n")
	good := signFile(t, priv, "2.0.0", runtime.GOARCH, body)
	for name, c := range map[string]struct {
		file []byte
		want string
	}{
		"other key":       {signFile(t, otherPriv, "2.0.0", runtime.GOARCH, body), "signature does not match"},
		"other arch":      {signFile(t, priv, "2.0.0", otherArch, body), "this box is linux/" + runtime.GOARCH},
		"truncated":       {good[:len(good)/2], "truncated"},
		"failing migrate": {signFile(t, priv, "2.1.0", runtime.GOARCH, failing), "no such table"},
	} {
		f := filepath.Join(work, strings.ReplaceAll(name, " ", "-")+".update")
		os.WriteFile(f, c.file, 0o644)
		out, err := cliErr(binA, "update", "--data", data, f)
		if err == nil || !strings.Contains(out, c.want) || !strings.Contains(out, "nothing changed") {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
		if entries, _ := os.ReadDir(releases); len(entries) != 0 {
			t.Errorf("%s: the releases directory holds %v", name, names(entries))
		}
	}
	waitVersion(t, addr, "1.0.0")

	// The good update, signed by `cabane release sign`, installed from a
	// shell while the server runs: same process (exec), new version.
	cli(t, binA, "release", "sign", "--key", keyFile, "--version", "2.0.0", "--out", filepath.Join(work, "b.update"), binB)
	start := time.Now()
	out := cli(t, binA, "update", "--data", data, "--wait", "60s", filepath.Join(work, "b.update"))
	t.Logf("update to 2.0.0 took %s:\n%s", time.Since(start).Round(time.Millisecond), out)
	if !strings.Contains(out, "version 2.0.0 is installed") {
		t.Errorf("cabane update says:\n%s", out)
	}
	waitVersion(t, addr, "2.0.0")
	st := state(t, releases)
	if st.Current != "2.0.0" || st.Previous != "" || st.Pending || st.LastRollback != nil {
		t.Errorf("state after the update: %+v", st)
	}
	if sup.pid() != pid || sup.exitCount() != 0 {
		t.Errorf("the server was restarted by the supervisor (pid %d -> %d, %d exits), not by itself", pid, sup.pid(), sup.exitCount())
	}
	sup.waitReady(t, 2)
	login(t, addr)

	// A release that passes its trial migration but crashes at every
	// start, after spoiling the database: three crashes, then back to
	// 2.0.0 and the database as it was.
	crash := []byte("#!/bin/sh\n[ \"$1\" = migrate ] && exit 0\necho 'broken release was here' > \"$CABANE_DATA/cabane.db\"\nexit 1\n")
	os.WriteFile(filepath.Join(work, "c.update"), signFile(t, priv, "3.0.0", runtime.GOARCH, crash), 0o644)
	start = time.Now()
	out, err := cliErr(binA, "update", "--data", data, "--wait", "60s", filepath.Join(work, "c.update"))
	t.Logf("rollback of 3.0.0 took %s:\n%s", time.Since(start).Round(time.Millisecond), out)
	if err == nil || !strings.Contains(out, "rolled back to 2.0.0: crashed 3 times") {
		t.Errorf("cabane update: %v\n%s", err, out)
	}
	waitVersion(t, addr, "2.0.0")
	st = state(t, releases)
	if rb := st.LastRollback; st.Current != "2.0.0" || st.Pending || rb == nil || rb.From != "3.0.0" || rb.To != "2.0.0" || rb.Reason != update.ReasonCrashed {
		t.Errorf("state after the rollback: %+v %+v", st, st.LastRollback)
	}
	if n := sup.exitCount(); n != 3 {
		t.Errorf("%d exits, want the 3 crashes", n)
	}
	login(t, addr) // the database is the one from before 3.0.0, readable by 2.0.0
	if _, err := os.Stat(filepath.Join(releases, "3.0.0")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the failed release is still installed")
	}
}

func build(t *testing.T, out, version, key string) {
	root, err := testrig.ModuleRoot()
	if err != nil {
		t.Error(err)
		return
	}
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version+" -X main.releaseKey="+key, "-o", out, "./cmd/cabane")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("build %s: %v\n%s", version, err, b)
	}
}

func signFile(t *testing.T, priv ed25519.PrivateKey, v, arch string, body []byte) []byte {
	var b bytes.Buffer
	if err := update.Sign(&b, priv, update.Manifest{Version: v, GOOS: "linux", GOARCH: arch}, body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func cli(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := cliErr(bin, args...)
	if err != nil {
		t.Fatalf("cabane %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func cliErr(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutVar(os.Environ(), "NOTIFY_SOCKET")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func names(es []os.DirEntry) []string {
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}

func state(t *testing.T, releases string) update.State {
	t.Helper()
	st, err := update.Dir(releases).Load()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func waitVersion(t *testing.T, addr, want string) {
	t.Helper()
	var got string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var cfg struct {
			ServerVersion string `json:"serverVersion"`
		}
		if resp, err := http.Get("http://" + addr + "/api/v1/config"); err == nil {
			json.NewDecoder(resp.Body).Decode(&cfg)
			resp.Body.Close()
			if got = cfg.ServerVersion; resp.StatusCode == 200 && got == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("version %q answers, want %q", got, want)
}

// login proves alice's account (made before any update) is in the
// database the server runs on.
func login(t *testing.T, addr string) {
	t.Helper()
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	testrig.GetJSON(t, "http://"+addr+"/api/v1/oauth-clients/local", &cl)
	resp, err := http.PostForm("http://"+addr+"/api/v1/users/token", url.Values{"client_id": {cl.ClientID}, "client_secret": {cl.ClientSecret},
		"grant_type": {"password"}, "username": {"alice"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("alice cannot log in: %s", resp.Status)
	}
}

// supervisor restarts the service on a non-zero exit after RestartSec, as
// systemd's Restart=on-failure does, kills a start that sends no READY=1
// within the start timeout, and counts READY=1 on its notify socket.
type supervisor struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	exits  []int
	ready  int
	stop   bool
	done   chan struct{}
	logBuf testrig.LockedBuffer
}

func supervise(t *testing.T, bin, addr, data string) *supervisor {
	sockPath := filepath.Join(t.TempDir(), "notify")
	sock, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	s := &supervisor{done: make(chan struct{})}
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := sock.Read(buf)
			if err != nil {
				return
			}
			if strings.Contains(string(buf[:n]), "READY=1") {
				s.mu.Lock()
				s.ready++
				s.mu.Unlock()
			}
		}
	}()
	env := append(withoutVar(os.Environ(), "NOTIFY_SOCKET"), "NOTIFY_SOCKET="+sockPath, "CABANE_DATA="+data)
	go func() {
		defer close(s.done)
		for {
			cmd := exec.Command(bin, "serve", "--listen", addr, "--mdns=false", "--log-level", "warn")
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = &s.logBuf, &s.logBuf
			s.mu.Lock()
			if s.stop {
				s.mu.Unlock()
				return
			}
			readyBefore := s.ready
			err := cmd.Start()
			s.cmd = cmd
			s.mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			timer := time.AfterFunc(60*time.Second, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				if s.ready == readyBefore {
					cmd.Process.Kill() // TimeoutStartSec
				}
			})
			err = cmd.Wait()
			timer.Stop()
			s.mu.Lock()
			code := cmd.ProcessState.ExitCode()
			stop := s.stop
			if !stop {
				s.exits = append(s.exits, code)
			}
			s.mu.Unlock()
			if stop || err == nil {
				return
			}
			time.Sleep(200 * time.Millisecond) // RestartSec
		}
	}()
	t.Cleanup(func() {
		s.mu.Lock()
		s.stop = true
		if s.cmd != nil && s.cmd.Process != nil {
			s.cmd.Process.Signal(syscall.SIGTERM)
		}
		s.mu.Unlock()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
		}
		sock.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", s.logBuf.String())
		}
	})
	return s
}

func (s *supervisor) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid
}

func (s *supervisor) exitCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.exits)
}

func (s *supervisor) waitReady(t *testing.T, n int) {
	t.Helper()
	testrig.WaitFor(t, 30*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.ready >= n
	})
}
