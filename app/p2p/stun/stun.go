// Package stun is the box's own STUN server (RFC 8489 Binding only): a
// viewer's browser behind NAT asks it for its public address, to offer it
// to the other viewers of a video, so peer-to-peer playback needs no
// third-party server. Messages are parsed and built by pion's stun, the
// library the WebRTC peers' own pion stacks use.
//
// Nothing is kept about the askers beyond a short-lived rate limit per
// address, and no address is logged.
package stun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/stun/v3"
	"golang.org/x/time/rate"
)

// Options are the server's limits; zero values get the defaults.
type Options struct {
	// PerSource is the Binding requests answered per second for one
	// address (default 5), with Burst (default 20) at once: a browser asks
	// a few times per connection attempt.
	PerSource float64
	Burst     int
	// MaxSources bounds the addresses remembered for rate limiting
	// (default 10,000); beyond it, new addresses wait until old ones are
	// forgotten (a minute of silence).
	MaxSources int
	Log        *slog.Logger
}

// Stats counts what the server did since it started.
type Stats struct {
	Answered int64 // Binding success responses sent
	Ignored  int64 // datagrams that were not a Binding request
	Limited  int64 // Binding requests over their source's rate
}

// Server answers STUN Binding requests on one UDP socket.
type Server struct {
	pc  net.PacketConn
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	sources map[netip.Addr]*source

	answered, ignored, limited atomic.Int64
}

type source struct {
	lim  *rate.Limiter
	seen time.Time
}

// forgetAfter is the silence after which a source's limiter is dropped.
const forgetAfter = time.Minute

// Listen opens the UDP socket at addr (":3478").
func Listen(addr string, o Options) (*Server, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("stun: listen on %s: %w", addr, err)
	}
	return New(pc, o), nil
}

// New serves on an open socket.
func New(pc net.PacketConn, o Options) *Server {
	if o.PerSource <= 0 {
		o.PerSource = 5
	}
	if o.Burst <= 0 {
		o.Burst = 20
	}
	if o.MaxSources <= 0 {
		o.MaxSources = 10000
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{pc: pc, o: o, log: log, sources: map[netip.Addr]*source{}}
}

// Port is the UDP port the server listens on.
func (s *Server) Port() int {
	if a, ok := s.pc.LocalAddr().(*net.UDPAddr); ok {
		return a.Port
	}
	return 0
}

// Stats says what the server answered and refused.
func (s *Server) Stats() Stats {
	return Stats{Answered: s.answered.Load(), Ignored: s.ignored.Load(), Limited: s.limited.Load()}
}

// Serve answers until ctx ends, then closes the socket.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.pc.Close() })
	defer stop()
	defer s.pc.Close()
	buf := make([]byte, 1500)
	req := new(stun.Message)
	resp := new(stun.Message)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("stun: read: %w", err)
		}
		udp, ok := from.(*net.UDPAddr)
		if !ok || !s.parse(req, buf[:n]) {
			s.ignored.Add(1)
			continue
		}
		addr := udp.AddrPort().Addr().Unmap()
		if !s.allow(addr, time.Now()) {
			s.limited.Add(1)
			continue
		}
		resp.Reset()
		if err := resp.Build(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: addr.AsSlice(), Port: udp.Port}, stun.Fingerprint); err != nil {
			s.ignored.Add(1)
			continue
		}
		if _, err := s.pc.WriteTo(resp.Raw, from); err != nil {
			continue // not logged: the error's text names the address
		}
		s.answered.Add(1)
	}
}

// parse says whether b is a well-formed Binding request, decoded into m.
func (s *Server) parse(m *stun.Message, b []byte) bool {
	if !stun.IsMessage(b) {
		return false
	}
	m.Reset()
	m.Raw = append(m.Raw[:0], b...)
	if err := m.Decode(); err != nil {
		return false
	}
	return m.Type == stun.BindingRequest
}

// allow takes a token from addr's limiter.
func (s *Server) allow(addr netip.Addr, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.sources[addr]
	if src == nil {
		if len(s.sources) >= s.o.MaxSources {
			for a, old := range s.sources {
				if now.Sub(old.seen) > forgetAfter {
					delete(s.sources, a)
				}
			}
			if len(s.sources) >= s.o.MaxSources {
				return false
			}
		}
		src = &source{lim: rate.NewLimiter(rate.Limit(s.o.PerSource), s.o.Burst)}
		s.sources[addr] = src
	}
	src.seen = now
	return src.lim.AllowN(now, 1)
}
