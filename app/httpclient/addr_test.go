package httpclient

import (
	"errors"
	"net/netip"
	"testing"
)

func TestReservedTable(t *testing.T) {
	blocked := map[string]string{
		"0.0.0.0":         "this network (0/8)",
		"0.1.2.3":         "this network (0/8)",
		"10.0.0.1":        "private",
		"10.255.255.255":  "private",
		"100.64.0.1":      "carrier-grade NAT",
		"100.127.255.254": "carrier-grade NAT",
		"127.0.0.1":       "loopback",
		"127.255.0.9":     "loopback",
		"169.254.169.254": "link-local", // the cloud metadata endpoint
		"172.16.0.1":      "private",
		"172.31.255.255":  "private",
		"192.0.0.8":       "IETF protocol assignments",
		"192.0.2.10":      "documentation",
		"192.88.99.1":     "6to4 relay anycast",
		"192.168.1.1":     "private",
		"198.18.0.1":      "benchmarking",
		"198.19.255.255":  "benchmarking",
		"198.51.100.7":    "documentation",
		"203.0.113.200":   "documentation",
		"224.0.0.251":     "multicast", // mDNS
		"239.255.255.250": "multicast",
		"240.0.0.1":       "reserved",
		"255.255.255.254": "reserved",
		"255.255.255.255": "broadcast",

		"::":                     "unspecified",
		"::1":                    "loopback",
		"::ffff:127.0.0.1":       "loopback", // IPv4-mapped: judged as IPv4
		"::ffff:10.1.2.3":        "private",
		"::ffff:169.254.1.1":     "link-local",
		"::127.0.0.1":            "not global unicast", // IPv4-compatible, deprecated
		"64:ff9b::7f00:1":        "NAT64 of loopback",
		"64:ff9b::c0a8:101":      "NAT64 of private",
		"64:ff9b::a9fe:a9fe":     "NAT64 of link-local",
		"64:ff9b:1::1":           "local-use NAT64",
		"100::1":                 "discard-only",
		"2001::1":                "IETF protocol assignments", // Teredo
		"2001:1ff:ffff::1":       "IETF protocol assignments",
		"2001:db8::1":            "documentation",
		"2001:db8:ffff::1":       "documentation",
		"2002:7f00:1::1":         "6to4 of loopback",
		"2002:c0a8:101::1":       "6to4 of private",
		"3fff::1":                "documentation",
		"3fff:fff:ffff::1":       "documentation",
		"5f00::1":                "not global unicast", // SRv6 SIDs
		"fc00::1":                "unique local",
		"fd12:3456:789a::1":      "unique local",
		"fe80::1":                "link-local",
		"fe80::1%eth0":           "link-local",
		"febf:ffff::1":           "link-local",
		"fec0::1":                "site-local",
		"ff02::1":                "multicast",
		"ff05::fb":               "multicast",
		"8000::1":                "not global unicast",
		"4000::1":                "not global unicast",
		"::ffff:0:a00:1":         "not global unicast", // IPv4-translated (SIIT)
		"::ffff:255.255.255.255": "broadcast",
	}
	for s, want := range blocked {
		a := netip.MustParseAddr(s)
		why, bad := Reserved(a)
		if !bad || why != want {
			t.Errorf("Reserved(%s) = %q, %v; want %q, true", s, why, bad, want)
		}
		if err := NewGuard(nil).Check(a); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("Check(%s) = %v, want ErrBlockedAddress", s, err)
		}
	}
	for _, s := range []string{
		"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
		"126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
		"192.0.1.255", "192.0.3.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
		"198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255",
		"::ffff:1.1.1.1", "64:ff9b::101:101", "2002:101:101::1",
		"2001:200::1", "2001:db7:ffff::1", "2001:db9::1", "2606:4700:4700::1111", "2a01:4f8::1", "3ffe::1",
		"3fff:1000::1",
	} {
		a := netip.MustParseAddr(s)
		if why, bad := Reserved(a); bad {
			t.Errorf("Reserved(%s) = %q, want public", s, why)
		}
		if err := NewGuard(nil).Check(a); err != nil {
			t.Errorf("Check(%s) = %v", s, err)
		}
	}
	if _, bad := Reserved(netip.Addr{}); !bad {
		t.Error("the zero Addr passes")
	}
}

// Every span of the tables, at both ends, is refused under its own name or a
// more specific one listed before it.
func TestEveryTableSpanRefused(t *testing.T) {
	for _, tab := range [][]span{reservedV4, reservedV6} {
		for _, s := range tab {
			first := s.prefix.Masked().Addr()
			last := lastAddr(s.prefix)
			for _, a := range []netip.Addr{first, last} {
				if _, bad := Reserved(a); !bad {
					t.Errorf("%s (in %s, %s) passes", a, s.prefix, s.why)
				}
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestGuardAllowList(t *testing.T) {
	allow, err := ParseAllowList([]string{"127.0.0.0/8", " 10.1.2.3 ", "fd00::/8", "::ffff:192.168.0.0/112", ""})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGuard(allow)
	for _, s := range []string{"127.0.0.1", "127.9.9.9", "::ffff:127.0.0.1", "10.1.2.3", "fd00::5", "192.168.3.4", "1.1.1.1"} {
		if err := g.Check(netip.MustParseAddr(s)); err != nil {
			t.Errorf("allowed %s refused: %v", s, err)
		}
	}
	for _, s := range []string{"10.1.2.4", "::1", "fc00::1", "192.169.0.1", "169.254.169.254", "64:ff9b::7f00:1"} {
		if _, bad := Reserved(netip.MustParseAddr(s)); bad && g.Check(netip.MustParseAddr(s)) == nil {
			t.Errorf("%s passes an allow-list that does not name it", s)
		}
	}
	for _, bad := range [][]string{{"127.0.0.0/33"}, {"localhost"}, {"10.0.0.0/8", "nonsense/8"}, {"::ffff:10.0.0.0/90"}} {
		if _, err := ParseAllowList(bad); err == nil {
			t.Errorf("ParseAllowList(%q) accepted", bad)
		}
	}
}

// FuzzReserved checks the checker against the tables by another road: an
// address inside a listed span is reserved, mapping IPv4 into IPv6 changes
// nothing, and an allow-list naming the exact address lets it through.
func FuzzReserved(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "64:ff9b::a00:1", "2002:a00:1::", "8.8.8.8", "2606:4700::1", "fe80::1"} {
		f.Add(netip.MustParseAddr(s).AsSlice())
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, ok := netip.AddrFromSlice(raw)
		if !ok {
			return
		}
		why, bad := Reserved(a)
		if bad && why == "" {
			t.Fatalf("%s reserved without a reason", a)
		}
		for _, tab := range [][]span{reservedV4, reservedV6} {
			for _, s := range tab {
				if s.prefix.Contains(a.Unmap()) && !bad {
					t.Fatalf("%s in %s (%s) passes", a, s.prefix, s.why)
				}
			}
		}
		if a.Is4() {
			why6, bad6 := Reserved(netip.AddrFrom16(a.As16()))
			if why6 != why || bad6 != bad {
				t.Fatalf("%s: %q %v, mapped: %q %v", a, why, bad, why6, bad6)
			}
		}
		if !bad && a.Is6() && !a.Is4In6() && !globalUnicast.Contains(a) && !nat64.Contains(a) {
			t.Fatalf("%s outside 2000::/3 passes", a)
		}
		if err := NewGuard([]netip.Prefix{netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())}).Check(a); err != nil {
			t.Fatalf("%s refused though allowed: %v", a, err)
		}
	})
}
