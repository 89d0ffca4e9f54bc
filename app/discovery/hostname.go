package discovery

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// responder owns the host name and guards the instance names on the LAN
// interfaces. zeroconf puts our A/AAAA records in its service answers but never
// answers a query for the host name itself, ignores probes and does no probing
// of its own (RFC 6762 §8), so this does all three:
//
//   - probing: it proposes a claim (probe.go) and reports a conflicting
//     response or a lost tie-break; it answers nothing meanwhile, since nothing
//     is ours yet (§8.2);
//   - established: it answers host-name queries (§6) and probes for any of our
//     names (so a second box learns the names are taken), announces the host
//     records at start and says goodbye at close, and reports a response that
//     claims our names with other data (§9).
type responder struct {
	socks      *mdnsSockets
	out        func(buf []byte, idx int, to *net.UDPAddr) error // to nil: the group
	log        *slog.Logger
	onConflict func(name string) // established: another host claims one of our names

	mu      sync.Mutex
	claim   *claim // nil until the first probe
	probing bool
	// reset: an established claim met a conflicting response (RFC 6762 §9)
	// and is no longer ours; the Announcer probes it again on a new responder.
	reset  bool
	events chan probeEvent // what handle saw while probing; read by probe

	stop   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

func startResponder(ifs []lanIface, log *slog.Logger, onConflict func(string)) (*responder, error) {
	socks, err := openMDNS(netInterfaces(ifs))
	if err != nil {
		return nil, err
	}
	r := &responder{socks: socks, out: socks.send, log: log, onConflict: onConflict, events: make(chan probeEvent, 8), stop: make(chan struct{})}
	r.wg.Add(1)
	socks.readLoops(r.handle, r.wg.Done)
	return r, nil
}

// establish makes c ours: from now on it is answered and defended, and it is
// announced twice, one second apart (RFC 6762 §8.3).
func (r *responder) establish(c *claim) {
	r.mu.Lock()
	r.claim, r.probing = c, false
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for i := range 2 {
			if i > 0 {
				select {
				case <-r.stop:
					return
				case <-time.After(time.Second):
				}
			}
			if _, _, reset := r.state(); reset {
				return // a conflict came first: the names are not ours to announce
			}
			r.broadcast(c, hostTTL)
		}
	}()
}

// current returns the claim and whether it is still being probed.
func (r *responder) current() (*claim, bool) {
	c, probing, _ := r.state()
	return c, probing
}

// state is current, and whether an established claim was reset by a conflict.
func (r *responder) state() (c *claim, probing, reset bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.claim, r.probing, r.reset
}

// broadcast sends the host records on each interface with the given TTL; TTL 0
// is the goodbye. The service records are zeroconf's to announce.
func (r *responder) broadcast(c *claim, ttl uint32) {
	for idx := range c.addrs {
		m := new(dns.Msg)
		m.Response, m.Authoritative = true, true
		m.Answer = c.hostRecords(idx, dns.TypeANY, ttl, true)
		r.send(m, idx, nil, "host announcement")
	}
}

// send packs m and sends it to the group on interface idx, or to one querier.
func (r *responder) send(m *dns.Msg, idx int, p *packet, what string) {
	buf, err := m.Pack()
	if err != nil {
		r.log.Debug("mdns: pack "+what, "err", err)
		return
	}
	var to *net.UDPAddr
	if p != nil {
		to = p.from
	}
	if err := r.out(buf, idx, to); err != nil {
		r.log.Debug("mdns: send "+what, "err", err, "ifindex", idx)
	}
}

// handle reads one datagram. It runs on the socket's read goroutine.
func (r *responder) handle(p packet) {
	c, probing, reset := r.state()
	if c == nil || p.from == nil {
		return
	}
	if _, ours := c.addrs[p.ifIndex]; !ours {
		// Only the LAN interfaces we chose; a wildcard socket also sees
		// packets from links other sockets on this host joined.
		return
	}
	var m dns.Msg
	if m.Unpack(p.data) != nil || m.Opcode != dns.OpcodeQuery {
		return
	}
	switch {
	case m.Response:
		if name := conflictIn(c, &m, !probing); name != "" {
			switch {
			case probing:
				r.report(probeEvent{n: c.n, result: probeTaken, name: name, from: p.from.IP.String()})
			case !reset:
				r.log.Warn("mdns: another host claims our name", "name", name, "from", p.from.IP)
				r.mu.Lock()
				r.reset = true
				r.mu.Unlock()
				r.onConflict(name)
			}
		}
	case reset:
		// RFC 6762 §9: a conflict puts the names back to probing
		// "immediately", so from the packet after it on they are neither
		// answered nor defended; the Announcer probes them again on a new
		// responder. Answering meanwhile would defend the name against the
		// other host's own re-probe whenever it starts before this box has
		// torn its registration down, and the host that noticed the
		// conflict first would rename whatever the tie-break says.
	case probing:
		// Nothing is ours yet: a query gets no answer, a probe for the same
		// names is settled by the tie-break (§8.2).
		if name, lost := lostTieBreak(c, &m, p.ifIndex); lost {
			r.report(probeEvent{n: c.n, result: probeDeferred, name: name, from: p.from.IP.String()})
		}
	case len(m.Ns) > 0:
		r.answerProbe(c, &m, p.ifIndex)
	default:
		r.answerQuery(c, &m, p)
	}
}

// report hands a probing event to probe without ever blocking the read loop.
func (r *responder) report(ev probeEvent) {
	select {
	case r.events <- ev:
	default:
	}
}

// answerProbe tells a prober that names it wants are ours, by multicast: a
// unicast reply to port 5353 reaches only one of the sockets that share the
// port on the prober's host, and it might not be the prober's.
func (r *responder) answerProbe(c *claim, q *dns.Msg, idx int) {
	var answers []dns.RR
	for _, qu := range q.Question {
		if !c.owns(qu.Name) {
			continue
		}
		if theirs := named(q.Ns, qu.Name); len(theirs) > 0 && allOurs(c, theirs) {
			continue // our own data: zeroconf's announcement-time "probe", or a loop-back
		}
		answers = append(answers, named(c.records(idx, dns.TypeANY, true), qu.Name)...)
	}
	if len(answers) == 0 {
		return
	}
	m := new(dns.Msg)
	m.Response, m.Authoritative = true, true
	m.Answer = answers
	r.send(m, idx, nil, "probe answer")
}

// answerQuery answers A/AAAA/ANY questions for the host name (RFC 6762 §6).
func (r *responder) answerQuery(c *claim, q *dns.Msg, p packet) {
	legacy := p.from.Port != mdnsPort
	var answers []dns.RR
	unicast := legacy
	for _, qu := range q.Question {
		if nameKey(qu.Name) != nameKey(c.host) {
			continue
		}
		rrs := c.hostRecords(p.ifIndex, qu.Qtype, hostTTL, !legacy)
		answers = append(answers, suppressKnown(rrs, q.Answer)...)
		if qu.Qclass&cacheFlush != 0 {
			unicast = true // QU bit: the querier prefers a unicast reply
		}
	}
	if len(answers) == 0 {
		return
	}
	m := new(dns.Msg)
	m.Response, m.Authoritative = true, true
	if legacy {
		// RFC 6762 §6.7: a one-shot resolver gets a normal DNS answer: its ID,
		// its question, no cache-flush bit, a short TTL.
		m.Id = q.Id
		m.Question = q.Question
		for _, rr := range answers {
			rr.Header().Ttl = 10
		}
	}
	m.Answer = answers
	if unicast {
		r.send(m, p.ifIndex, &p, "host answer")
	} else {
		r.send(m, p.ifIndex, nil, "host answer")
	}
}

// suppressKnown drops answers the querier listed as known with at least half
// their TTL left (RFC 6762 §7.1).
func suppressKnown(rrs, known []dns.RR) []dns.RR {
	out := rrs[:0]
next:
	for _, rr := range rrs {
		for _, k := range known {
			if k.Header().Ttl >= rr.Header().Ttl/2 && rrKey(rr) == rrKey(k) {
				continue next
			}
		}
		out = append(out, rr)
	}
	return out
}

// conflictIn returns the first name of ours that a response claims with data
// that is not ours, or "". Only the types we own count: A/AAAA for the host
// name, SRV/TXT for the instance names. An avahi-daemon on this very box, whose
// OS host name is also cabane, publishes cabane.local with our own addresses and
// a HINFO record: that is the same box, not a rival. While probing any such
// record is a conflict (§8.1); once established only one marked unique with the
// cache-flush bit is (§9). A goodbye (TTL 0) claims nothing.
func conflictIn(c *claim, m *dns.Msg, established bool) string {
	for _, sec := range [][]dns.RR{m.Answer, m.Extra} {
		for _, rr := range sec {
			h := rr.Header()
			if h.Ttl == 0 || !c.owns(h.Name) || !ownedType(c, h) || c.isOurs(rr) {
				continue
			}
			if established && h.Class&cacheFlush == 0 {
				continue
			}
			return h.Name
		}
	}
	return ""
}

// ownedType: A/AAAA for the host name, SRV/TXT for the instance names.
func ownedType(c *claim, h *dns.RR_Header) bool {
	if nameKey(h.Name) == nameKey(c.host) {
		return h.Rrtype == dns.TypeA || h.Rrtype == dns.TypeAAAA
	}
	return h.Rrtype == dns.TypeSRV || h.Rrtype == dns.TypeTXT
}

// lostTieBreak settles a probe from another host for names we are probing too
// (RFC 6762 §8.2). The names are compared in the claim's order, host first, and
// the first that differs decides, so two Cabanes reach opposite verdicts.
func lostTieBreak(c *claim, q *dns.Msg, idx int) (string, bool) {
	if len(q.Ns) == 0 {
		return "", false
	}
	ours := c.records(idx, dns.TypeANY, false)
	for _, name := range c.names {
		theirs := slices.DeleteFunc(named(q.Ns, name), func(rr dns.RR) bool { return !ownedType(c, rr.Header()) })
		if len(theirs) == 0 || allOurs(c, theirs) {
			continue // not probed, or our own probe heard back
		}
		switch cmp := tieBreak(named(ours, name), theirs); {
		case cmp < 0:
			return name, true
		case cmp > 0:
			return "", false
		}
	}
	return "", false
}

func allOurs(c *claim, rrs []dns.RR) bool {
	for _, rr := range rrs {
		if !c.isOurs(rr) {
			return false
		}
	}
	return true
}

// close sends the goodbye for an established claim and releases the sockets.
func (r *responder) close(ctx context.Context) {
	r.closed.Do(func() {
		close(r.stop)
		if c, probing := r.current(); c != nil && !probing {
			r.broadcast(c, 0)
		}
		r.socks.close()
		done := make(chan struct{})
		go func() { r.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
		}
	})
}
