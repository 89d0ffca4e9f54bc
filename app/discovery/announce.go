package discovery

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
)

// Announcer publishes this Cabane until its context ends or Close is called.
type Announcer struct {
	cfg      Config
	log      *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
	conflict chan struct{} // an established name was claimed by another host (RFC 6762 §9)
	limit    conflictRate

	mu  sync.Mutex    // held through a whole registration, probing included
	reg *registration // nil while no LAN interface has an address

	names sync.Mutex // the names in use, readable while a.mu is held by probing
	n     int        // candidate number: 1 is the configured pair, 2 is cabane-2 / "Cabane (2)"
}

// registration is everything published for one set of interfaces and addresses.
type registration struct {
	key    string
	addrs  []netip.Addr
	http   *zeroconf.Server
	cabane *zeroconf.Server
	host   *responder
}

// Announce starts publishing cfg on the LAN. It returns once the first
// registration is on the wire (or no LAN address exists yet: a box that boots
// before its DHCP lease is announced as soon as one appears): that is after
// probing (about a second, RFC 6762 §8.1), so Hostname then says the name
// actually won. It then re-reads the interface addresses every
// cfg.PollInterval and re-registers when they change. With cfg.Enabled false it
// returns an Announcer that does nothing.
func Announce(ctx context.Context, cfg Config, log *slog.Logger) (*Announcer, error) {
	cfg = cfg.withDefaults()
	a := &Announcer{cfg: cfg, log: log, done: make(chan struct{}), conflict: make(chan struct{}, 1), n: 1}
	why := listenScope(cfg.Listen)
	if why != "" && cfg.Enabled {
		log.Info("mdns: not announcing", "why", why)
	}
	if !cfg.Enabled || why != "" {
		close(a.done)
		a.cancel = func() {}
		return a, nil
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if _, err := cabaneTXT(cfg, cfg.Hostname+"."+mdnsDomain); err != nil {
		return nil, err
	}
	ctx, a.cancel = context.WithCancel(ctx)
	if err := a.refresh(ctx, false); err != nil {
		a.cancel()
		return nil, err
	}
	go a.watch(ctx)
	return a, nil
}

// Addrs returns the addresses currently announced, for logs and the admin page.
func (a *Announcer) Addrs() []netip.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reg == nil {
		return nil
	}
	return append([]netip.Addr(nil), a.reg.addrs...)
}

// Hostname is the host name in use, "cabane.local" or, when another device
// held that, "cabane-2.local"; before the first registration, the one that
// will be tried first.
func (a *Announcer) Hostname() string {
	host, _ := candidate(a.cfg.Hostname, a.cfg.Instance, a.current())
	return host + "." + mdnsDomain
}

// Instance is the service instance name in use, "Cabane" or "Cabane (2)".
func (a *Announcer) Instance() string {
	_, instance := candidate(a.cfg.Hostname, a.cfg.Instance, a.current())
	return instance
}

// Renamed reports the host name that was configured, and ok true when another
// device holds it so that Hostname is a different one: the setup page says so.
func (a *Announcer) Renamed() (wanted string, ok bool) {
	return a.cfg.Hostname + "." + mdnsDomain, a.current() > 1
}

func (a *Announcer) current() int {
	a.names.Lock()
	defer a.names.Unlock()
	return a.n
}

func (a *Announcer) setCurrent(n int) {
	a.names.Lock()
	defer a.names.Unlock()
	a.n = n
}

// Close withdraws the services (goodbye packets with TTL 0, so browsers drop
// them at once instead of waiting for the TTL) and stops watching.
func (a *Announcer) Close() {
	a.cancel()
	<-a.done
}

func (a *Announcer) watch(ctx context.Context) {
	defer close(a.done)
	t := time.NewTicker(a.cfg.PollInterval)
	defer t.Stop()
	for {
		force := false
		select {
		case <-ctx.Done():
			a.mu.Lock()
			a.withdraw()
			a.mu.Unlock()
			return
		case <-t.C:
		case <-a.conflict:
			// RFC 6762 §9: probe the name again; whoever loses renames.
			force = true
		}
		if err := a.refresh(ctx, force); err != nil && ctx.Err() == nil {
			a.log.Warn("mdns: re-announce failed; retrying", "err", err, "every", a.cfg.PollInterval)
		}
	}
}

// onConflict is the responder's report that another host claims one of our
// established names. It runs on a read loop, so it only leaves a note.
func (a *Announcer) onConflict(string) {
	select {
	case a.conflict <- struct{}{}:
	default:
	}
}

// refresh registers anew when the LAN interfaces or their addresses changed,
// or when force says the names must be probed again.
func (a *Announcer) refresh(ctx context.Context, force bool) error {
	all, err := systemInterfaces()
	if err != nil {
		return err
	}
	ifs := lanInterfaces(all, a.cfg)
	key := fingerprint(ifs)

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reg != nil && a.reg.key == key && !force {
		return nil
	}
	// Withdraw first: the goodbye flushes the old addresses from caches before
	// the new ones are announced with the cache-flush bit.
	a.withdraw()
	// A conflict the old responder noted before it closed is settled by the
	// probing below.
	select {
	case <-a.conflict:
	default:
	}
	if len(ifs) == 0 {
		a.log.Info("mdns: no LAN interface with a usable address; waiting", "interfaces", a.cfg.Interfaces,
			"listen", a.cfg.Listen)
		return nil
	}
	reg, err := a.register(ctx, ifs)
	if err != nil {
		return err
	}
	reg.key = key
	a.reg = reg
	a.log.Info("mdns: announced", "instance", a.Instance(), "host", a.Hostname(),
		"port", a.cfg.Port, "addrs", reg.addrs, "interfaces", ifaceNames(ifs))
	return nil
}

// withdraw sends goodbyes for the current registration. Callers hold a.mu.
func (a *Announcer) withdraw() {
	if a.reg == nil {
		return
	}
	a.reg.shutdown()
	a.log.Info("mdns: withdrawn", "instance", a.Instance(), "host", a.Hostname())
	a.reg = nil
}

// register probes for names starting from the ones in use (a box that became
// cabane-2 stays cabane-2 when its address changes), then publishes the
// services under the names won.
func (a *Announcer) register(ctx context.Context, ifs []lanIface) (*registration, error) {
	addrs := addrsOf(ifs)
	reg := &registration{addrs: addrs}
	var err error
	reg.host, err = startResponder(ifs, a.log, a.onConflict)
	if err != nil {
		return nil, fmt.Errorf("mdns: answer for %s: %w", a.Hostname(), err)
	}
	c, err := a.settle(ctx, reg.host, ifs)
	if err != nil {
		reg.shutdown()
		return nil, err
	}
	reg.host.establish(c)
	before := a.current()
	a.setCurrent(c.n)
	if c.n != before {
		wanted, _ := a.Renamed()
		a.log.Warn("mdns: name taken on this network; using another", "wanted", wanted,
			"host", c.hostName(), "instance", c.instance)
	}

	ips := make([]string, len(addrs))
	for i, ad := range addrs {
		ips[i] = ad.String()
	}
	zifs := netInterfaces(ifs)
	instance := escapeInstance(c.instance)
	// RegisterProxy, not Register: Register takes every address of every
	// interface (public and VPN ones included) and the OS host name; we choose
	// both. An explicit, non-empty interface list also matters: given none,
	// zeroconf would use every multicast interface.
	reg.cabane, err = zeroconf.RegisterProxy(instance, serviceCabane, mdnsDomain, a.cfg.Port, c.host, ips, c.cabaneTXT, zifs)
	if err != nil {
		reg.shutdown()
		return nil, fmt.Errorf("mdns: register %s: %w", serviceCabane, err)
	}
	reg.http, err = zeroconf.RegisterProxy(instance, serviceHTTP, mdnsDomain, a.cfg.Port, c.host, ips, httpTXT(a.cfg), zifs)
	if err != nil {
		reg.shutdown()
		return nil, fmt.Errorf("mdns: register %s: %w", serviceHTTP, err)
	}
	return reg, nil
}

// settle probes candidate names until one is won: a taken name moves on to
// the next (cabane-2, cabane-3, …), a lost tie-break waits a second and tries
// the same one again.
func (a *Announcer) settle(ctx context.Context, r *responder, ifs []lanIface) (*claim, error) {
	n := a.current()
	for round := 0; round < 2*maxNames; round++ {
		c, err := newClaim(a.cfg, ifs, n)
		if err != nil {
			return nil, err
		}
		res, ev := r.probe(ctx, c, a.limit.delay(time.Now()))
		switch res {
		case probeWon:
			return c, nil
		case probeStopped:
			return nil, fmt.Errorf("mdns: probing %s: %w", c.hostName(), context.Cause(ctx))
		case probeTaken:
			a.limit.note(time.Now())
			a.log.Info("mdns: name taken", "name", ev.name, "by", ev.from)
			if n++; n > maxNames {
				return nil, fmt.Errorf("mdns: %s and the next %d names are all taken", a.cfg.Hostname, maxNames-1)
			}
		case probeDeferred:
			a.limit.note(time.Now())
			a.log.Info("mdns: another host probes for the same name and wins the tie-break; probing again", "name", ev.name, "by", ev.from)
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("mdns: probing %s: %w", c.hostName(), context.Cause(ctx))
			case <-time.After(probeDefer):
			}
		}
	}
	return nil, fmt.Errorf("mdns: gave up probing after %d rounds", 2*maxNames)
}

func (r *registration) shutdown() {
	if r.cabane != nil {
		r.cabane.Shutdown()
	}
	if r.http != nil {
		r.http.Shutdown()
	}
	if r.host != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r.host.close(ctx)
	}
}

func ifaceNames(ifs []lanIface) []string {
	out := make([]string, len(ifs))
	for i, ifi := range ifs {
		out[i] = ifi.Name
	}
	return out
}
