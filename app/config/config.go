// Package config turns flags, CABANE_* environment variables and defaults into
// one Config, and knows the layout of the data directory.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything `cabane serve` can be told.
type Config struct {
	DataDir        string
	Listen         string
	MaxUploadBytes int64
	// MaxExportBytes caps a user export's archive (0: twice the user's
	// video quota only; app/userexport limit.go).
	MaxExportBytes int64
	PublicURL      string // absolute links use it when set; else the request's host
	Workers        int    // concurrent processing jobs
	FFmpeg         string
	FFprobe        string
	LogLevel       string
	InstanceName   string

	// TLS: "off" (plain HTTP on Listen), "acme" or "manual".
	TLS          string
	TLSHosts     []string // public host names (acme: the certificates' names)
	ACMEEmail    string
	ACMEDir      string // ACME directory URL; empty means Let's Encrypt
	TLSCert      string // manual mode's PEM files
	TLSKey       string
	HTTPSListen  string   // acme/manual: HTTPS address (default :443)
	HTTPListen   string   // acme/manual: HTTP address for challenges and redirects (default :80)
	TrustedProxy []string // CIDRs whose X-Forwarded-* headers are believed

	MDNS         bool
	MDNSHostname string   // announced as <name>.local
	LANRanges    []string // CIDRs counted as the home network for local-only videos; empty: the box's own private networks

	// STUNAddr is the UDP address of the box's STUN server, which lets
	// viewers behind NAT find their public address for peer-to-peer
	// playback without a third party; "off" disables it.
	STUNAddr string

	AllowPrivateFetch []string // CIDRs outbound fetches and deliveries may reach though private or reserved (tests: 127.0.0.0/8)

	// P2P: viewers of a public or unlisted video share its segments with
	// each other (app/p2p); off, every byte comes from the box.
	P2P bool
	// P2PTestHooks is for tests only (env CABANE_P2P_TEST_HOOKS=1, no
	// flag): the player honours ?p2pCorrupt=1, which makes that viewer
	// upload corrupted segments to its peers, so that a browser test can
	// check that the others refuse them. Never on a real box.
	P2PTestHooks bool

	Limits Limits // what one upload may ask of the box

	// DeliveryFirstRetry is for tests only (env CABANE_DELIVERY_FIRST_RETRY,
	// no flag, e.g. "500ms"): the wait before a failed federation delivery's
	// first retry, the rest of the schedule and the host holds scaled alike
	// (delivery.Options.ScaledTo), so that a test can see a delivery to a
	// stopped instance arrive once it is back. Zero, the default, keeps
	// delivery.DefaultSchedule: 30 s doubling to 16 h, about two days
	// before a delivery is given up.
	DeliveryFirstRetry time.Duration
	// MirrorEvery is for tests only (env CABANE_MIRROR_EVERY, no flag):
	// how often mirroring friends (#12) looks again at what this box
	// mirrors. Zero, the default, is every ten minutes.
	MirrorEvery time.Duration

	// MirrorLowDisk: below this many free bytes, the copies this box
	// keeps of other servers' videos (#12 redundancy) are evicted first,
	// and no new one starts (0: redundancy.DefaultLowDisk, 2 GiB).
	MirrorLowDisk int64
}

// Default is the configuration with nothing set.
func Default() Config {
	return Config{
		DataDir:        "./data",
		Listen:         ":8080",
		MaxUploadBytes: 8 << 30,
		Workers:        1,
		FFmpeg:         "ffmpeg",
		FFprobe:        "ffprobe",
		LogLevel:       "info",
		InstanceName:   "Cabane",
		TLS:            "off",
		HTTPSListen:    ":443",
		HTTPListen:     ":80",
		MDNS:           true,
		MDNSHostname:   "cabane",
		P2P:            true,
		STUNAddr:       ":3478",
		Limits:         DefaultLimits(),
	}
}

// Flags registers every setting on fs, with the environment overriding the
// defaults and flags overriding the environment.
func (c *Config) Flags(fs *flag.FlagSet, getenv func(string) string) error {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var errs []error
	envInt := func(name string, def int64) int64 {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := ParseSize(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return n
	}
	fs.StringVar(&c.DataDir, "data", env("CABANE_DATA", c.DataDir), "data directory (env CABANE_DATA)")
	fs.StringVar(&c.Listen, "listen", env("CABANE_LISTEN", c.Listen), "HTTP listen address (env CABANE_LISTEN)")
	fs.StringVar(&c.PublicURL, "public-url", env("CABANE_PUBLIC_URL", c.PublicURL), "public base URL for absolute links (env CABANE_PUBLIC_URL)")
	fs.StringVar(&c.FFmpeg, "ffmpeg", env("CABANE_FFMPEG", c.FFmpeg), "ffmpeg program (env CABANE_FFMPEG)")
	fs.StringVar(&c.FFprobe, "ffprobe", env("CABANE_FFPROBE", c.FFprobe), "ffprobe program (env CABANE_FFPROBE)")
	fs.StringVar(&c.LogLevel, "log-level", env("CABANE_LOG_LEVEL", c.LogLevel), "debug, info, warn or error (env CABANE_LOG_LEVEL)")
	c.MaxUploadBytes = envInt("CABANE_MAX_UPLOAD", c.MaxUploadBytes)
	fs.Func("max-upload", "largest accepted upload, e.g. 8G, 500M (env CABANE_MAX_UPLOAD)", func(s string) error {
		n, err := ParseSize(s)
		c.MaxUploadBytes = n
		return err
	})
	c.MaxExportBytes = envInt("CABANE_MAX_EXPORT", c.MaxExportBytes)
	fs.Func("max-export", "largest user export archive, e.g. 20G; default: twice the user's video quota (env CABANE_MAX_EXPORT)", func(s string) error {
		n, err := ParseSize(s)
		c.MaxExportBytes = n
		return err
	})
	c.MirrorLowDisk = envInt("CABANE_MIRROR_LOW_DISK", c.MirrorLowDisk)
	fs.Func("mirror-low-disk", "free space under which copies of other servers' videos are evicted first, e.g. 5G; default 2G (env CABANE_MIRROR_LOW_DISK)", func(s string) error {
		n, err := ParseSize(s)
		c.MirrorLowDisk = n
		return err
	})
	c.Workers = int(envInt("CABANE_WORKERS", int64(c.Workers)))
	fs.IntVar(&c.Workers, "workers", c.Workers, "concurrent processing jobs (env CABANE_WORKERS)")
	fs.StringVar(&c.InstanceName, "name", env("CABANE_NAME", c.InstanceName), "name of this Cabane, shown on pages and to nearby boxes (env CABANE_NAME)")

	fs.StringVar(&c.TLS, "tls", env("CABANE_TLS", c.TLS), "TLS mode: off, acme or manual (env CABANE_TLS)")
	listVar(fs, &c.TLSHosts, "tls-hosts", env("CABANE_TLS_HOSTS", ""), "public host names, comma-separated (env CABANE_TLS_HOSTS; default: the public URL's host)")
	fs.StringVar(&c.ACMEEmail, "acme-email", env("CABANE_ACME_EMAIL", c.ACMEEmail), "contact e-mail for the ACME account (env CABANE_ACME_EMAIL)")
	fs.StringVar(&c.ACMEDir, "acme-directory", env("CABANE_ACME_DIRECTORY", c.ACMEDir), "ACME directory URL; default Let's Encrypt (env CABANE_ACME_DIRECTORY)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("CABANE_TLS_CERT", c.TLSCert), "manual TLS: certificate PEM file (env CABANE_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", env("CABANE_TLS_KEY", c.TLSKey), "manual TLS: key PEM file (env CABANE_TLS_KEY)")
	fs.StringVar(&c.HTTPSListen, "https-listen", env("CABANE_HTTPS_LISTEN", c.HTTPSListen), "HTTPS address in acme/manual mode (env CABANE_HTTPS_LISTEN)")
	fs.StringVar(&c.HTTPListen, "http-listen", env("CABANE_HTTP_LISTEN", c.HTTPListen), "HTTP address in acme/manual mode (env CABANE_HTTP_LISTEN)")
	listVar(fs, &c.TrustedProxy, "trusted-proxies", env("CABANE_TRUSTED_PROXIES", ""), "CIDRs of reverse proxies whose X-Forwarded-* headers are trusted (env CABANE_TRUSTED_PROXIES)")

	mdns := env("CABANE_MDNS", "")
	if mdns != "" {
		b, err := strconv.ParseBool(mdns)
		if err != nil {
			errs = append(errs, fmt.Errorf("CABANE_MDNS: %w", err))
		}
		c.MDNS = b
	}
	fs.BoolVar(&c.MDNS, "mdns", c.MDNS, "announce this Cabane on the LAN and find nearby ones (env CABANE_MDNS)")
	if v := env("CABANE_P2P", ""); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CABANE_P2P: %w", err))
		}
		c.P2P = b
	}
	fs.BoolVar(&c.P2P, "p2p", c.P2P, "let viewers of public and unlisted videos share segments peer to peer (env CABANE_P2P)")
	if v := getenv("CABANE_P2P_TEST_HOOKS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CABANE_P2P_TEST_HOOKS: %w", err))
		}
		c.P2PTestHooks = b
	}
	fs.StringVar(&c.MDNSHostname, "mdns-hostname", env("CABANE_MDNS_HOSTNAME", c.MDNSHostname), "LAN host name, announced as NAME.local (env CABANE_MDNS_HOSTNAME)")
	fs.StringVar(&c.STUNAddr, "stun-addr", env("CABANE_STUN_ADDR", c.STUNAddr), "UDP address of the STUN server for peer-to-peer playback, or off (env CABANE_STUN_ADDR)")
	listVar(fs, &c.LANRanges, "lan", env("CABANE_LAN", ""), "CIDRs of the home network for local-only videos; default: the box's own private networks (env CABANE_LAN)")
	listVar(fs, &c.AllowPrivateFetch, "allow-private-fetch", env("CABANE_ALLOW_PRIVATE_FETCH", ""), "CIDRs that federation requests may reach though private or reserved, comma-separated (env CABANE_ALLOW_PRIVATE_FETCH)")
	if v := getenv("CABANE_DELIVERY_FIRST_RETRY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("CABANE_DELIVERY_FIRST_RETRY %q: want a positive duration such as 500ms", v))
		} else {
			c.DeliveryFirstRetry = d
		}
	}
	if v := getenv("CABANE_MIRROR_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("CABANE_MIRROR_EVERY %q: want a positive duration such as 1s", v))
		} else {
			c.MirrorEvery = d
		}
	}
	errs = append(errs, c.Limits.flags(fs, getenv))
	return errors.Join(errs...)
}

// Validate reports settings that cannot work.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("data directory must not be empty")
	}
	if c.MaxUploadBytes <= 0 {
		return errors.New("max upload must be positive")
	}
	if c.Workers < 1 {
		return errors.New("workers must be at least 1")
	}
	if err := c.Limits.validate(); err != nil {
		return err
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return fmt.Errorf("public URL %q must start with http:// or https://", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.STUNAddr != "off" && c.STUNAddr != "" {
		if _, err := net.ResolveUDPAddr("udp", c.STUNAddr); err != nil {
			return fmt.Errorf("stun-addr %q: want a UDP address such as :3478, or off", c.STUNAddr)
		}
	}
	for _, s := range c.AllowPrivateFetch {
		if _, err := netip.ParsePrefix(s); err != nil {
			if _, aerr := netip.ParseAddr(s); aerr != nil {
				return fmt.Errorf("allow-private-fetch %q: want a CIDR such as 127.0.0.0/8 or an address", s)
			}
		}
	}
	switch c.TLS {
	case "off", "":
		c.TLS = "off"
	case "acme", "manual":
		if len(c.TLSHosts) == 0 && c.PublicURL != "" {
			if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
				c.TLSHosts = []string{u.Hostname()}
			}
		}
		if c.TLS == "acme" && len(c.TLSHosts) == 0 {
			return errors.New("TLS mode acme needs the public host name: set --tls-hosts or --public-url")
		}
		if c.TLS == "manual" && (c.TLSCert == "" || c.TLSKey == "") {
			return errors.New("TLS mode manual needs --tls-cert and --tls-key")
		}
	default:
		return fmt.Errorf("TLS mode %q: use off, acme or manual", c.TLS)
	}
	return nil
}

// listVar binds a comma-separated list flag with a default from the environment.
func listVar(fs *flag.FlagSet, dst *[]string, name, def, usage string) {
	*dst = splitList(def)
	fs.Func(name, usage, func(s string) error {
		*dst = splitList(s)
		return nil
	})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseSize reads a byte count such as "2G", "500M", "64k" or "1048576".
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimSuffix(s, "B")
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// Layout names the files and folders inside the data directory: the one
// place that knows its shape. Everything a user owns is under Root, so
// backing it up is copying it.
type Layout struct{ Root string }

func (l Layout) DB() string                 { return filepath.Join(l.Root, "cabane.db") }
func (l Layout) Backups() string            { return filepath.Join(l.Root, "backups") }
func (l Layout) Keys() string               { return filepath.Join(l.Root, "keys") }
func (l Layout) Certs() string              { return filepath.Join(l.Root, "certs") }
func (l Layout) Run() string                { return filepath.Join(l.Root, "run") } // what this process is running (ffmpeg pids)
func (l Layout) HardwareProbeCache() string { return filepath.Join(l.Root, "hardware-probe.json") }

// Lock is the file whose lock says which process serves the directory
// (it holds that process's pid).
func (l Layout) Lock() string { return filepath.Join(l.Root, "cabane.lock") }

// SetupCode holds the code that completing setup from the box itself
// asks for, until the administrator exists.
func (l Layout) SetupCode() string { return filepath.Join(l.Root, "setup-code") }

// Avatars holds the accounts' avatar pictures.
func (l Layout) Avatars() string { return filepath.Join(l.Root, "avatars") }

// Uploads holds multipart uploads while they arrive; emptied at start.
func (l Layout) Uploads() string { return filepath.Join(l.Root, "tmp", "uploads") }

// Resumable holds resumable uploads (their parts and states), kept across
// restarts, on the media's file system so the finished file is renamed
// into place.
func (l Layout) Resumable() string { return filepath.Join(l.Root, "tmp", "resumable") }

// Media holds one folder per video, named by its UUID: deleting or backing
// up a video is its folder.
func (l Layout) Media() string            { return filepath.Join(l.Root, "media") }
func (l Layout) Video(uuid string) string { return filepath.Join(l.Root, "media", uuid) }

// Redundancy holds the copies of other servers' videos this box mirrors
// (#12), one folder per video UUID: not a UUID itself, so the media
// sweeps leave it alone.
func (l Layout) Redundancy() string { return filepath.Join(l.Root, "media", "redundancy") }

// Original is the upload as received, named file (the video's OriginalFile).
func (l Layout) Original(uuid, file string) string { return filepath.Join(l.Video(uuid), file) }

// HLS is what is served of a video: its playlists and renditions' files.
func (l Layout) HLS(uuid string) string { return filepath.Join(l.Root, "media", uuid, "hls") }

// HLSFile is the file named name in the video's hls/ folder.
func (l Layout) HLSFile(uuid, name string) string { return filepath.Join(l.HLS(uuid), name) }

func (l Layout) Thumbnail(uuid string) string { return filepath.Join(l.Video(uuid), "thumbnail.jpg") }
func (l Layout) Preview(uuid string) string   { return filepath.Join(l.Video(uuid), "preview.jpg") }

// Captions holds a video's caption files.
func (l Layout) Captions(uuid string) string { return filepath.Join(l.Video(uuid), "captions") }

// Downloads holds a video's downloads made on request (a rendition muxed
// with the shared audio).
func (l Layout) Downloads(uuid string) string { return filepath.Join(l.Video(uuid), "downloads") }

// Torrents holds the piece records of a video's published files: beside
// its media and outside hls/, which is served.
func (l Layout) Torrents(uuid string) string { return filepath.Join(l.Video(uuid), "torrents") }

// PieceRecord is the piece record of the file named file in hls/.
func (l Layout) PieceRecord(uuid, file string) string {
	return filepath.Join(l.Torrents(uuid), file+".pieces")
}

// Releases holds signed updates: releases/<version>/cabane and state.json.
func (l Layout) Releases() string { return filepath.Join(l.Root, "releases") }

// Prepare creates the directories the server writes to.
func (l Layout) Prepare() error {
	for _, d := range []string{l.Root, l.Media(), l.Uploads(), l.Backups(), l.Keys(), l.Certs(), l.Run()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	return nil
}
