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
	cfg    Config
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	reg *registration // nil while no LAN interface has an address
}

// registration is everything published for one set of interfaces and addresses.
type registration struct {
	key    string
	addrs  []netip.Addr
	http   *zeroconf.Server
	cabane *zeroconf.Server
	host   *hostResponder
}

// Announce starts publishing cfg on the LAN. It returns once the first
// registration is on the wire (or no LAN address exists yet: a box that boots
// before its DHCP lease is announced as soon as one appears). It then re-reads
// the interface addresses every cfg.PollInterval and re-registers when they
// change. With cfg.Enabled false it returns an Announcer that does nothing.
func Announce(ctx context.Context, cfg Config, log *slog.Logger) (*Announcer, error) {
	cfg = cfg.withDefaults()
	a := &Announcer{cfg: cfg, log: log, done: make(chan struct{})}
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
	if _, err := cabaneTXT(cfg); err != nil {
		return nil, err
	}
	if err := a.refresh(); err != nil {
		return nil, err
	}
	ctx, a.cancel = context.WithCancel(ctx)
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
		select {
		case <-ctx.Done():
			a.mu.Lock()
			a.withdraw()
			a.mu.Unlock()
			return
		case <-t.C:
			if err := a.refresh(); err != nil {
				a.log.Warn("mdns: re-announce failed; retrying", "err", err, "every", a.cfg.PollInterval)
			}
		}
	}
}

// refresh registers anew when the LAN interfaces or their addresses changed.
func (a *Announcer) refresh() error {
	all, err := systemInterfaces()
	if err != nil {
		return err
	}
	ifs := lanInterfaces(all, a.cfg)
	key := fingerprint(ifs)

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.reg != nil && a.reg.key == key {
		return nil
	}
	// Withdraw first: the goodbye flushes the old addresses from caches before
	// the new ones are announced with the cache-flush bit.
	a.withdraw()
	if len(ifs) == 0 {
		a.log.Info("mdns: no LAN interface with a usable address; waiting", "interfaces", a.cfg.Interfaces,
			"listen", a.cfg.Listen)
		return nil
	}
	reg, err := register(a.cfg, ifs, a.log)
	if err != nil {
		return err
	}
	reg.key = key
	a.reg = reg
	a.log.Info("mdns: announced", "instance", a.cfg.Instance, "host", a.cfg.hostFQDN(),
		"port", a.cfg.Port, "addrs", reg.addrs, "interfaces", ifaceNames(ifs))
	return nil
}

// withdraw sends goodbyes for the current registration. Callers hold a.mu.
func (a *Announcer) withdraw() {
	if a.reg == nil {
		return
	}
	a.reg.shutdown()
	a.log.Info("mdns: withdrawn", "instance", a.cfg.Instance, "host", a.cfg.hostFQDN())
	a.reg = nil
}

func register(cfg Config, ifs []lanIface, log *slog.Logger) (*registration, error) {
	addrs := addrsOf(ifs)
	ips := make([]string, len(addrs))
	for i, ad := range addrs {
		ips[i] = ad.String()
	}
	zifs := netInterfaces(ifs)
	instance := escapeInstance(cfg.Instance)
	host := cfg.hostFQDN()
	txt, err := cabaneTXT(cfg)
	if err != nil {
		return nil, err
	}
	reg := &registration{addrs: addrs}
	// RegisterProxy, not Register: Register takes every address of every
	// interface (public and VPN ones included) and the OS host name; we choose
	// both. An explicit, non-empty interface list also matters: given none,
	// zeroconf would use every multicast interface.
	reg.cabane, err = zeroconf.RegisterProxy(instance, serviceCabane, mdnsDomain, cfg.Port, host, ips, txt, zifs)
	if err != nil {
		return nil, fmt.Errorf("mdns: register %s: %w", serviceCabane, err)
	}
	reg.http, err = zeroconf.RegisterProxy(instance, serviceHTTP, mdnsDomain, cfg.Port, host, ips, httpTXT(cfg), zifs)
	if err != nil {
		reg.shutdown()
		return nil, fmt.Errorf("mdns: register %s: %w", serviceHTTP, err)
	}
	reg.host, err = startHostResponder(host, ifs, log)
	if err != nil {
		reg.shutdown()
		return nil, fmt.Errorf("mdns: answer for %s: %w", host, err)
	}
	return reg, nil
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
