package discovery

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// ifaceInfo is one interface as read from the system; a separate type so the
// selection rules can be tested without touching the host's interfaces.
type ifaceInfo struct {
	net.Interface
	Addrs []netip.Addr
}

// lanIface is an interface chosen for mDNS with the addresses to announce on it.
type lanIface struct {
	net.Interface
	Addrs []netip.Addr
}

// systemInterfaces reads the interfaces and their addresses in the current
// network namespace.
func systemInterfaces() ([]ifaceInfo, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	out := make([]ifaceInfo, 0, len(ifs))
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
		}
		info := ifaceInfo{Interface: ifi}
		for _, a := range addrs {
			if pn, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(pn.IP); ok {
					info.Addrs = append(info.Addrs, ip.Unmap())
				}
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// lanInterfaces picks the interfaces to talk mDNS on and the addresses to
// announce there. An interface without a usable address is left out: there is
// nothing to announce on it. With a specific cfg.Listen, only the interface
// holding that address qualifies, and only that address is announced.
func lanInterfaces(all []ifaceInfo, cfg Config) []lanIface {
	listen := cfg.Listen.Unmap().WithZone("")
	anyAddr := !listen.IsValid() || listen.IsUnspecified()
	var out []lanIface
	for _, ifi := range all {
		if !usableInterface(ifi.Interface, cfg.Interfaces) {
			continue
		}
		var addrs []netip.Addr
		for _, a := range ifi.Addrs {
			a = a.Unmap().WithZone("")
			if usableAddr(a, cfg.PublicAddrs) && (anyAddr || a == listen) {
				addrs = append(addrs, a)
			}
		}
		if len(addrs) == 0 {
			continue
		}
		slices.SortFunc(addrs, netip.Addr.Compare)
		out = append(out, lanIface{Interface: ifi.Interface, Addrs: addrs})
	}
	return out
}

func usableInterface(ifi net.Interface, names []string) bool {
	if ifi.Flags&net.FlagUp == 0 || ifi.Flags&net.FlagMulticast == 0 || ifi.Flags&net.FlagLoopback != 0 {
		return false
	}
	if len(names) > 0 {
		// The operator named them: trust the choice, even a veth or a tunnel.
		return slices.Contains(names, ifi.Name)
	}
	if ifi.Flags&net.FlagPointToPoint != 0 {
		return false
	}
	return !isVirtualName(ifi.Name)
}

// isVirtualName reports names that belong to containers, VMs and VPNs on the
// same box. Announcing there would advertise the box to its own containers
// (docker0, veth*) or, worse, across a VPN (wg0, tailscale0). A NAS whose LAN
// port is itself a bridge (br0) still qualifies because "br-" needs the dash
// that only Docker's user-defined bridges use. Config.Interfaces overrides this.
func isVirtualName(name string) bool {
	prefixes := [...]string{
		"docker", "br-", "veth", "virbr", "vnet", "cni", "flannel", "cali", "weave",
		"lxcbr", "lxdbr", "podman", "tailscale", "zt", "wg", "tun", "tap",
	}
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// usableAddr keeps private (RFC 1918, ULA) and link-local addresses, and public
// ones only when asked.
func usableAddr(a netip.Addr, public bool) bool {
	switch {
	case !a.IsValid(), a.IsLoopback(), a.IsMulticast(), a.IsUnspecified():
		return false
	case a.IsPrivate(), a.IsLinkLocalUnicast():
		return true
	default:
		return public && a.IsGlobalUnicast()
	}
}

// addrsOf flattens the addresses of the chosen interfaces, v4 first.
func addrsOf(ifs []lanIface) []netip.Addr {
	var out []netip.Addr
	for _, ifi := range ifs {
		out = append(out, ifi.Addrs...)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// netInterfaces returns the plain net.Interface values zeroconf wants.
func netInterfaces(ifs []lanIface) []net.Interface {
	out := make([]net.Interface, len(ifs))
	for i, ifi := range ifs {
		out[i] = ifi.Interface
	}
	return out
}

// fingerprint identifies a set of interfaces and addresses so the announcer can
// tell when it must re-register.
func fingerprint(ifs []lanIface) string {
	var b strings.Builder
	for _, ifi := range ifs {
		fmt.Fprintf(&b, "%d/%s:", ifi.Index, ifi.Name)
		for _, a := range ifi.Addrs {
			b.WriteString(a.String())
			b.WriteByte(',')
		}
		b.WriteByte(';')
	}
	return b.String()
}

// listenScope says why nothing will be announced for a listen address, or
// "" when announcing may go on.
func listenScope(listen netip.Addr) (nothing string) {
	if listen.Unmap().IsLoopback() {
		return "Cabane listens on a loopback address only (" + listen.String() + "): no other device could reach it"
	}
	return ""
}
