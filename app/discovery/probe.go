package discovery

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/miekg/dns"
)

// Probing timings (RFC 6762 §8.1): three probes 250 ms apart, then 250 ms more
// for answers; after a lost tie-break, one second before probing again (§8.2).
const (
	probeCount    = 3
	probeInterval = 250 * time.Millisecond
	probeDefer    = time.Second
)

type probeResult int

const (
	probeWon      probeResult = iota // nobody objected: the names are ours
	probeTaken                       // another host answered with records for one of the names
	probeDeferred                    // another host probes for the same names and its data wins the tie-break
	probeStopped                     // the context ended or the responder closed
)

// probeEvent is what the read loop saw while a claim was being probed.
type probeEvent struct {
	n      int // the claim it was about, so a late event for an older candidate is ignored
	result probeResult
	name   string
	from   string
}

// probe proposes c on every interface and waits for objections. The first
// probe asks for a unicast reply (QU, §5.4); the other two are QM, so an answer
// sent by unicast to port 5353 that another mDNS stack on this host received
// instead of us (only one of the sockets sharing the port gets a unicast) is
// repeated by multicast, which every socket receives. delay is waited before the
// first probe: a random 0–250 ms so that boxes powered on together do not
// probe in lockstep, more under the conflict rate limit.
func (r *responder) probe(ctx context.Context, c *claim, delay time.Duration) (probeResult, probeEvent) {
	r.mu.Lock()
	r.claim, r.probing = c, true
	r.mu.Unlock()
	for drained := false; !drained; { // events about the previous candidate
		select {
		case <-r.events:
		default:
			drained = true
		}
	}
	wait := delay
	for i := 0; i <= probeCount; i++ {
		t := time.NewTimer(wait)
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				t.Stop()
				return probeStopped, probeEvent{}
			case <-r.stop:
				t.Stop()
				return probeStopped, probeEvent{}
			case ev := <-r.events:
				if ev.n == c.n {
					t.Stop()
					return ev.result, ev
				}
			case <-t.C:
				waiting = false
			}
		}
		if i == probeCount {
			break
		}
		for idx := range c.addrs {
			r.send(probeMsg(c, idx, i == 0), idx, nil, "probe")
		}
		wait = probeInterval
	}
	return probeWon, probeEvent{}
}

// probeMsg is one probe on interface idx: a question of type ANY for each name,
// and the host records we propose in the Authority section for the tie-break.
// The SRV and TXT records are left out: zeroconf's browser (every Cabane runs
// one) takes SRV/TXT from any message, queries included, as a live service,
// so a probe carrying them would list this box under a name it may lose, and
// with the host's address in place of the box that holds that name. A taken
// instance name is still found (its owner answers the question), and since one
// counter renames host and instances together, the host records settle ties.
func probeMsg(c *claim, idx int, qu bool) *dns.Msg {
	m := new(dns.Msg)
	for _, name := range c.names {
		q := dns.Question{Name: name, Qtype: dns.TypeANY, Qclass: dns.ClassINET}
		if qu {
			q.Qclass |= cacheFlush
		}
		m.Question = append(m.Question, q)
	}
	m.Ns = c.hostRecords(idx, dns.TypeANY, hostTTL, false)
	return m
}

// conflictRate is RFC 6762 §8.1's rate limit: after fifteen conflicts within
// ten seconds, wait five seconds before each further probe, so a broken or
// hostile device cannot make the box flood the LAN. Used under Announcer.mu.
type conflictRate struct {
	at []time.Time
}

const (
	rateConflicts = 15
	rateWindow    = 10 * time.Second
	rateDelay     = 5 * time.Second
)

func (l *conflictRate) note(now time.Time) {
	l.at = append(l.at, now)
	for len(l.at) > 0 && now.Sub(l.at[0]) > rateWindow {
		l.at = l.at[1:]
	}
}

// delay is how long to wait before the next probe round: a random 0–250 ms
// (§8.1), or five seconds under the rate limit.
func (l *conflictRate) delay(now time.Time) time.Duration {
	recent := 0
	for _, t := range l.at {
		if now.Sub(t) <= rateWindow {
			recent++
		}
	}
	if recent >= rateConflicts {
		return rateDelay
	}
	return rand.N(probeInterval)
}
