package lan

import (
	"net"
	"net/http"
	"net/netip"
	"testing"
)

func req(remote string, xff ...string) *http.Request {
	r, _ := http.NewRequest("GET", "http://box/", nil)
	r.RemoteAddr = remote
	for _, h := range xff {
		r.Header.Add("X-Forwarded-For", h)
	}
	return r
}

func mustPrefixes(t *testing.T, ss ...string) []netip.Prefix {
	ps, err := ParsePrefixes(ss)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestClientBelievesOnlyTrustedProxies(t *testing.T) {
	p := &Policy{Proxies: mustPrefixes(t, "10.0.0.1", "fd00::/8")}
	cases := []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.9:5000", []string{"192.168.1.2"}, "203.0.113.9"}, // not a proxy: header ignored
		{"10.0.0.1:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"10.0.0.1:5000", []string{"192.168.1.5, 203.0.113.9"}, "203.0.113.9"}, // a client cannot forge its way home
		{"10.0.0.1:5000", []string{"203.0.113.9", "10.0.0.1"}, "203.0.113.9"},
		{"10.0.0.1:5000", nil, "10.0.0.1"},
		{"10.0.0.1:5000", []string{"garbage"}, "invalid IP"},
		{"[::ffff:192.168.1.4]:80", nil, "192.168.1.4"},
	}
	for _, c := range cases {
		if got := p.Client(req(c.remote, c.xff...)).String(); got != c.want {
			t.Errorf("Client(%s, %v) = %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

func TestHomeFromInterfaces(t *testing.T) {
	p := &Policy{Interfaces: func() ([]net.Addr, error) {
		return []net.Addr{
			&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)},
			&net.IPNet{IP: net.ParseIP("192.168.1.20"), Mask: net.CIDRMask(24, 32)},
			&net.IPNet{IP: net.ParseIP("203.0.113.7"), Mask: net.CIDRMask(24, 32)},
			&net.IPNet{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)},
			&net.IPNet{IP: net.ParseIP("fd12:3456::1"), Mask: net.CIDRMask(64, 128)},
		}, nil
	}}
	for addr, want := range map[string]bool{
		"192.168.1.77": true, "192.168.2.1": false, "127.0.0.1": false, "203.0.113.8": false,
		"fe80::99": true, "fd12:3456::42": true, "fd99::1": false, "8.8.8.8": false,
	} {
		if got := p.IsHome(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsHome(%s) = %v, want %v", addr, got, want)
		}
	}
	if p.IsHome(netip.Addr{}) {
		t.Error("an unknown address is not home")
	}
}

func TestConfiguredHomeWins(t *testing.T) {
	p := &Policy{Home: mustPrefixes(t, "127.0.0.1/32")}
	if !p.IsHome(netip.MustParseAddr("127.0.0.1")) || p.IsHome(netip.MustParseAddr("127.0.0.2")) {
		t.Error("configured home networks not applied")
	}
}
