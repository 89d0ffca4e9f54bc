package discovery

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestServeSaysGoodbyeBeforeExit runs the real cabane binary in namespace a,
// bound to its LAN address, and avahi-browse in namespace b. On SIGTERM the
// process must send its goodbye (TTL 0) before it exits: avahi then drops
// the service at once, after the process is gone. Without a goodbye avahi
// keeps the record for its TTL (many minutes).
func TestServeSaysGoodbyeBeforeExit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "cabane")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/cabane")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cabane: %v\n%s", err, out)
	}
	pid := os.Getpid()
	n := newTestNet(t, "g")
	avB := startAvahi(t, n.b, fmt.Sprintf("avahi-g-%d", pid))
	avBrowse := avB.browse(t, serviceCabane)
	instance := fmt.Sprintf("Goodbye %d", pid)
	srv := startIn(t, "cabane@"+n.a, n.a, nil, false, bin, "serve", "--data", t.TempDir(), "--listen", "192.168.77.1:8080",
		"--mdns", "--name", instance, "--mdns-hostname", fmt.Sprintf("goodbye-%d", pid), "--log-level", "info")
	line := avBrowse.waitLine(t, 30*time.Second, "avahi resolving cabane", func(l string) bool {
		r, ok := parseAvahiLine(l)
		return ok && r.op == "=" && r.name == instance
	})
	if r, _ := parseAvahiLine(line); r.addr != "192.168.77.1" || r.port != "8080" {
		t.Errorf("avahi resolved %q, want 192.168.77.1 port 8080", line)
	}

	mark := avBrowse.mark()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("cabane did not exit within 30 s of SIGTERM\n%s", srv.stderr.String())
	}
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("cabane exited with %d\n%s", code, srv.stderr.String())
	}
	avBrowse.waitLineFrom(t, mark, 3*time.Second, "avahi dropping cabane after its exit", func(l string) bool {
		r, ok := parseAvahiLine(l)
		return ok && r.op == "-" && r.name == instance
	})
}
