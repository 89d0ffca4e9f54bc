package discovery

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// testLAN is a switch: one namespace holding a bridge (multicast snooping
// off, so every mDNS packet floods as on a home switch), and hosts, each a
// namespace whose lan0 is a veth plugged into the bridge, with address
// 192.168.78.<i+1>. Unplugging a host (its bridge port down) partitions it.
type testLAN struct {
	sw    string
	hosts []string
}

func newTestLAN(t *testing.T, tag string, hosts int, ipv6 bool) *testLAN {
	t.Helper()
	l := &testLAN{sw: fmt.Sprintf("cbl%d%ss", os.Getpid(), tag)}
	for i := range hosts {
		l.hosts = append(l.hosts, fmt.Sprintf("cbl%d%s%d", os.Getpid(), tag, i+1))
	}
	all := append([]string{l.sw}, l.hosts...)
	// Registered first so it runs last, after every process inside is gone.
	t.Cleanup(func() {
		for _, ns := range all {
			if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
				t.Errorf("ip netns del %s: %v: %s", ns, err, out)
			}
		}
		out, _ := exec.Command("ip", "netns", "list").Output()
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 0 && slices.Contains(all, f[0]) {
				t.Errorf("namespace %s left behind", f[0])
			}
		}
	})
	for _, ns := range all {
		run(t, "ip", "netns", "add", ns)
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	run(t, "ip", "-n", l.sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
	run(t, "ip", "-n", l.sw, "link", "set", "br0", "up")
	for i, ns := range l.hosts {
		if !ipv6 {
			// Without IPv6 a port going down and up changes no address, so a
			// re-registration can only come from the conflict itself.
			run(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
		}
		port := fmt.Sprintf("p%d", i+1)
		run(t, "ip", "link", "add", "lan0", "netns", ns, "type", "veth", "peer", "name", port, "netns", l.sw)
		run(t, "ip", "-n", l.sw, "link", "set", port, "master", "br0")
		run(t, "ip", "-n", l.sw, "link", "set", port, "up")
		run(t, "ip", "-n", ns, "addr", "add", l.addr(i), "dev", "lan0")
		run(t, "ip", "-n", ns, "link", "set", "lan0", "up")
	}
	return l
}

// addr is host i's address with its prefix length.
func (l *testLAN) addr(i int) string { return l.ip(i) + "/24" }

// ip is host i's address.
func (l *testLAN) ip(i int) string { return fmt.Sprintf("192.168.78.%d", i+1) }

// plug connects (true) or disconnects host i's cable at the switch.
func (l *testLAN) plug(t *testing.T, i int, in bool) {
	t.Helper()
	state := "down"
	if in {
		state = "up"
	}
	run(t, "ip", "-n", l.sw, "link", "set", fmt.Sprintf("p%d", i+1), state)
}

func (l *testLAN) pid() int { return os.Getpid() }
