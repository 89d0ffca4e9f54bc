package discovery

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// zeroconf puts our A/AAAA records in its service answers but never answers a
// query for the host name itself, so "http://cabane.local" would only work from
// a cache. hostResponder answers those queries (RFC 6762 §6) on the LAN
// interfaces, announces the addresses at start and sends goodbyes at close.
type hostResponder struct {
	name  string               // "cabane.local."
	addrs map[int][]netip.Addr // by interface index: answer with the addresses of the link asked on
	socks *mdnsSockets
	log   *slog.Logger

	stop   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

// A/AAAA records carry TTL 120 s as RFC 6762 §10 recommends for host records.
const hostTTL = 120

func startHostResponder(name string, ifs []lanIface, log *slog.Logger) (*hostResponder, error) {
	socks, err := openMDNS(netInterfaces(ifs))
	if err != nil {
		return nil, err
	}
	h := &hostResponder{name: name, addrs: map[int][]netip.Addr{}, socks: socks, log: log, stop: make(chan struct{})}
	for _, ifi := range ifs {
		h.addrs[ifi.Index] = ifi.Addrs
	}
	h.wg.Add(2)
	socks.readLoops(h.handle, h.wg.Done)
	go h.announce()
	return h, nil
}

// announce sends two unsolicited responses one second apart (RFC 6762 §8.3).
func (h *hostResponder) announce() {
	defer h.wg.Done()
	for i := range 2 {
		if i > 0 {
			select {
			case <-h.stop:
				return
			case <-time.After(time.Second):
			}
		}
		h.broadcast(hostTTL)
	}
}

// broadcast sends every record on its own interface with the given TTL; TTL 0
// is the goodbye.
func (h *hostResponder) broadcast(ttl uint32) {
	for idx, addrs := range h.addrs {
		m := new(dns.Msg)
		m.Response, m.Authoritative = true, true
		m.Answer = h.records(addrs, dns.TypeANY, ttl, true)
		if buf, err := m.Pack(); err == nil {
			if err := h.socks.sendMulticast(buf, idx); err != nil {
				h.log.Debug("mdns host announcement", "err", err, "ifindex", idx)
			}
		}
	}
}

// records builds the A/AAAA records for qtype (A, AAAA or ANY).
func (h *hostResponder) records(addrs []netip.Addr, qtype uint16, ttl uint32, flush bool) []dns.RR {
	class := uint16(dns.ClassINET)
	if flush {
		// Cache-flush bit (RFC 6762 §10.2): these are all our addresses, drop
		// any older ones.
		class |= 1 << 15
	}
	var rrs []dns.RR
	for _, a := range addrs {
		hdr := dns.RR_Header{Name: h.name, Class: class, Ttl: ttl}
		switch {
		case a.Is4() && (qtype == dns.TypeA || qtype == dns.TypeANY):
			hdr.Rrtype = dns.TypeA
			rrs = append(rrs, &dns.A{Hdr: hdr, A: a.AsSlice()})
		case a.Is6() && (qtype == dns.TypeAAAA || qtype == dns.TypeANY):
			hdr.Rrtype = dns.TypeAAAA
			rrs = append(rrs, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
		}
	}
	return rrs
}

// handle answers one datagram. It runs on the socket's read goroutine.
func (h *hostResponder) handle(p packet) {
	addrs, ours := h.addrs[p.ifIndex]
	if !ours || p.from == nil {
		// Only the LAN interfaces we chose; a wildcard socket also sees
		// packets from links other sockets on this host joined.
		return
	}
	var q dns.Msg
	if q.Unpack(p.data) != nil || q.Opcode != dns.OpcodeQuery {
		return
	}
	if q.Response {
		h.checkConflict(&q, addrs)
		return
	}
	if len(q.Ns) > 0 {
		return // a probe (RFC 6762 §8.1): another host checking a name, not asking
	}
	legacy := p.from.Port != mdnsPort
	var answers []dns.RR
	unicast := legacy
	for _, qu := range q.Question {
		if !strings.EqualFold(qu.Name, h.name) {
			continue
		}
		rrs := h.records(addrs, qu.Qtype, hostTTL, !legacy)
		answers = append(answers, suppressKnown(rrs, q.Answer)...)
		if qu.Qclass&(1<<15) != 0 {
			unicast = true // QU bit: the querier prefers a unicast reply
		}
	}
	if len(answers) == 0 {
		return
	}
	r := new(dns.Msg)
	r.Response, r.Authoritative = true, true
	if legacy {
		// RFC 6762 §6.7: a one-shot resolver gets a normal DNS answer: its ID,
		// its question, no cache-flush bit, a short TTL.
		r.Id = q.Id
		r.Question = q.Question
		for _, rr := range answers {
			rr.Header().Ttl = 10
		}
	}
	r.Answer = answers
	buf, err := r.Pack()
	if err != nil {
		return
	}
	if unicast {
		err = h.socks.sendUnicast(buf, p.ifIndex, p.from)
	} else {
		err = h.socks.sendMulticast(buf, p.ifIndex)
	}
	if err != nil {
		h.log.Debug("mdns host answer", "err", err, "to", p.from)
	}
}

// suppressKnown drops answers the querier listed as known with at least half
// their TTL left (RFC 6762 §7.1).
func suppressKnown(rrs, known []dns.RR) []dns.RR {
	out := rrs[:0]
next:
	for _, rr := range rrs {
		for _, k := range known {
			if k.Header().Ttl >= rr.Header().Ttl/2 && sameRData(rr, k) {
				continue next
			}
		}
		out = append(out, rr)
	}
	return out
}

func sameRData(a, b dns.RR) bool {
	if !strings.EqualFold(a.Header().Name, b.Header().Name) {
		return false
	}
	switch x := a.(type) {
	case *dns.A:
		y, ok := b.(*dns.A)
		return ok && x.A.Equal(y.A)
	case *dns.AAAA:
		y, ok := b.(*dns.AAAA)
		return ok && x.AAAA.Equal(y.AAAA)
	}
	return false
}

// checkConflict logs when another host answers for our name with an address
// that is not ours: two boxes both called cabane.local. zeroconf does no
// probing, so this warning is how the operator learns to rename one.
func (h *hostResponder) checkConflict(m *dns.Msg, ours []netip.Addr) {
	for _, rr := range append(m.Answer, m.Extra...) {
		if !strings.EqualFold(rr.Header().Name, h.name) || rr.Header().Ttl == 0 {
			continue
		}
		var a netip.Addr
		switch x := rr.(type) {
		case *dns.A:
			a, _ = netip.AddrFromSlice(x.A.To4())
		case *dns.AAAA:
			a, _ = netip.AddrFromSlice(x.AAAA)
		default:
			continue
		}
		if !h.isOurs(a) {
			h.log.Warn("mdns: another host answers for our name; set a different host name", "name", h.name, "addr", a)
			return
		}
	}
}

func (h *hostResponder) isOurs(a netip.Addr) bool {
	for _, addrs := range h.addrs {
		for _, o := range addrs {
			if o == a {
				return true
			}
		}
	}
	return false
}

// close sends the goodbye and releases the sockets.
func (h *hostResponder) close(ctx context.Context) {
	h.closed.Do(func() {
		close(h.stop)
		h.broadcast(0)
		h.socks.close()
		done := make(chan struct{})
		go func() { h.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
		}
	})
}
