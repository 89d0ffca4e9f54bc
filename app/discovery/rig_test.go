package discovery

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testNet is two network namespaces joined by a veth pair whose ends are both
// called lan0 (so the default interface filter, which skips veth*, is the one
// under test) with 192.168.77.1 in a and 192.168.77.2 in b.
type testNet struct {
	a, b string
}

func newTestNet(t *testing.T, tag string) *testNet {
	t.Helper()
	n := &testNet{a: fmt.Sprintf("cbn%d%sa", os.Getpid(), tag), b: fmt.Sprintf("cbn%d%sb", os.Getpid(), tag)}
	// Registered first so it runs last, after every process inside is gone: a
	// namespace with a live process survives ip netns del.
	t.Cleanup(func() {
		for _, ns := range []string{n.a, n.b} {
			if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
				t.Errorf("ip netns del %s: %v: %s", ns, err, out)
			}
		}
		out, _ := exec.Command("ip", "netns", "list").Output()
		for _, ns := range []string{n.a, n.b} {
			if strings.Contains(string(out), ns) {
				t.Errorf("namespace %s left behind", ns)
			}
		}
	})
	run(t, "ip", "netns", "add", n.a)
	run(t, "ip", "netns", "add", n.b)
	run(t, "ip", "link", "add", "lan0", "netns", n.a, "type", "veth", "peer", "name", "lan0", "netns", n.b)
	for i, ns := range []string{n.a, n.b} {
		run(t, "ip", "-n", ns, "addr", "add", fmt.Sprintf("192.168.77.%d/24", i+1), "dev", "lan0")
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
		run(t, "ip", "-n", ns, "link", "set", "lan0", "up")
	}
	return n
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// proc is a process the test started inside a namespace. Its stdout (and
// stderr when merged) arrives line by line on lines; the rest of stderr is kept
// for the failure log.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdin  interface{ Close() error }
	lines  chan string
	seen   []string // lines already read, so a later wait can find an earlier line
	stderr *lockedBuf
	exited chan struct{}
	helper bool // exits by itself when stdin closes
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startIn runs argv inside namespace ns via ip netns exec, which execs argv in
// place: the pid we hold is the program's own, so stopping it needs no broad kill.
func startIn(t *testing.T, name, ns string, env []string, mergeStderr bool, argv ...string) *proc {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, lines: make(chan string, 1024), stderr: &lockedBuf{}, exited: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	cmd.Stderr = p.stderr
	if mergeStderr {
		cmd.Stderr = w
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	w.Close()
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		r.Close()
	}()
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop closes stdin (helpers withdraw and exit), then SIGTERM, then SIGKILL.
func (p *proc) stop(t *testing.T) {
	p.stdin.Close()
	sigs := []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL}
	if p.helper {
		sigs = append([]syscall.Signal{0}, sigs...)
	}
	for _, sig := range sigs {
		if sig != 0 {
			_ = p.cmd.Process.Signal(sig)
		}
		select {
		case <-p.exited:
			if t.Failed() {
				t.Logf("--- %s stderr:\n%s", p.name, p.stderr.String())
			}
			return
		case <-time.After(3 * time.Second):
		}
	}
	t.Errorf("%s (pid %d) did not exit", p.name, p.cmd.Process.Pid)
}

// mark is a position in the output for waitLineFrom.
func (p *proc) mark() int { return len(p.seen) }

// waitLine returns the first line, earlier ones included, that satisfies ok,
// failing after timeout.
func (p *proc) waitLine(t *testing.T, timeout time.Duration, what string, ok func(string) bool) string {
	t.Helper()
	return p.waitLineFrom(t, 0, timeout, what, ok)
}

// waitLineFrom is waitLine for the lines after mark from.
func (p *proc) waitLineFrom(t *testing.T, from int, timeout time.Duration, what string, ok func(string) bool) string {
	t.Helper()
	for _, l := range p.seen[from:] {
		if ok(l) {
			return l
		}
	}
	deadline := time.After(timeout)
	for {
		select {
		case l, open := <-p.lines:
			if !open {
				t.Fatalf("%s exited while waiting for %s; stderr:\n%s", p.name, what, p.stderr.String())
			}
			p.seen = append(p.seen, l)
			if ok(l) {
				return l
			}
		case <-deadline:
			t.Fatalf("%s: no %s within %v; stderr:\n%s", p.name, what, timeout, p.stderr.String())
		}
	}
}

// waitEvent is waitLineFrom for helper JSON events.
func (p *proc) waitEvent(t *testing.T, from int, timeout time.Duration, what string, ok func(helperEvent) bool) helperEvent {
	t.Helper()
	var ev helperEvent
	p.waitLineFrom(t, from, timeout, what, func(l string) bool {
		var e helperEvent
		if json.Unmarshal([]byte(l), &e) != nil {
			return false
		}
		if e.Event == "error" {
			t.Fatalf("%s: %s", p.name, e.Err)
		}
		ev = e
		return ok(e)
	})
	return ev
}

// startHelper runs this test binary as a Cabane in namespace ns.
func startHelper(t *testing.T, ns, role string, cfg Config, env ...string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(cfg)
	p := startIn(t, role+"@"+ns, ns, append([]string{helperEnv + "=" + role, helperCfgEnv + "=" + string(js)}, env...), false, exe)
	p.helper = true
	return p
}

// avahi is an avahi-daemon with its own D-Bus system bus inside a namespace.
type avahi struct {
	ns  string
	bus string // DBUS_SYSTEM_BUS_ADDRESS=...
}

// startAvahi starts dbus-daemon and avahi-daemon in ns. avahi-daemon keeps its
// pid file and socket under /run/avahi-daemon, so it runs in a private mount
// namespace (ip netns exec makes one) with a tmpfs over /run: two daemons, or a
// host's own, never see each other's files.
func startAvahi(t *testing.T, ns, hostname string) *avahi {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	busConf := filepath.Join(dir, "bus.conf")
	writeFile(t, busConf, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=`+sock+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`)
	avahiConf := filepath.Join(dir, "avahi-daemon.conf")
	writeFile(t, avahiConf, `[server]
host-name=`+hostname+`
use-ipv4=yes
use-ipv6=yes
allow-interfaces=lan0
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
`)
	bus := startIn(t, "dbus@"+ns, ns, nil, true, "dbus-daemon", "--config-file="+busConf, "--nofork", "--nopidfile", "--print-address")
	bus.waitLine(t, 5*time.Second, "bus address", func(l string) bool { return strings.HasPrefix(l, "unix:") })
	a := &avahi{ns: ns, bus: "DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + sock}
	d := startIn(t, "avahi-daemon@"+ns, ns, []string{a.bus}, true, "sh", "-c",
		`mount -t tmpfs cabane-test /run && mkdir /run/avahi-daemon && exec avahi-daemon -f "$0" --no-drop-root --no-chroot --no-rlimits`, avahiConf)
	d.waitLine(t, 10*time.Second, "avahi startup", func(l string) bool { return strings.Contains(l, "Server startup complete") })
	return a
}

// browse runs avahi-browse -r -p for a service type; each resolved service is an
// "=" line, each removal a "-" line.
func (a *avahi) browse(t *testing.T, service string) *proc {
	return startIn(t, "avahi-browse@"+a.ns, a.ns, []string{a.bus}, false, "avahi-browse", "-r", "-p", service)
}

// publish runs avahi-publish for one service in the namespace.
func (a *avahi) publish(t *testing.T, name, service string, port int, txt ...string) *proc {
	args := append([]string{"avahi-publish", "-s", name, service, fmt.Sprint(port)}, txt...)
	p := startIn(t, "avahi-publish@"+a.ns, a.ns, []string{a.bus}, true, args...)
	p.waitLine(t, 10*time.Second, "established", func(l string) bool { return strings.Contains(l, "Established") })
	return p
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// avahiRecord is one line of avahi-browse -p.
type avahiRecord struct {
	op, iface, proto, name, service, host, addr, port, txt string
}

func parseAvahiLine(l string) (avahiRecord, bool) {
	f := strings.SplitN(l, ";", 10)
	if len(f) < 6 {
		return avahiRecord{}, false
	}
	r := avahiRecord{op: f[0], iface: f[1], proto: f[2], name: unescapeLabel(f[3]), service: f[4]}
	if len(f) == 10 {
		r.host, r.addr, r.port, r.txt = f[6], f[7], f[8], f[9]
	}
	return r, true
}

// netnsOf returns the network namespace identity of a process.
func netnsOf(t *testing.T, pid int) string {
	t.Helper()
	s, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
