package discovery

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Service types Cabane announces. _http._tcp makes the box show up in every
// generic browser; _cabane._tcp is what other Cabanes look for.
const (
	serviceHTTP   = "_http._tcp"
	serviceCabane = "_cabane._tcp"
	// Without a trailing dot: zeroconf compares the host name's suffix with the
	// domain as given, and "local." would turn cabane.local. into
	// cabane.local.local.
	mdnsDomain = "local"
)

// Defaults applied by Config.withDefaults.
const (
	defaultInstance       = "Cabane"
	defaultHostname       = "cabane"
	defaultPollInterval   = 10 * time.Second
	defaultBrowseInterval = 30 * time.Second
)

// Config says what to announce and where. The zero value of each field means its
// default.
type Config struct {
	// Enabled turns mDNS on; when false Announce and Browse do nothing.
	Enabled bool
	// Instance is the human name shown by browsers ("Cabane de Léa").
	Instance string
	// Hostname is one DNS label: "cabane" is announced as cabane.local.
	Hostname string
	// Port is the HTTP port Cabane listens on (required to announce).
	Port int
	// Listen is the address that port is bound to. Only it is announced: a
	// Cabane bound to one address must not advertise the others, and one
	// bound to loopback is not announced at all. The zero value and an
	// unspecified address (0.0.0.0, ::) mean every address.
	Listen netip.Addr
	// Path is the web root on that port, "/" by default.
	Path string
	// PublicURL is the internet address of this Cabane, if it has one.
	PublicURL string
	// Version is Cabane's version string, published for peers.
	Version string
	// Interfaces names the interfaces to use. Empty means every interface that is
	// up, multicast-capable, not loopback, not point-to-point and not a container
	// or VM bridge (see lanInterfaces).
	Interfaces []string
	// PublicAddrs also announces globally routable addresses. By default only
	// private, unique-local and link-local addresses are announced: a home box
	// should not advertise its public address to every device on the LAN, and a
	// LAN peer can always reach it on the private one.
	PublicAddrs bool
	// PollInterval is how often interface addresses are re-read to notice a new
	// DHCP lease or a cable plugged in.
	PollInterval time.Duration
	// BrowseInterval is the length of one browse round: a peer not seen during a
	// whole round is dropped from the list.
	BrowseInterval time.Duration
}

// withDefaults returns cfg with empty fields filled in.
func (cfg Config) withDefaults() Config {
	if cfg.Instance == "" {
		cfg.Instance = defaultInstance
	}
	if cfg.Hostname == "" {
		cfg.Hostname = defaultHostname
	}
	cfg.Hostname = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(cfg.Hostname, "."), ".local"))
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = defaultPollInterval
	}
	if cfg.BrowseInterval <= 0 {
		cfg.BrowseInterval = defaultBrowseInterval
	}
	return cfg
}

// validate checks what would otherwise produce malformed DNS records.
func (cfg Config) validate() error {
	if cfg.Port <= 0 || cfg.Port > 65535 {
		return fmt.Errorf("mdns: port %d out of range", cfg.Port)
	}
	if len(cfg.Instance) > 63 {
		return fmt.Errorf("mdns: instance name %q longer than 63 bytes", cfg.Instance)
	}
	if err := checkHostLabel(cfg.Hostname); err != nil {
		return fmt.Errorf("mdns: host name: %w", err)
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		return fmt.Errorf("mdns: path %q must start with /", cfg.Path)
	}
	return nil
}

// checkHostLabel accepts one RFC 952/1123 label: letters, digits and inner hyphens.
func checkHostLabel(s string) error {
	if s == "" || len(s) > 63 {
		return fmt.Errorf("%q must be 1 to 63 characters", s)
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' && i > 0 && i < len(s)-1
		if !ok {
			return fmt.Errorf("%q: only a-z, 0-9 and inner '-' are allowed", s)
		}
	}
	return nil
}

// hostFQDN is the announced host name, "cabane" → "cabane.local.".
func (cfg Config) hostFQDN() string { return cfg.Hostname + "." + mdnsDomain + "." }
