// Package httpclient is the only way Cabane talks to other servers: every
// federation fetch and delivery goes through its Client. It refuses loopback,
// private and other reserved addresses at dial time, on the address actually
// connected to after DNS resolution, so neither a DNS name that points inside
// the home network, DNS rebinding nor a redirect reaches it; it never uses a
// proxy from the environment; and it bounds time, redirects and body sizes.
package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// Defaults for the zero Options fields.
const (
	DefaultTimeout               = 30 * time.Second
	DefaultDialTimeout           = 10 * time.Second
	DefaultTLSHandshakeTimeout   = 10 * time.Second
	DefaultResponseHeaderTimeout = 15 * time.Second
	DefaultMaxRedirects          = 5
	DefaultMaxBody               = 1 << 20 // an actor, a video or a collection page is a few kB
	maxHeaderBytes               = 64 << 10
	maxAddrs                     = 8               // addresses tried per host name
	minAttempt                   = 2 * time.Second // shortest try of one address among several
)

var (
	// ErrTooManyRedirects: the chain went past Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrScheme: only http and https URLs are fetched.
	ErrScheme = errors.New("only http and https URLs may be fetched")
)

// Resolver turns a host name into addresses; *net.Resolver is one. Tests
// inject their own to make a name resolve to 127.0.0.1.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configures a Client. Zero durations and sizes take the defaults.
type Options struct {
	Version   string // Cabane's version, for the User-Agent; empty: "dev"
	PublicURL string // this server's public URL, for the User-Agent

	Allow    []netip.Prefix // reserved ranges the admin allows (--allow-private-fetch)
	Resolver Resolver       // nil: net.DefaultResolver
	RootCAs  *x509.CertPool // nil: the system's roots

	Timeout               time.Duration // whole request, body included
	DialTimeout           time.Duration // one TCP connection attempt
	TLSHandshakeTimeout   time.Duration
	ResponseHeaderTimeout time.Duration // from request written to headers read
	MaxRedirects          int           // hops followed; negative: none
	MaxBody               int64         // what GetActivity and GetJSON read at most
}

// Signer signs a request just before it leaves. It is called again for each
// redirect hop, since an HTTP signature covers the host and path.
type Signer func(*http.Request) error

// Client is the outbound HTTP client. It is safe for concurrent use.
type Client struct {
	hc           *http.Client
	dial         *dialer
	userAgent    string
	maxRedirects int
	maxBody      int64
}

// New builds a Client.
func New(o Options) *Client {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, DefaultTimeout)
	def(&o.DialTimeout, DefaultDialTimeout)
	def(&o.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout)
	def(&o.ResponseHeaderTimeout, DefaultResponseHeaderTimeout)
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = DefaultMaxRedirects
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	guard := NewGuard(o.Allow)
	d := &dialer{
		resolver: o.Resolver,
		net: net.Dialer{
			Timeout:   o.DialTimeout,
			KeepAlive: 30 * time.Second,
			// The one check that matters: on the address the socket is about
			// to connect to, whatever name, resolver or redirect led there.
			Control: func(network, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("%w: cannot read %q", ErrBlockedAddress, address)
				}
				return guard.Check(ap.Addr())
			},
		},
	}
	tr := &http.Transport{
		Proxy:                  nil, // never HTTP_PROXY and friends: a proxy would dial for us, unchecked
		DialContext:            d.dial,
		TLSClientConfig:        &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	ua := "Cabane/" + version
	if o.PublicURL != "" {
		ua += " (+" + o.PublicURL + ")"
	}
	return &Client{
		hc:           &http.Client{Transport: tr, Timeout: o.Timeout},
		dial:         d,
		userAgent:    ua,
		maxRedirects: o.MaxRedirects,
		maxBody:      o.MaxBody,
	}
}

// UserAgent is the User-Agent every request carries.
func (c *Client) UserAgent() string { return c.userAgent }

// Do sends req under ctx. The caller closes the response body; read it with
// ReadLimited. Redirects are followed for GET and HEAD only: a POST answered
// with a redirect returns that answer, so a delivery is never silently turned
// into a GET.
func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	return c.DoSigned(ctx, req, nil)
}

// DoSigned is Do with sign applied before the request and each redirect hop.
func (c *Client) DoSigned(ctx context.Context, req *http.Request, sign Signer) (*http.Response, error) {
	if err := checkScheme(req); err != nil {
		return nil, err
	}
	req = req.Clone(ctx) // the caller's headers stay as they were
	req.Header.Set("User-Agent", c.userAgent)
	if sign != nil {
		if err := sign(req); err != nil {
			return nil, fmt.Errorf("sign %s: %w", req.URL.Redacted(), err)
		}
	}
	// A shallow copy per call carries this call's signer into the redirect
	// hook; the Transport and its connections are shared.
	hc := *c.hc
	hc.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if m := via[0].Method; m != http.MethodGet && m != http.MethodHead {
			return http.ErrUseLastResponse
		}
		if len(via) > c.maxRedirects {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.maxRedirects)
		}
		if err := checkScheme(next); err != nil {
			return err
		}
		// The dial check covers the new host's address; the signature must be
		// made again for the new request line and host.
		if sign != nil {
			if err := sign(next); err != nil {
				return fmt.Errorf("sign %s: %w", next.URL.Redacted(), err)
			}
		}
		return nil
	}
	return hc.Do(req)
}

func checkScheme(req *http.Request) error {
	if req.URL == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		u := ""
		if req.URL != nil {
			u = req.URL.Redacted()
		}
		return fmt.Errorf("%w: %q", ErrScheme, u)
	}
	return nil
}

// dialer resolves with an injectable Resolver, then dials each address in
// turn through net.Dialer, whose Control refuses reserved addresses.
type dialer struct {
	resolver Resolver
	net      net.Dialer
}

func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("port %q: %w", portStr, err)
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ipnet := "ip"
		switch network {
		case "tcp4":
			ipnet = "ip4"
		case "tcp6":
			ipnet = "ip6"
		}
		addrs, err = d.resolver.LookupNetIP(ctx, ipnet, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no address", host)
		}
	}
	if len(addrs) > maxAddrs {
		addrs = addrs[:maxAddrs]
	}
	var errs []error
	for i, a := range addrs {
		// Like net.Dialer with a host name: the dial time is shared among the
		// addresses left, so an unreachable IPv6 address does not eat it all.
		actx, cancel := ctx, context.CancelFunc(func() {})
		if left := len(addrs) - i; left > 1 {
			actx, cancel = context.WithTimeout(ctx, max(d.net.Timeout/time.Duration(left), minAttempt))
		}
		conn, err := d.net.DialContext(actx, network, netip.AddrPortFrom(a, uint16(port)).String())
		cancel()
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
