package certs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
)

// Server runs Cabane's HTTP and HTTPS listeners for one TLS mode.
type Server struct {
	cfg     Config
	handler http.Handler
	log     *slog.Logger

	httpLn, httpsLn net.Listener // httpsLn is nil in ModeOff

	acme   map[string]*acmeIssuer // ModeACME, by normalised host
	manual *manualCert            // ModeManual

	mu      sync.Mutex
	hosts   map[string]*hostState // ModeACME, guarded by mu
	started bool
}

// New checks cfg and opens the listeners, so a taken port or a bad setting
// fails at start-up. Run serves them; Close releases them if Run is never
// called. log may be nil.
func New(cfg Config, handler http.Handler, log *slog.Logger) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("tls config: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, handler: handler, log: log.With("component", "certs", "tls_mode", cfg.Mode)}

	switch cfg.Mode {
	case ModeACME:
		account := newACMEAccount(cfg)
		s.acme = make(map[string]*acmeIssuer, len(cfg.Hosts))
		s.hosts = make(map[string]*hostState, len(cfg.Hosts))
		for _, h := range cfg.Hosts {
			s.acme[h] = newACMEIssuer(h, account, cfg)
			s.hosts[h] = &hostState{}
		}
	case ModeManual:
		s.manual = newManualCert(cfg.CertFile, cfg.KeyFile)
		if _, err := s.manual.get(time.Now()); err != nil {
			// Not fatal: HTTP keeps serving the LAN and the admin page
			// says what is wrong; the files are looked at again later.
			s.log.Warn("tls certificate files unusable, serving HTTP only until fixed", "err", err)
		}
	}

	s.httpLn, err = net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen http %s: %w", cfg.HTTPAddr, err)
	}
	if cfg.Mode != ModeOff {
		s.httpsLn, err = net.Listen("tcp", cfg.HTTPSAddr)
		if err != nil {
			s.httpLn.Close()
			return nil, fmt.Errorf("listen https %s: %w", cfg.HTTPSAddr, err)
		}
	}
	return s, nil
}

// HTTPAddr is the address the plain HTTP listener is bound to.
func (s *Server) HTTPAddr() net.Addr { return s.httpLn.Addr() }

// HTTPSAddr is the HTTPS listener's address, or nil in ModeOff.
func (s *Server) HTTPSAddr() net.Addr {
	if s.httpsLn == nil {
		return nil
	}
	return s.httpsLn.Addr()
}

// Close releases the listeners of a Server whose Run was never called.
func (s *Server) Close() error {
	err := s.httpLn.Close()
	if s.httpsLn != nil {
		err = errors.Join(err, s.httpsLn.Close())
	}
	return err
}

// Run serves until ctx ends, then shuts down gracefully within
// Config.ShutdownTimeout. In ModeACME it obtains certificates in the
// background meanwhile; their failures are reported by Status, never
// returned. It returns an error only when a listener fails.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("certs: Run called twice")
	}
	s.started = true
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	errLog := slog.NewLogLogger(s.log.Handler(), slog.LevelDebug) // handshake noise
	servers := []*http.Server{{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          errLog,
	}}
	if s.httpsLn != nil {
		servers = append(servers, &http.Server{
			Handler:           s.handler,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          errLog,
			TLSConfig: &tls.Config{
				GetCertificate: s.getCertificate,
				MinVersion:     tls.VersionTLS12,
				NextProtos:     []string{"h2", "http/1.1", acme.ALPNProto},
			},
		})
	}

	var wg sync.WaitGroup
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		wg.Go(func() {
			var err error
			if i == 0 {
				err = srv.Serve(s.httpLn)
			} else {
				err = srv.ServeTLS(s.httpsLn, "", "")
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s: %w", listenerName(i), err)
				cancel()
			}
		})
	}
	for host, iss := range s.acme {
		wg.Go(func() { s.obtainLoop(ctx, host, iss) })
	}
	s.log.Info("serving", "http", s.HTTPAddr(), "https", s.HTTPSAddr(), "hosts", s.cfg.Hosts)

	<-ctx.Done()
	shutCtx, shutCancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer shutCancel()
	var shutErr error
	for _, srv := range servers {
		if err := srv.Shutdown(shutCtx); err != nil {
			shutErr = errors.Join(shutErr, fmt.Errorf("shutdown: %w", err))
			srv.Close()
		}
	}
	wg.Wait()
	close(errc)
	var serveErr error
	for err := range errc {
		serveErr = errors.Join(serveErr, err)
	}
	if serveErr != nil {
		return serveErr
	}
	return shutErr
}

func listenerName(i int) string {
	if i == 0 {
		return "http"
	}
	return "https"
}

// Status reports the TLS state for the admin page.
func (s *Server) Status() Status {
	now := time.Now()
	switch s.cfg.Mode {
	case ModeACME:
		s.mu.Lock()
		defer s.mu.Unlock()
		certs := make([]HostStatus, 0, len(s.cfg.Hosts))
		for _, h := range s.cfg.Hosts {
			certs = append(certs, s.hosts[h].status(h, now))
		}
		return summarize(s.cfg.Mode, s.cfg.Hosts, certs)
	case ModeManual:
		hosts := s.manualHosts(now)
		return summarize(s.cfg.Mode, hosts, []HostStatus{s.manual.status(hosts, now)})
	}
	return Status{Mode: ModeOff, State: StateOff}
}

// manualHosts are the configured hosts, or else the certificate's names.
func (s *Server) manualHosts(now time.Time) []string {
	if len(s.cfg.Hosts) > 0 {
		return s.cfg.Hosts
	}
	c, err := s.manual.get(now)
	if err != nil || c.Leaf == nil {
		return nil
	}
	hosts, _ := normalizeHosts(c.Leaf.DNSNames)
	return hosts
}
