package discovery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
)

// Peer is another Cabane seen on the LAN.
type Peer struct {
	Instance  string       // human name, from the TXT record when present
	Host      string       // "other.local" (no trailing dot)
	Addrs     []netip.Addr // as announced, IPv4 first
	Port      int
	Path      string
	PublicURL string
	Version   string
	URL       string    // link for the Nearby page: an IPv4 literal when there is one, since not every device resolves .local
	SeenAt    time.Time // last time it answered
}

// Browser keeps the live set of nearby Cabanes.
//
// The zeroconf resolver reports each service once per Browse call and never
// reports its removal (it drops goodbye packets silently), so the browser runs
// in rounds of cfg.BrowseInterval: each round is a fresh zeroconf browse, and a
// peer that did not answer during a whole round is dropped. A peer that leaves
// therefore disappears within two rounds, not at its goodbye.
type Browser struct {
	cfg  Config
	log  *slog.Logger
	self string // our own instance key, excluded from the list
	done chan struct{}

	mu    sync.Mutex
	peers map[string]Peer // by instance key (escaped instance + host)
}

// Browse starts looking for other Cabanes until ctx ends. With cfg.Enabled
// false it returns a Browser that stays empty.
func Browse(ctx context.Context, cfg Config, log *slog.Logger) *Browser {
	cfg = cfg.withDefaults()
	// Listen limits what is announced, not where to look: a Cabane bound
	// to loopback still lists its neighbours.
	cfg.Listen = netip.Addr{}
	b := &Browser{
		cfg:   cfg,
		log:   log,
		self:  peerKey(cfg.Instance, cfg.hostFQDN()),
		done:  make(chan struct{}),
		peers: map[string]Peer{},
	}
	if !cfg.Enabled {
		close(b.done)
		return b
	}
	go b.run(ctx)
	return b
}

// Peers returns the Cabanes currently seen, sorted by name.
func (b *Browser) Peers() []Peer {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Peer, 0, len(b.peers))
	for _, p := range b.peers {
		p.Addrs = slices.Clone(p.Addrs)
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y Peer) int {
		return cmp.Or(strings.Compare(x.Instance, y.Instance), strings.Compare(x.Host, y.Host))
	})
	return out
}

// Done is closed when the browser has stopped (its context ended).
func (b *Browser) Done() <-chan struct{} { return b.done }

func (b *Browser) run(ctx context.Context) {
	defer close(b.done)
	for ctx.Err() == nil {
		start := time.Now()
		if err := b.round(ctx); err != nil {
			level := slog.LevelWarn
			if errors.Is(err, errNoLAN) {
				level = slog.LevelDebug // normal before the DHCP lease: no noise
			}
			b.log.Log(ctx, level, "mdns: browse round failed", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(b.cfg.PollInterval):
			}
			continue
		}
		if ctx.Err() == nil {
			b.expire(start)
		}
	}
}

var errNoLAN = errors.New("no LAN interface with a usable address")

// round runs one zeroconf browse for cfg.BrowseInterval.
func (b *Browser) round(ctx context.Context) error {
	all, err := systemInterfaces()
	if err != nil {
		return err
	}
	ifs := lanInterfaces(all, b.cfg)
	if len(ifs) == 0 {
		return errNoLAN
	}
	// A new resolver per round: zeroconf's resolver closes its sockets when its
	// browse ends, and the interfaces may have changed since the last round.
	res, err := zeroconf.NewResolver(zeroconf.SelectIfaces(netInterfaces(ifs)))
	if err != nil {
		return fmt.Errorf("mdns resolver: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, b.cfg.BrowseInterval)
	defer cancel()
	entries := make(chan *zeroconf.ServiceEntry)
	if err := res.Browse(rctx, serviceCabane, mdnsDomain, entries); err != nil {
		return fmt.Errorf("mdns browse %s: %w", serviceCabane, err)
	}
	// zeroconf closes entries when rctx ends; draining it to the end also keeps
	// its receive loop from blocking on a send nobody reads.
	own := addrsOf(ifs)
	for e := range entries {
		b.seen(e, own, time.Now())
	}
	return nil
}

func (b *Browser) seen(e *zeroconf.ServiceEntry, own []netip.Addr, now time.Time) {
	p := peerFromEntry(e, now)
	key := peerKey(p.Instance, e.HostName)
	if b.isSelf(p, key, own) {
		return
	}
	b.mu.Lock()
	_, known := b.peers[key]
	b.peers[key] = p
	b.mu.Unlock()
	if !known {
		b.log.Info("mdns: found nearby Cabane", "instance", p.Instance, "url", p.URL)
	}
}

// isSelf recognises this box. By port and address when the port is known:
// probing may have chosen other names ("Cabane (2)" on cabane-2.local), and
// then the configured names belong to another box, which must be listed; only
// one server listens on our port at one of our addresses, and it is us.
// Without a port, by the configured names.
func (b *Browser) isSelf(p Peer, key string, own []netip.Addr) bool {
	if b.cfg.Port == 0 {
		return key == b.self
	}
	if p.Port != b.cfg.Port {
		return false
	}
	for _, a := range p.Addrs {
		if slices.Contains(own, a) {
			return true
		}
	}
	return false
}

// expire drops peers that did not answer since start.
func (b *Browser) expire(start time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, p := range b.peers {
		if p.SeenAt.Before(start) {
			delete(b.peers, k)
			b.log.Info("mdns: nearby Cabane gone", "instance", p.Instance)
		}
	}
}

// peerKey identifies a peer by name and host, case-insensitively as DNS does.
func peerKey(instance, host string) string {
	return strings.ToLower(unescapeLabel(instance) + "|" + strings.TrimSuffix(host, "."))
}

func peerFromEntry(e *zeroconf.ServiceEntry, now time.Time) Peer {
	txt := parseTXT(e.Text)
	p := Peer{
		Instance:  unescapeLabel(e.Instance),
		Host:      strings.TrimSuffix(e.HostName, "."),
		Port:      e.Port,
		Path:      txt[txtPath],
		PublicURL: txt[txtPublicURL],
		Version:   txt[txtCabaneVer],
		SeenAt:    now,
	}
	// The TXT name is the raw UTF-8 the owner typed; the DNS label may arrive
	// escaped differently by each stack on the way.
	if n := txt[txtName]; n != "" {
		p.Instance = n
	}
	if p.Path == "" || !strings.HasPrefix(p.Path, "/") {
		p.Path = "/"
	}
	for _, ips := range [][]net.IP{e.AddrIPv4, e.AddrIPv6} {
		for _, ip := range ips {
			if a, ok := netip.AddrFromSlice(ip); ok {
				p.Addrs = append(p.Addrs, a.Unmap())
			}
		}
	}
	slices.SortFunc(p.Addrs, netip.Addr.Compare)
	p.Addrs = slices.Compact(p.Addrs)
	p.URL = peerURL(p)
	return p
}

// peerURL links to the peer: an IPv4 literal when there is one (every device
// can open it), else a routable IPv6 literal, else the .local name.
func peerURL(p Peer) string {
	host := p.Host
	for _, a := range p.Addrs {
		if a.Is4() {
			host = a.String()
			break
		}
		if !a.IsLinkLocalUnicast() && host == p.Host {
			host = "[" + a.String() + "]"
		}
	}
	if p.Port != 80 && p.Port != 0 {
		host = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(p.Port))
	}
	u := url.URL{Scheme: "http", Host: host, Path: p.Path}
	return u.String()
}
