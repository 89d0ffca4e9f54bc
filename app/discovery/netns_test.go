package discovery

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMDNSAcrossNamespaces runs a Cabane announcer in namespace a and, in
// namespace b, a Cabane browser and avahi-browse with its own avahi-daemon and
// D-Bus. The second run also starts an avahi-daemon next to the announcer, which
// publishes a service of its own: both stacks must answer on UDP 5353 without
// breaking each other. Nothing runs in the root namespace.
func TestMDNSAcrossNamespaces(t *testing.T) {
	for _, tc := range []struct {
		name        string
		avahiNextTo bool
	}{
		{"alone", false},
		{"with_avahi_in_cabane_ns", true},
	} {
		t.Run(tc.name, func(t *testing.T) { testMDNS(t, tc.name[:1], tc.avahiNextTo) })
	}
}

func testMDNS(t *testing.T, tag string, avahiNextTo bool) {
	start := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(start).Seconds(), what) }
	pid := os.Getpid()
	n := newTestNet(t, tag)
	rootNS := netnsOf(t, os.Getpid())
	host := fmt.Sprintf("cabane-%d%s", pid, tag)
	cfg := Config{
		Enabled:        true,
		Instance:       fmt.Sprintf("Cabane de Léa %d", pid),
		Hostname:       host,
		Port:           8080,
		Path:           "/",
		PublicURL:      "https://lea.example",
		Version:        "0.1.0-test",
		PollInterval:   300 * time.Millisecond,
		BrowseInterval: 2 * time.Second,
	}

	const twin = "Avahi Twin"
	var avA *avahi
	if avahiNextTo {
		avA = startAvahi(t, n.a, fmt.Sprintf("avahi-a-%d", pid))
		avA.publish(t, twin, serviceCabane, 8099, "txtvers=1", "name="+twin, "path=/")
	}
	step("namespaces up")
	avB := startAvahi(t, n.b, fmt.Sprintf("avahi-b-%d", pid))
	avBrowse := avB.browse(t, serviceCabane)

	// The browser in b is not ourselves: give it its own identity.
	bcfg := cfg
	bcfg.Instance, bcfg.Hostname = "Browser", fmt.Sprintf("browser-%d", pid)
	browser := startHelper(t, n.b, "browse", bcfg)
	browser.waitEvent(t, 0, 5*time.Second, "ready", func(e helperEvent) bool { return e.Event == "ready" })

	step("avahi and browser in b ready")
	ann := startHelper(t, n.a, "announce", cfg)
	announced := ann.waitEvent(t, 0, 5*time.Second, "announced", func(e helperEvent) bool { return e.Event == "announced" })
	if !slices.Contains(announced.Addrs, "192.168.77.1") {
		t.Errorf("announced addresses %v lack 192.168.77.1", announced.Addrs)
	}
	for _, p := range []*proc{browser, ann, avBrowse} {
		if netnsOf(t, p.cmd.Process.Pid) == rootNS {
			t.Fatalf("%s runs in the root network namespace", p.name)
		}
	}

	// 1. The Cabane browser in b finds it, with every TXT field.
	seen := browser.waitEvent(t, 0, 10*time.Second, "peer "+cfg.Instance, func(e helperEvent) bool {
		return findPeer(e.Peers, cfg.Instance) != nil && (!avahiNextTo || findPeer(e.Peers, twin) != nil)
	})
	p := findPeer(seen.Peers, cfg.Instance)
	t.Logf("FIGURE announce→seen in other namespace: %v", time.Duration(seen.T-announced.T).Round(time.Millisecond))
	if p.Host != host+".local" || p.Port != 8080 || p.Version != cfg.Version || p.PublicURL != cfg.PublicURL || p.Path != "/" {
		t.Errorf("peer %+v", *p)
	}
	if p.URL != "http://192.168.77.1:8080/" {
		t.Errorf("peer URL %q", p.URL)
	}
	if findPeer(seen.Peers, "Browser") != nil {
		t.Errorf("browser lists itself: %+v", seen.Peers)
	}

	step("cabane browser saw it")
	// 2. avahi, an independent stack, resolves both services' records.
	line := avBrowse.waitLine(t, 10*time.Second, "avahi resolution", func(l string) bool {
		r, ok := parseAvahiLine(l)
		return ok && r.op == "=" && r.proto == "IPv4" && r.name == cfg.Instance
	})
	r, _ := parseAvahiLine(line)
	// avahi reports whichever address it resolved first, A or AAAA, whatever
	// the transport column says: accept any address we announced.
	if r.host != host+".local" || !slices.Contains(announced.Addrs, r.addr) || r.port != "8080" ||
		!strings.Contains(r.txt, `"version=0.1.0-test"`) || !strings.Contains(r.txt, `"url=https://lea.example"`) {
		t.Errorf("avahi-browse resolved %q", line)
	}

	step("avahi resolved it")
	// 3. The host name answers a plain one-shot query (no cache can).
	res := startHelper(t, n.b, "resolve", Config{Hostname: host, Interfaces: []string{"lan0"}})
	got := res.waitEvent(t, 0, 6*time.Second, "host answer", func(e helperEvent) bool { return e.Event == "resolved" })
	if !slices.Equal(got.Addrs, []string{"192.168.77.1"}) {
		t.Errorf("%s.local resolved to %v", host, got.Addrs)
	}

	step("host name answered")
	avResolve := startIn(t, "avahi-resolve@"+n.b, n.b, []string{avB.bus}, true, "avahi-resolve", "-4", "-n", host+".local")
	avResolve.waitLine(t, 5*time.Second, "avahi-resolve answer", func(l string) bool {
		return l == host+".local\t192.168.77.1"
	})
	step("avahi resolved the host name")
	if avahiNextTo {
		// 4. The avahi-daemon next to Cabane still works: its own service
		// crossed to b (seen above) and it sees Cabane over the shared port.
		own := avA.browse(t, serviceCabane)
		own.waitLine(t, 10*time.Second, "avahi in a resolving Cabane", func(l string) bool {
			r, ok := parseAvahiLine(l)
			return ok && r.op == "=" && r.name == cfg.Instance && r.port == "8080"
		})
		avBrowse.waitLine(t, 10*time.Second, "avahi in b resolving the twin", func(l string) bool {
			r, ok := parseAvahiLine(l)
			return ok && r.op == "=" && r.name == twin && r.port == "8099"
		})
	} else {
		// 5. A new address is announced without a restart.
		run(t, "ip", "-n", n.a, "addr", "add", "192.168.77.11/24", "dev", "lan0")
		deadline := time.Now().Add(5 * time.Second)
		for {
			res := startHelper(t, n.b, "resolve", Config{Hostname: host, Interfaces: []string{"lan0"}})
			got := res.waitEvent(t, 0, 6*time.Second, "host answer", func(e helperEvent) bool { return e.Event == "resolved" })
			if slices.Contains(got.Addrs, "192.168.77.11") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("new address not announced; %s.local still resolves to %v", host, got.Addrs)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// 6. Withdrawal: goodbye packets make avahi drop the service at once, and
	// the Cabane browser drops it within two rounds.
	step("checks done")
	mark := browser.mark()
	ann.stdin.Close()
	ann.waitEvent(t, 0, 5*time.Second, "closed", func(e helperEvent) bool { return e.Event == "closed" })
	avBrowse.waitLine(t, 3*time.Second, "avahi removal", func(l string) bool {
		r, ok := parseAvahiLine(l)
		return ok && r.op == "-" && r.name == cfg.Instance
	})
	browser.waitEvent(t, mark, 3*bcfg.BrowseInterval, "peer gone", func(e helperEvent) bool {
		return e.Event == "peers" && findPeer(e.Peers, cfg.Instance) == nil
	})
	step("withdrawn")
}

func findPeer(peers []Peer, instance string) *Peer {
	for i := range peers {
		if peers[i].Instance == instance {
			return &peers[i]
		}
	}
	return nil
}
