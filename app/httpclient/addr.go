package httpclient

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ErrBlockedAddress is what a request to a refused address fails with (through
// *url.Error and *net.OpError, so test it with errors.Is).
var ErrBlockedAddress = errors.New("address not allowed for outbound requests")

// span is one range that a fetch from the internet has no business reaching.
type span struct {
	prefix netip.Prefix
	why    string
}

// The IANA special-purpose registries, narrowed to what is not globally
// reachable. Order matters only for the name given in errors: the more
// specific range comes first.
var (
	reservedV4 = []span{
		{netip.MustParsePrefix("0.0.0.0/8"), "this network (0/8)"},
		{netip.MustParsePrefix("10.0.0.0/8"), "private"},
		{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
		{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
		{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
		{netip.MustParsePrefix("172.16.0.0/12"), "private"},
		{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
		{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
		{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
		{netip.MustParsePrefix("192.168.0.0/16"), "private"},
		{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
		{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
		{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
		{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
		{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	}
	reservedV6 = []span{
		{netip.MustParsePrefix("::/128"), "unspecified"},
		{netip.MustParsePrefix("::1/128"), "loopback"},
		{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
		{netip.MustParsePrefix("100::/64"), "discard-only"},
		{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
		{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments"},
		{netip.MustParsePrefix("3fff::/20"), "documentation"},
		{netip.MustParsePrefix("fc00::/7"), "unique local"},
		{netip.MustParsePrefix("fe80::/10"), "link-local"},
		{netip.MustParsePrefix("fec0::/10"), "site-local"},
		{netip.MustParsePrefix("ff00::/8"), "multicast"},
	}
	// Addresses that carry an IPv4 address inside: judged by that address.
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixto4 = netip.MustParsePrefix("2002::/16")
	// Everything else outside global unicast (::/96 IPv4-compatible,
	// 5f00::/16 SRv6, unassigned space) is refused as well.
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

// Reserved says whether a is outside what a request to the internet may reach,
// and names the range. IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as IPv4,
// NAT64 (64:ff9b::/96) and 6to4 (2002::/16) by the IPv4 address they embed.
func Reserved(a netip.Addr) (why string, reserved bool) {
	if !a.IsValid() {
		return "invalid", true
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		for _, s := range reservedV4 {
			if s.prefix.Contains(a) {
				return s.why, true
			}
		}
		return "", false
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		if why, bad := Reserved(netip.AddrFrom4([4]byte(b[12:16]))); bad {
			return "NAT64 of " + why, true
		}
		return "", false
	case sixto4.Contains(a):
		if why, bad := Reserved(netip.AddrFrom4([4]byte(b[2:6]))); bad {
			return "6to4 of " + why, true
		}
		return "", false
	}
	for _, s := range reservedV6 {
		if s.prefix.Contains(a) {
			return s.why, true
		}
	}
	if !globalUnicast.Contains(a) {
		return "not global unicast", true
	}
	return "", false
}

// Guard decides which resolved addresses outbound requests may connect to:
// anything public, plus the admin's allow-list.
type Guard struct{ allow []netip.Prefix }

// NewGuard builds a Guard that also lets through the ranges in allow.
func NewGuard(allow []netip.Prefix) Guard { return Guard{allow: allow} }

// Check returns nil when a may be reached, else an error wrapping
// ErrBlockedAddress that names the range.
func (g Guard) Check(a netip.Addr) error {
	u := a.WithZone("").Unmap()
	for _, p := range g.allow {
		if p.Contains(u) {
			return nil
		}
	}
	if why, bad := Reserved(a); bad {
		return fmt.Errorf("%w: %s is %s (allow it with --allow-private-fetch)", ErrBlockedAddress, a, why)
	}
	return nil
}

// ParseAllowList reads the admin's --allow-private-fetch entries: CIDRs, or
// bare addresses meaning just that address.
func ParseAllowList(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("allow-private-fetch %q: %w", s, err)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("allow-private-fetch %q: %w", s, err)
		}
		if p.Addr().Is4In6() {
			// ::ffff:10.0.0.0/104 means 10.0.0.0/8: addresses are checked unmapped.
			if p.Bits() < 96 {
				return nil, fmt.Errorf("allow-private-fetch %q: an IPv4-mapped range needs at least 96 bits", s)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
