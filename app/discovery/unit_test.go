package discovery

import (
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/miekg/dns"
)

// TestInstanceNameSurvivesDNS packs a name with a space, a dot and a non-ASCII
// letter the way zeroconf does and reads it back the way the resolver sees it.
func TestInstanceNameSurvivesDNS(t *testing.T) {
	for _, name := range []string{"Cabane", "Cabane de Léa", "v1.2 box", `back\slash`} {
		fqdn := escapeInstance(name) + "._cabane._tcp.local."
		m := new(dns.Msg)
		m.SetQuestion(fqdn, dns.TypeSRV)
		buf, err := m.Pack()
		if err != nil {
			t.Fatalf("pack %q: %v", name, err)
		}
		var back dns.Msg
		if err := back.Unpack(buf); err != nil {
			t.Fatalf("unpack %q: %v", name, err)
		}
		labels := dns.SplitDomainName(back.Question[0].Name)
		if len(labels) != 4 {
			t.Fatalf("%q split into %d labels: %q", name, len(labels), back.Question[0].Name)
		}
		if got := unescapeLabel(labels[0]); got != name {
			t.Errorf("round trip of %q gave %q (wire form %q)", name, got, labels[0])
		}
	}
}

func TestTXTRecords(t *testing.T) {
	cfg := Config{Instance: "Léa", Path: "/", Version: `0.3.1 "beta"`, PublicURL: "https://video.example"}.withDefaults()
	txt, err := cabaneTXT(cfg, "lea-2.local")
	if err != nil {
		t.Fatal(err)
	}
	// Through the wire and back, as the resolver will see it.
	buf, err := (&dns.Msg{Answer: []dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: "x.local.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: txt}}}).Pack()
	if err != nil {
		t.Fatal(err)
	}
	var back dns.Msg
	if err := back.Unpack(buf); err != nil {
		t.Fatal(err)
	}
	m := parseTXT(back.Answer[0].(*dns.TXT).Txt)
	want := map[string]string{"txtvers": "1", "name": "Léa", "path": "/", "version": `0.3.1 "beta"`, "url": "https://video.example", "host": "lea-2.local"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("TXT %s = %q, want %q (all: %q)", k, m[k], v, txt)
		}
	}
	cfg.PublicURL = "https://" + string(make([]byte, 260))
	if _, err := cabaneTXT(cfg, "lea.local"); err == nil {
		t.Error("a TXT entry over 255 bytes was accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Port: 8080}.withDefaults()
	if err := ok.validate(); err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
	if got := ok.hostFQDN(); got != "cabane.local." {
		t.Errorf("default host %q", got)
	}
	if got := (Config{Hostname: "Box.local."}).withDefaults().hostFQDN(); got != "box.local." {
		t.Errorf("host normalisation gave %q", got)
	}
	for _, bad := range []Config{{Port: 0}, {Port: 80, Hostname: "my box"}, {Port: 80, Hostname: "-x"}, {Port: 80, Path: "x"}} {
		if err := bad.withDefaults().validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestLANInterfaces(t *testing.T) {
	up := net.FlagUp | net.FlagMulticast | net.FlagBroadcast
	mk := func(idx int, name string, flags net.Flags, addrs ...string) ifaceInfo {
		info := ifaceInfo{Interface: net.Interface{Index: idx, Name: name, Flags: flags}}
		for _, a := range addrs {
			info.Addrs = append(info.Addrs, netip.MustParseAddr(a))
		}
		return info
	}
	all := []ifaceInfo{
		mk(1, "lo", net.FlagUp|net.FlagLoopback, "127.0.0.1", "::1"),
		mk(2, "eth0", up, "192.168.1.20", "2a01:e0a::20", "fe80::1", "fd00::20"),
		mk(3, "wlan0", net.FlagMulticast, "192.168.1.21"), // down
		mk(4, "docker0", up, "172.17.0.1"),
		mk(5, "veth12ab", up, "fe80::2"),
		mk(6, "wg0", net.FlagUp|net.FlagPointToPoint|net.FlagMulticast, "10.8.0.2"),
		mk(7, "br0", up, "10.0.0.5"),          // a NAS whose LAN port is a bridge
		mk(8, "eth1", up, "203.0.113.9"),      // public address only
		mk(9, "eth2", net.FlagUp, "10.1.1.1"), // no multicast
	}
	names := func(ifs []lanIface) []string { return ifaceNames(ifs) }

	got := lanInterfaces(all, Config{})
	if !slices.Equal(names(got), []string{"eth0", "br0"}) {
		t.Fatalf("default selection %v, want [eth0 br0]", names(got))
	}
	if want := []netip.Addr{netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("fd00::20"), netip.MustParseAddr("fe80::1")}; !slices.Equal(got[0].Addrs, want) {
		t.Errorf("eth0 addresses %v, want %v (no public IPv6 by default)", got[0].Addrs, want)
	}

	got = lanInterfaces(all, Config{PublicAddrs: true})
	if !slices.Equal(names(got), []string{"eth0", "br0", "eth1"}) || len(got[0].Addrs) != 4 {
		t.Errorf("with public addresses: %v %v", names(got), got)
	}

	// Named interfaces are trusted even when the default would skip them, but
	// still have to be up and multicast-capable.
	got = lanInterfaces(all, Config{Interfaces: []string{"veth12ab", "wlan0", "docker0"}})
	if !slices.Equal(names(got), []string{"docker0", "veth12ab"}) {
		t.Errorf("explicit selection %v, want [docker0 veth12ab]", names(got))
	}
}

func TestPeerFromEntry(t *testing.T) {
	e := zeroconf.NewServiceEntry(`Cabane\ de\ L\195\169a`, serviceCabane, "local")
	e.HostName = "lea.local."
	e.Port = 8080
	e.Text = []string{"txtvers=1", `name=Cabane de L\195\169a`, "path=/videos", "version=1.0", "url=https://lea.example"}
	e.AddrIPv6 = []net.IP{net.ParseIP("fe80::1")}
	e.AddrIPv4 = []net.IP{net.ParseIP("192.168.1.7")}
	p := peerFromEntry(e, time.Unix(0, 0))
	if p.Instance != "Cabane de Léa" || p.Host != "lea.local" || p.Path != "/videos" || p.Version != "1.0" || p.PublicURL != "https://lea.example" {
		t.Errorf("peer %+v", p)
	}
	if p.URL != "http://192.168.1.7:8080/videos" {
		t.Errorf("URL %q", p.URL)
	}
	e.AddrIPv4 = nil
	e.Port = 80
	if p := peerFromEntry(e, time.Unix(0, 0)); p.URL != "http://lea.local/videos" {
		t.Errorf("link-local only: URL %q, want the .local name", p.URL)
	}
}

// TestDisabled checks that Enabled=false touches no socket and still gives
// callers objects they can use without branching.
func TestDisabled(t *testing.T) {
	ctx := t.Context()
	log := slog.New(slog.DiscardHandler)
	a, err := Announce(ctx, Config{Port: 0}, log) // invalid, but disabled wins
	if err != nil {
		t.Fatalf("disabled Announce: %v", err)
	}
	if a.Addrs() != nil {
		t.Errorf("disabled announcer has addresses %v", a.Addrs())
	}
	a.Close()
	b := Browse(ctx, Config{}, log)
	select {
	case <-b.Done():
	case <-time.After(time.Second):
		t.Fatal("disabled browser still running")
	}
	if len(b.Peers()) != 0 {
		t.Errorf("disabled browser lists %v", b.Peers())
	}
	if _, err := Announce(ctx, Config{Enabled: true, Port: 80, Hostname: "no spaces"}, log); err == nil {
		t.Error("an invalid host name was accepted")
	}
}
