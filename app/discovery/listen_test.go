package discovery

import (
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"testing"
)

// Only addresses Cabane listens on are announced: all of them when it is
// bound to 0.0.0.0 or ::, one interface and one address when it is bound to
// one, none when it is bound to loopback.
func TestAnnouncedAddressesFollowListen(t *testing.T) {
	up := net.FlagUp | net.FlagMulticast | net.FlagBroadcast
	all := []ifaceInfo{
		{Interface: net.Interface{Index: 1, Name: "lo", Flags: net.FlagUp | net.FlagLoopback},
			Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}},
		{Interface: net.Interface{Index: 2, Name: "eth0", Flags: up},
			Addrs: []netip.Addr{netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("fd00::20"), netip.MustParseAddr("fe80::1")}},
		{Interface: net.Interface{Index: 3, Name: "wlan0", Flags: up},
			Addrs: []netip.Addr{netip.MustParseAddr("192.168.2.30")}},
	}
	type pick struct {
		iface string
		addrs []string
	}
	flat := func(ifs []lanIface) []pick {
		var out []pick
		for _, ifi := range ifs {
			p := pick{iface: ifi.Name}
			for _, a := range ifi.Addrs {
				p.addrs = append(p.addrs, a.String())
			}
			out = append(out, p)
		}
		return out
	}
	everything := []pick{{"eth0", []string{"192.168.1.20", "fd00::20", "fe80::1"}}, {"wlan0", []string{"192.168.2.30"}}}
	for _, c := range []struct {
		listen string
		want   []pick
	}{
		{"", everything},
		{"0.0.0.0", everything},
		{"::", everything},
		{"192.168.2.30", []pick{{"wlan0", []string{"192.168.2.30"}}}},
		{"::ffff:192.168.1.20", []pick{{"eth0", []string{"192.168.1.20"}}}},
		{"fd00::20", []pick{{"eth0", []string{"fd00::20"}}}},
		{"10.9.9.9", nil}, // not (yet) on any interface: wait for it
		{"127.0.0.1", nil},
	} {
		var cfg Config
		if c.listen != "" {
			cfg.Listen = netip.MustParseAddr(c.listen)
		}
		got := flat(lanInterfaces(all, cfg))
		if !slices.EqualFunc(got, c.want, func(a, b pick) bool { return a.iface == b.iface && slices.Equal(a.addrs, b.addrs) }) {
			t.Errorf("listen %q: announced %v, want %v", c.listen, got, c.want)
		}
	}
	for listen, quiet := range map[string]bool{"127.0.0.1": true, "127.0.0.2": true, "::1": true, "::ffff:127.0.0.1": true,
		"0.0.0.0": false, "192.168.1.20": false} {
		if got := listenScope(netip.MustParseAddr(listen)) != ""; got != quiet {
			t.Errorf("listenScope(%s) says nothing to announce: %v, want %v", listen, got, quiet)
		}
	}
}

// A Cabane bound to loopback starts no responder at all, whatever the
// interfaces: Announce returns an idle announcer.
func TestLoopbackListenAnnouncesNothing(t *testing.T) {
	a, err := Announce(t.Context(), Config{Enabled: true, Port: 8080, Listen: netip.MustParseAddr("127.0.0.1")}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.reg != nil || len(a.Addrs()) != 0 {
		t.Errorf("loopback-only Cabane announced %v", a.Addrs())
	}
}
