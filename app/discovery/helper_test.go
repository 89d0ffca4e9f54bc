package discovery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

// The namespace tests re-run this test binary inside a namespace (with
// ip netns exec) to act as a Cabane there: helperEnv names the role and
// helperCfgEnv carries the Config as JSON. Events go to stdout as JSON lines,
// logs to stderr, and closing stdin tells the helper to withdraw and exit, so a
// helper never outlives a test that died.
const (
	helperEnv    = "CABANE_DISCOVERY_HELPER"
	helperCfgEnv = "CABANE_DISCOVERY_CONFIG"
	// helperAtEnv, when set (unix ns), makes an announcer wait for that wall
	// clock instant: two namespaces then start probing together.
	helperAtEnv = "CABANE_DISCOVERY_AT"
)

type helperEvent struct {
	Event string   `json:"event"`
	T     int64    `json:"t"` // wall clock, unix ns: the same clock in every namespace
	Peers []Peer   `json:"peers,omitempty"`
	Addrs []string `json:"addrs,omitempty"`
	Err   string   `json:"err,omitempty"`
	// announce: the names in use, what Renamed says, and how long Announce took.
	Host     string `json:"host,omitempty"`
	Instance string `json:"instance,omitempty"`
	Wanted   string `json:"wanted,omitempty"`
	Renamed  bool   `json:"renamed,omitempty"`
	Took     int64  `json:"took,omitempty"`
	// listen: who sent a response, and what it was about (announcerOf).
	From  string `json:"from,omitempty"`
	About string `json:"about,omitempty"`
}

func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		os.Exit(runHelper(role))
	}
	os.Exit(m.Run())
}

func runHelper(role string) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	enc := json.NewEncoder(os.Stdout)
	emit := func(ev helperEvent) {
		if ev.T == 0 {
			ev.T = time.Now().UnixNano()
		}
		_ = enc.Encode(ev)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(os.Getenv(helperCfgEnv)), &cfg); err != nil {
		emit(helperEvent{Event: "error", Err: fmt.Sprintf("config: %v", err)})
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdinClosed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stdinClosed) }()

	switch role {
	case "announce":
		if at, err := strconv.ParseInt(os.Getenv(helperAtEnv), 10, 64); err == nil {
			time.Sleep(time.Until(time.Unix(0, at)))
		}
		t0 := time.Now()
		a, err := Announce(ctx, cfg, log)
		if err != nil {
			emit(helperEvent{Event: "error", Err: err.Error()})
			return 1
		}
		took := time.Since(t0)
		names := func(event string) helperEvent {
			wanted, renamed := a.Renamed()
			return helperEvent{Event: event, Addrs: addrStrings(a), Host: a.Hostname(), Instance: a.Instance(),
				Wanted: wanted, Renamed: renamed}
		}
		ev := names("announced")
		ev.T, ev.Took = t0.UnixNano(), int64(took)
		emit(ev)
		// Report a later rename (RFC 6762 §9) as a "name" event.
		last := ev.Host
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for waiting := true; waiting; {
			select {
			case <-stdinClosed:
				waiting = false
			case <-tick.C:
				if h := a.Hostname(); h != last {
					last = h
					emit(names("name"))
				}
			}
		}
		a.Close()
		emit(helperEvent{Event: "closed"})
	case "browse":
		b := Browse(ctx, cfg, log)
		emit(helperEvent{Event: "ready"})
		var last string
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stdinClosed:
				cancel()
				<-b.Done()
				return 0
			case <-tick.C:
				peers := b.Peers()
				key := peersKey(peers)
				if key != last {
					last = key
					emit(helperEvent{Event: "peers", Peers: peers})
				}
			}
		}
	case "resolve":
		addrs, err := legacyResolve(ctx, cfg.Interfaces[0], cfg.Hostname+".local.")
		if err != nil {
			emit(helperEvent{Event: "error", Err: err.Error()})
			return 1
		}
		emit(helperEvent{Event: "resolved", Addrs: addrs})
	case "query":
		// A multicast (QM) query from port 5353, repeated until stdin closes:
		// every responder on the link answers by multicast, so each hears the
		// others' answers, as avahi or a phone browsing would make happen.
		if err := queryLoop(ctx, cfg.Interfaces[0], cfg.Hostname+".local.", stdinClosed); err != nil {
			emit(helperEvent{Event: "error", Err: err.Error()})
			return 1
		}
	case "listen":
		// Every mDNS response on the link, our own host's included (the
		// sockets loop multicast back), as one "heard" event each.
		ifi, err := net.InterfaceByName(cfg.Interfaces[0])
		if err != nil {
			emit(helperEvent{Event: "error", Err: err.Error()})
			return 1
		}
		socks, err := openMDNS([]net.Interface{*ifi})
		if err != nil {
			emit(helperEvent{Event: "error", Err: err.Error()})
			return 1
		}
		heard := make(chan helperEvent, 64)
		done := make(chan struct{})
		socks.readLoops(func(p packet) {
			var m dns.Msg
			if p.from == nil || m.Unpack(p.data) != nil || !m.Response {
				return
			}
			heard <- helperEvent{Event: "heard", From: p.from.IP.String(), About: announcerOf(&m)}
		}, func() { close(done) })
		emit(helperEvent{Event: "ready"})
		for {
			select {
			case ev := <-heard:
				emit(ev)
			case <-stdinClosed:
				socks.close()
				<-done
				return 0
			}
		}
	default:
		emit(helperEvent{Event: "error", Err: "unknown role " + role})
		return 2
	}
	return 0
}

// announcerOf names who sends a response: the service instance whose SRV it
// carries (zeroconf announces each service), else "host" (the responder's
// host records).
func announcerOf(m *dns.Msg) string {
	for _, rr := range append(slices.Clone(m.Answer), m.Extra...) {
		if rr.Header().Rrtype == dns.TypeSRV {
			return rr.Header().Name
		}
	}
	return "host"
}

func addrStrings(a *Announcer) []string {
	var out []string
	for _, ad := range a.Addrs() {
		out = append(out, ad.String())
	}
	return out
}

// peersKey changes when the list changes in anything but SeenAt.
func peersKey(peers []Peer) string {
	peers = slices.Clone(peers)
	for i := range peers {
		peers[i].SeenAt = time.Time{}
	}
	b, _ := json.Marshal(peers)
	return string(b)
}

// legacyResolve asks for name's A records the way a plain DNS resolver would
// (one-shot query from an ephemeral port, RFC 6762 §5.1), which no cache can
// answer for the responder: only a live responder replies.
func legacyResolve(ctx context.Context, ifname, name string) ([]string, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, err
	}
	uc, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		return nil, err
	}
	defer uc.Close()
	pc := ipv4.NewPacketConn(uc)
	if err := pc.SetMulticastInterface(ifi); err != nil {
		return nil, err
	}
	q := new(dns.Msg)
	q.SetQuestion(name, dns.TypeA)
	q.RecursionDesired = false
	buf, _ := q.Pack()
	for range 5 {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, err := pc.WriteTo(buf, nil, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}); err != nil {
			return nil, fmt.Errorf("send query: %w", err)
		}
		_ = uc.SetReadDeadline(time.Now().Add(time.Second))
		rb := make([]byte, 9000)
		for {
			n, _, err := uc.ReadFrom(rb)
			if err != nil {
				break // deadline: ask again
			}
			var r dns.Msg
			if r.Unpack(rb[:n]) != nil || r.Id != q.Id {
				continue
			}
			var out []string
			for _, rr := range r.Answer {
				if a, ok := rr.(*dns.A); ok {
					out = append(out, a.A.String())
				}
			}
			if len(out) > 0 {
				return out, nil
			}
		}
	}
	return nil, fmt.Errorf("no answer for %s", name)
}

// queryLoop sends a QM query for name's A records on ifname every 300 ms.
func queryLoop(ctx context.Context, ifname, name string, stop <-chan struct{}) error {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return err
	}
	socks, err := openMDNS([]net.Interface{*ifi})
	if err != nil {
		return err
	}
	defer socks.close()
	q := new(dns.Msg)
	q.SetQuestion(name, dns.TypeA)
	q.RecursionDesired = false
	buf, err := q.Pack()
	if err != nil {
		return err
	}
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for {
		// An error here (say, no IPv6 on the link yet) is only a lost query:
		// the next one follows.
		_ = socks.sendMulticast(buf, ifi.Index)
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}
