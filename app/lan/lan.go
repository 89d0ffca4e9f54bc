// Package lan decides where a request comes from: the client's real address
// (believing X-Forwarded-For only from trusted proxies) and whether that
// address is on the box's home network, for family-only videos.
package lan

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Policy holds the networks that count as home and the trusted proxies.
type Policy struct {
	// Home lists the home networks. Empty means the private, link-local
	// and unique-local networks of the box's own interfaces.
	Home []netip.Prefix
	// Proxies are reverse proxies whose X-Forwarded-* headers are believed.
	Proxies []netip.Prefix
	// Interfaces returns the box's interface addresses; nil means
	// net.InterfaceAddrs. Tests replace it.
	Interfaces func() ([]net.Addr, error)

	mu      sync.Mutex
	cached  []netip.Prefix
	cacheAt time.Time
}

// ParsePrefixes reads CIDRs (a bare address means that one address).
func ParsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func contains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the address of the TCP peer.
func peer(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// Trusted reports whether the request came through a trusted proxy.
func (p *Policy) Trusted(r *http.Request) bool {
	return contains(p.Proxies, peer(r))
}

// Client is the address of the person behind the request: the TCP peer,
// or, when the peer is a trusted proxy, the last address in
// X-Forwarded-For that is not itself a trusted proxy (addresses further
// left were written by the client and prove nothing).
func (p *Policy) Client(r *http.Request) netip.Addr {
	a := peer(r)
	if !contains(p.Proxies, a) {
		return a
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{} // unparseable chain: trust nothing
		}
		h = h.Unmap()
		if !contains(p.Proxies, h) {
			return h
		}
		a = h
	}
	return a
}

// IsHome reports whether addr is on the home network.
func (p *Policy) IsHome(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	if len(p.Home) > 0 {
		return contains(p.Home, addr)
	}
	return contains(p.ownNetworks(), addr)
}

// ownNetworks are the private networks the box's interfaces are on,
// re-read every 30 s so a new DHCP lease is noticed.
func (p *Policy) ownNetworks() []netip.Prefix {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.cacheAt) < 30*time.Second && p.cacheAt != (time.Time{}) {
		return p.cached
	}
	list := p.Interfaces
	if list == nil {
		list = net.InterfaceAddrs
	}
	addrs, err := list()
	if err != nil {
		return p.cached
	}
	var out []netip.Prefix
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		// Loopback is deliberately not home: a reverse proxy on the box
		// would otherwise make every internet visitor look local.
		if !(ip.IsPrivate() || ip.IsLinkLocalUnicast()) {
			continue
		}
		ones, _ := ipn.Mask.Size()
		out = append(out, netip.PrefixFrom(ip, ones).Masked())
	}
	p.cached, p.cacheAt = out, time.Now()
	return out
}
