package discovery

import (
	"bytes"
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// TTLs: host records 120 s as RFC 6762 §10 recommends; the service records
// (SRV, TXT) use zeroconf's own TTL so the copies we send while probing and
// answering probes match what zeroconf announces afterwards.
const (
	hostTTL    = 120
	serviceTTL = 3200
)

// cacheFlush is the top bit of the class of a record (RFC 6762 §10.2) and,
// in a question, the QU bit (§5.4).
const cacheFlush = 1 << 15

// claim is the set of unique records one pair of names stands for: A/AAAA of
// the host name on each interface, and SRV and TXT of each service instance.
// Probing proposes them (Authority section), the responder answers with them
// once they are won, and conflict checks compare incoming records with them.
type claim struct {
	n         int
	host      string               // "cabane-2.local."
	instance  string               // "Cabane (2)", as the user reads it
	names     []string             // owned names, host first: the order in which ties are broken
	addrs     map[int][]netip.Addr // by interface index
	services  []dns.RR             // SRV and TXT of both services, no flush bit
	cabaneTXT []string             // the TXT strings of _cabane._tcp, for zeroconf
	ours      map[string]bool      // rrKey of every record on every interface
}

func newClaim(cfg Config, ifs []lanIface, n int) (*claim, error) {
	label, instance := candidate(cfg.Hostname, cfg.Instance, n)
	c := &claim{n: n, host: label + "." + mdnsDomain + ".", instance: instance, addrs: map[int][]netip.Addr{}, ours: map[string]bool{}}
	c.names = []string{c.host}
	// The TXT name is the one in use too: the Nearby page shows "Cabane (2)".
	ncfg := cfg
	ncfg.Instance = instance
	var err error
	if c.cabaneTXT, err = cabaneTXT(ncfg, c.hostName()); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		service string
		txt     []string
	}{{serviceCabane, c.cabaneTXT}, {serviceHTTP, httpTXT(cfg)}} {
		// The name exactly as zeroconf builds it (ServiceInstanceName).
		name := escapeInstance(instance) + "." + s.service + "." + mdnsDomain + "."
		c.names = append(c.names, name)
		c.services = append(c.services,
			&dns.SRV{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: serviceTTL},
				Port: uint16(cfg.Port), Target: c.host},
			&dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: serviceTTL}, Txt: s.txt})
	}
	for _, ifi := range ifs {
		c.addrs[ifi.Index] = ifi.Addrs
	}
	for idx := range c.addrs {
		for _, rr := range c.records(idx, dns.TypeANY, false) {
			c.ours[rrKey(rr)] = true
		}
	}
	return c, nil
}

// hostName is the host name without the trailing dot, "cabane-2.local".
func (c *claim) hostName() string { return strings.TrimSuffix(c.host, ".") }

// records is what we own on interface idx: A/AAAA of the host name for qtype
// (A, AAAA or ANY) with TTL hostTTL, then the service records.
func (c *claim) records(idx int, qtype uint16, flush bool) []dns.RR {
	return append(c.hostRecords(idx, qtype, hostTTL, flush), c.serviceRecords(flush)...)
}

// serviceRecords returns copies of the SRV and TXT records.
func (c *claim) serviceRecords(flush bool) []dns.RR {
	out := make([]dns.RR, 0, len(c.services))
	for _, rr := range c.services {
		rr = dns.Copy(rr)
		setTTLFlush(rr, serviceTTL, flush)
		out = append(out, rr)
	}
	return out
}

// hostRecords builds the A/AAAA records of interface idx for qtype.
func (c *claim) hostRecords(idx int, qtype uint16, ttl uint32, flush bool) []dns.RR {
	var rrs []dns.RR
	for _, a := range c.addrs[idx] {
		hdr := dns.RR_Header{Name: c.host, Class: dns.ClassINET, Ttl: ttl}
		switch {
		case a.Is4() && (qtype == dns.TypeA || qtype == dns.TypeANY):
			hdr.Rrtype = dns.TypeA
			rr := &dns.A{Hdr: hdr, A: a.AsSlice()}
			setTTLFlush(rr, ttl, flush)
			rrs = append(rrs, rr)
		case a.Is6() && (qtype == dns.TypeAAAA || qtype == dns.TypeANY):
			hdr.Rrtype = dns.TypeAAAA
			rr := &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()}
			setTTLFlush(rr, ttl, flush)
			rrs = append(rrs, rr)
		}
	}
	return rrs
}

// named returns the records among rrs whose owner name is name.
func named(rrs []dns.RR, name string) []dns.RR {
	key := nameKey(name)
	var out []dns.RR
	for _, rr := range rrs {
		if nameKey(rr.Header().Name) == key {
			out = append(out, rr)
		}
	}
	return out
}

// owns reports whether name is one of ours.
func (c *claim) owns(name string) bool {
	key := nameKey(name)
	return slices.ContainsFunc(c.names, func(n string) bool { return nameKey(n) == key })
}

// isOurs reports whether rr carries data we announce (on any interface: a
// box with two links on one LAN hears its own probes on the other one).
func (c *claim) isOurs(rr dns.RR) bool { return c.ours[rrKey(rr)] }

func setTTLFlush(rr dns.RR, ttl uint32, flush bool) {
	h := rr.Header()
	h.Ttl = ttl
	h.Class = dns.ClassINET
	if flush {
		// These are all our records for the name: drop any older ones.
		h.Class |= cacheFlush
	}
}

// nameKey is a name's wire form with ASCII letters folded, so "Cabane\ (2)"
// from the wire and "Cabane (2)" as we wrote it compare equal, and case does
// not matter (RFC 6762 §16).
func nameKey(s string) string {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(s), buf, 0, nil, false)
	if err != nil {
		return strings.ToLower(s)
	}
	return string(asciiLower(buf[:n]))
}

func asciiLower(b []byte) []byte {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// rrKey identifies a record by name, type and data (not class or TTL).
func rrKey(rr dns.RR) string {
	return nameKey(rr.Header().Name) + "|" + dns.TypeToString[rr.Header().Rrtype] + "|" + string(rdata(rr))
}

// rdata is the record's data in uncompressed wire form.
func rdata(rr dns.RR) []byte {
	buf := make([]byte, dns.Len(rr)+256)
	end, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return nil
	}
	nb := make([]byte, 256)
	nameLen, err := dns.PackDomainName(dns.Fqdn(rr.Header().Name), nb, 0, nil, false)
	if err != nil {
		return nil
	}
	start := nameLen + 10 // type, class, TTL, rdlength
	if start > end {
		return nil
	}
	return buf[start:end]
}

// tieBreak compares two probes' records for one name as RFC 6762 §8.2
// says: each set sorted by class (cache-flush bit cleared), type and raw
// rdata, then compared record by record; the first difference decides, and a
// set that runs out first is the earlier. It returns > 0 when ours is
// lexicographically later (we win and go on), < 0 when theirs is (we defer),
// 0 when both propose the same data (no conflict).
func tieBreak(ours, theirs []dns.RR) int {
	a, b := tieBreakOrder(ours), tieBreakOrder(theirs)
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := a[i].compare(b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

type tieRecord struct {
	class, rrtype uint16
	rdata         []byte
}

func (x tieRecord) compare(y tieRecord) int {
	return cmp.Or(cmp.Compare(x.class, y.class), cmp.Compare(x.rrtype, y.rrtype), bytes.Compare(x.rdata, y.rdata))
}

func tieBreakOrder(rrs []dns.RR) []tieRecord {
	out := make([]tieRecord, 0, len(rrs))
	for _, rr := range rrs {
		h := rr.Header()
		out = append(out, tieRecord{class: h.Class &^ cacheFlush, rrtype: h.Rrtype, rdata: rdata(rr)})
	}
	slices.SortFunc(out, tieRecord.compare)
	return out
}
