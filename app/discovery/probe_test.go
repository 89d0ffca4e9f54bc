package discovery

import (
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/grandcat/zeroconf"
	"github.com/miekg/dns"
)

func TestNameSequence(t *testing.T) {
	for _, c := range []struct {
		n              int
		host, instance string
	}{
		{1, "cabane", "Cabane"},
		{2, "cabane-2", "Cabane (2)"},
		{3, "cabane-3", "Cabane (3)"},
		{32, "cabane-32", "Cabane (32)"},
	} {
		h, i := candidate("cabane", "Cabane", c.n)
		if h != c.host || i != c.instance {
			t.Errorf("candidate %d = %q %q, want %q %q", c.n, h, i, c.host, c.instance)
		}
	}
	// Long names are cut so the result is still one valid label, and never in
	// the middle of a UTF-8 character.
	long := strings.Repeat("a", 61) + "-b"
	h := hostCandidate(long, 12)
	if len(h) > 63 || checkHostLabel(h) != nil || !strings.HasSuffix(h, "-12") {
		t.Errorf("hostCandidate of a 63-byte name = %q (%d bytes, %v)", h, len(h), checkHostLabel(h))
	}
	if h := hostCandidate(strings.Repeat("a", 60)+"-b", 2); h != strings.Repeat("a", 60)+"-2" {
		t.Errorf("a cut ending in '-' gave %q", h)
	}
	inst := instanceCandidate(strings.Repeat("é", 31)+"x", 10) // 63 bytes
	if len(inst) > 63 || !utf8.ValidString(inst) || !strings.HasSuffix(inst, " (10)") {
		t.Errorf("instanceCandidate = %q (%d bytes)", inst, len(inst))
	}
}

func a4(s string) dns.RR {
	return &dns.A{Hdr: dns.RR_Header{Name: "cabane.local.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 120}, A: net.ParseIP(s).To4()}
}

func aaaa(s string) dns.RR {
	return &dns.AAAA{Hdr: dns.RR_Header{Name: "cabane.local.", Rrtype: dns.TypeAAAA, Class: dns.ClassINET, Ttl: 120}, AAAA: net.ParseIP(s)}
}

// The comparisons of RFC 6762 §8.2 and its worked example (§8.2: 169.254.200.50
// beats 169.254.99.200).
func TestTieBreak(t *testing.T) {
	flushed := a4("169.254.99.200")
	flushed.Header().Class |= cacheFlush
	for _, c := range []struct {
		name         string
		ours, theirs []dns.RR
		want         int
	}{
		{"RFC example", []dns.RR{a4("169.254.99.200")}, []dns.RR{a4("169.254.200.50")}, -1},
		{"RFC example, other side", []dns.RR{a4("169.254.200.50")}, []dns.RR{a4("169.254.99.200")}, 1},
		{"identical", []dns.RR{a4("192.168.1.2"), aaaa("fe80::1")}, []dns.RR{aaaa("fe80::1"), a4("192.168.1.2")}, 0},
		{"cache-flush bit ignored", []dns.RR{flushed}, []dns.RR{a4("169.254.99.200")}, 0},
		{"type before data: AAAA (28) beats A (1)", []dns.RR{a4("192.168.1.9")}, []dns.RR{aaaa("::1")}, -1},
		{"sorted before comparing", []dns.RR{aaaa("fe80::9"), a4("10.0.0.1")}, []dns.RR{a4("10.0.0.2")}, -1},
		{"more records win when the rest is equal", []dns.RR{a4("10.0.0.1"), a4("10.0.0.2")}, []dns.RR{a4("10.0.0.1")}, 1},
	} {
		if got := tieBreak(c.ours, c.theirs); got != c.want {
			t.Errorf("%s: tieBreak = %d, want %d", c.name, got, c.want)
		}
	}
}

func testClaim(t *testing.T, addr string, n int) *claim {
	t.Helper()
	cfg := Config{Port: 8080, Version: "1.0"}.withDefaults()
	ifs := []lanIface{{Interface: net.Interface{Index: 2, Name: "eth0"}, Addrs: []netip.Addr{netip.MustParseAddr(addr)}}}
	c, err := newClaim(cfg, ifs, n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTrip sends m through the wire format, as the read loop sees it.
func roundTrip(t *testing.T, m *dns.Msg) *dns.Msg {
	t.Helper()
	buf, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	var back dns.Msg
	if err := back.Unpack(buf); err != nil {
		t.Fatal(err)
	}
	return &back
}

// Two boxes probing for the same names reach opposite verdicts, and a box
// never loses to its own probe.
func TestSimultaneousProbes(t *testing.T) {
	x, y := testClaim(t, "192.168.1.10", 1), testClaim(t, "192.168.1.9", 1)
	px, py := roundTrip(t, probeMsg(x, 2, true)), roundTrip(t, probeMsg(y, 2, true))
	_, xLost := lostTieBreak(x, py, 2)
	name, yLost := lostTieBreak(y, px, 2)
	if xLost || !yLost || name != "cabane.local." {
		t.Errorf("x lost %v, y lost %v on %q: want only y (the lower address) to defer", xLost, yLost, name)
	}
	if _, lost := lostTieBreak(x, px, 2); lost {
		t.Error("a box lost the tie-break to its own probe")
	}
	// Probes for other names do not concern us.
	other := roundTrip(t, probeMsg(testClaim(t, "192.168.1.200", 2), 2, false))
	if _, lost := lostTieBreak(x, other, 2); lost {
		t.Error("lost a tie-break against a probe for cabane-2")
	}
	// The instance names are asked too, but their SRV/TXT stay out of the
	// Authority section, where a zeroconf browser would take them for a service.
	if len(px.Question) != 3 || !x.owns(px.Question[1].Name) || !x.owns(px.Question[2].Name) {
		t.Errorf("probe questions %v", px.Question)
	}
	for _, rr := range px.Ns {
		if rr.Header().Rrtype != dns.TypeA && rr.Header().Rrtype != dns.TypeAAAA {
			t.Errorf("probe authority carries %v", rr)
		}
	}
	if px.Question[0].Qclass&cacheFlush == 0 || roundTrip(t, probeMsg(x, 2, false)).Question[0].Qclass&cacheFlush != 0 {
		t.Error("only the first probe asks for a unicast reply")
	}
}

func TestConflictDetection(t *testing.T) {
	c := testClaim(t, "192.168.1.10", 1)
	resp := func(flush bool, rrs ...dns.RR) *dns.Msg {
		m := new(dns.Msg)
		m.Response = true
		for _, rr := range rrs {
			setTTLFlush(rr, rr.Header().Ttl, flush)
		}
		m.Answer = rrs
		return roundTrip(t, m)
	}
	goodbye := a4("192.168.1.11")
	goodbye.Header().Ttl = 0
	otherSRV := &dns.SRV{Hdr: dns.RR_Header{Name: `Cabane._cabane._tcp.local.`, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 120},
		Port: 80, Target: "other.local."}
	for _, tc := range []struct {
		name         string
		m            *dns.Msg
		probing, est bool // conflict while probing, once established
	}{
		{"other address", resp(true, a4("192.168.1.11")), true, true},
		{"our address", resp(true, a4("192.168.1.10")), false, false},
		{"our own records echoed", resp(true, c.records(2, dns.TypeANY, true)...), false, false},
		{"goodbye", resp(true, goodbye), false, false},
		{"other address, no cache-flush", resp(false, a4("192.168.1.11")), true, false},
		{"instance name on another host", resp(true, otherSRV), true, true},
		{"HINFO from avahi on this box", resp(true, &dns.HINFO{Hdr: dns.RR_Header{Name: "cabane.local.", Rrtype: dns.TypeHINFO, Class: dns.ClassINET, Ttl: 120}, Cpu: "ARM", Os: "Linux"}), false, false},
		{"another name", resp(true, &dns.A{Hdr: dns.RR_Header{Name: "cabane-2.local.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 120}, A: net.IPv4(192, 168, 1, 11)}), false, false},
	} {
		if got := conflictIn(c, tc.m, false) != ""; got != tc.probing {
			t.Errorf("%s: conflict while probing %v, want %v", tc.name, got, tc.probing)
		}
		if got := conflictIn(c, tc.m, true) != ""; got != tc.est {
			t.Errorf("%s: conflict once established %v, want %v", tc.name, got, tc.est)
		}
	}
}

func TestConflictRateLimit(t *testing.T) {
	var l conflictRate
	now := time.Now()
	for i := range 14 {
		l.note(now.Add(time.Duration(i) * 100 * time.Millisecond))
	}
	if d := l.delay(now.Add(2 * time.Second)); d >= probeInterval {
		t.Errorf("14 conflicts: delay %v, want under %v", d, probeInterval)
	}
	l.note(now.Add(2 * time.Second))
	if d := l.delay(now.Add(2 * time.Second)); d != rateDelay {
		t.Errorf("15 conflicts in 10 s: delay %v, want %v", d, rateDelay)
	}
	if d := l.delay(now.Add(11 * time.Second)); d >= probeInterval {
		t.Errorf("after the window: delay %v", d)
	}
}

// A browser recognises its own box under the names probing chose ("Cabane
// (2)" on cabane-2.local): same port, one of our addresses.
func TestBrowserSkipsItselfRenamed(t *testing.T) {
	b := &Browser{cfg: Config{Port: 8080}.withDefaults(), log: slog.New(slog.DiscardHandler), peers: map[string]Peer{}}
	b.self = peerKey(b.cfg.Instance, b.cfg.hostFQDN())
	own := []netip.Addr{netip.MustParseAddr("192.168.1.10")}
	entry := func(instance, host, ip string, port int) *zeroconf.ServiceEntry {
		e := zeroconf.NewServiceEntry(instance, serviceCabane, "local")
		e.HostName, e.Port, e.AddrIPv4 = host, port, []net.IP{net.ParseIP(ip)}
		return e
	}
	b.seen(entry(`Cabane\ (2)`, "cabane-2.local.", "192.168.1.10", 8080), own, time.Now())
	b.seen(entry(`Cabane`, "cabane.local.", "192.168.1.11", 8080), own, time.Now())
	b.seen(entry(`Other`, "other.local.", "192.168.1.10", 9090), own, time.Now()) // a second Cabane on this box
	var got []string
	for _, p := range b.Peers() {
		got = append(got, p.Instance)
	}
	if !slices.Equal(got, []string{"Cabane", "Other"}) {
		t.Errorf("peers %v, want [Cabane Other]", got)
	}
}

// RFC 6762 §9: the packet after a conflicting response finds the names back
// in probing: a probe from the other host is no longer defended, a query no
// longer answered, and the conflict is reported once. (Before, the claim
// stayed defended until the Announcer tore the responder down, so under
// load the other host's re-probe could land first and lose to a box that
// was about to give the name up.)
func TestConflictResetsAtOnce(t *testing.T) {
	var sent []*dns.Msg
	conflicts := 0
	r := &responder{log: slog.New(slog.DiscardHandler), events: make(chan probeEvent, 8), stop: make(chan struct{}),
		onConflict: func(string) { conflicts++ },
		out: func(buf []byte, _ int, _ *net.UDPAddr) error {
			var m dns.Msg
			if err := m.Unpack(buf); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, &m)
			return nil
		}}
	r.claim = testClaim(t, "192.168.1.10", 1) // established
	other := testClaim(t, "192.168.1.11", 1)
	from := &net.UDPAddr{IP: net.ParseIP("192.168.1.11"), Port: mdnsPort}
	pkt := func(m *dns.Msg) packet {
		buf, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		return packet{data: buf, ifIndex: 2, from: from}
	}
	probe := pkt(probeMsg(other, 2, false))
	query := new(dns.Msg)
	query.SetQuestion("cabane.local.", dns.TypeA)
	answer := new(dns.Msg)
	answer.Response, answer.Authoritative = true, true
	answer.Answer = other.hostRecords(2, dns.TypeA, hostTTL, true)

	r.handle(probe)
	r.handle(pkt(query))
	if len(sent) != 2 {
		t.Fatalf("established: %d replies to a probe and a query, want 2 (the defence and the answer)", len(sent))
	}
	sent = nil
	r.handle(pkt(answer))
	r.handle(probe)
	r.handle(pkt(query))
	r.handle(pkt(answer))
	if len(sent) != 0 || conflicts != 1 {
		t.Errorf("after the conflict: %d messages sent (want none), %d conflicts reported (want 1)", len(sent), conflicts)
	}
}
