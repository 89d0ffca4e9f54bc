package discovery

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

const mdnsPort = 5353

// The mDNS groups (RFC 6762 §3), as functions so nothing is a package variable.
func mdnsGroup4() netip.Addr { return netip.AddrFrom4([4]byte{224, 0, 0, 251}) }
func mdnsGroup6() netip.Addr {
	return netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 0xfb})
}

// mdnsSockets is a pair of UDP sockets on port 5353 that joined the mDNS group on
// the chosen interfaces. Listening on the group address makes the Go runtime set
// SO_REUSEADDR and bind the wildcard address, which is what lets avahi-daemon,
// zeroconf and this package share the port.
type mdnsSockets struct {
	c4 *ipv4.PacketConn
	c6 *ipv6.PacketConn
}

func openMDNS(ifs []net.Interface) (*mdnsSockets, error) {
	s := &mdnsSockets{}
	var err4, err6 error
	s.c4, err4 = open4(ifs)
	s.c6, err6 = open6(ifs)
	if s.c4 == nil && s.c6 == nil {
		return nil, fmt.Errorf("open mDNS sockets: %w", errors.Join(err4, err6))
	}
	return s, nil
}

func open4(ifs []net.Interface) (*ipv4.PacketConn, error) {
	uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: mdnsGroup4().AsSlice(), Port: mdnsPort})
	if err != nil {
		return nil, fmt.Errorf("listen udp4 :%d: %w", mdnsPort, err)
	}
	pc := ipv4.NewPacketConn(uc)
	joined := 0
	for i := range ifs {
		if pc.JoinGroup(&ifs[i], &net.UDPAddr{IP: mdnsGroup4().AsSlice()}) == nil {
			joined++
		}
	}
	if joined == 0 {
		pc.Close()
		return nil, fmt.Errorf("udp4: joined the mDNS group on none of %d interfaces", len(ifs))
	}
	// RFC 6762 §11: mDNS packets go out with TTL 255 so receivers can check
	// they came from the link.
	_ = pc.SetMulticastTTL(255)
	_ = pc.SetMulticastLoopback(true)
	if err := pc.SetControlMessage(ipv4.FlagInterface, true); err != nil {
		pc.Close()
		return nil, fmt.Errorf("udp4: ask for interface index: %w", err)
	}
	return pc, nil
}

func open6(ifs []net.Interface) (*ipv6.PacketConn, error) {
	uc, err := net.ListenUDP("udp6", &net.UDPAddr{IP: mdnsGroup6().AsSlice(), Port: mdnsPort})
	if err != nil {
		return nil, fmt.Errorf("listen udp6 :%d: %w", mdnsPort, err)
	}
	pc := ipv6.NewPacketConn(uc)
	joined := 0
	for i := range ifs {
		if pc.JoinGroup(&ifs[i], &net.UDPAddr{IP: mdnsGroup6().AsSlice()}) == nil {
			joined++
		}
	}
	if joined == 0 {
		pc.Close()
		return nil, fmt.Errorf("udp6: joined the mDNS group on none of %d interfaces", len(ifs))
	}
	_ = pc.SetMulticastHopLimit(255)
	_ = pc.SetMulticastLoopback(true)
	if err := pc.SetControlMessage(ipv6.FlagInterface, true); err != nil {
		pc.Close()
		return nil, fmt.Errorf("udp6: ask for interface index: %w", err)
	}
	return pc, nil
}

// sendMulticast sends buf to the mDNS group out of one interface.
func (s *mdnsSockets) sendMulticast(buf []byte, ifIndex int) error {
	var errs []error
	if s.c4 != nil {
		_, err := s.c4.WriteTo(buf, &ipv4.ControlMessage{IfIndex: ifIndex}, &net.UDPAddr{IP: mdnsGroup4().AsSlice(), Port: mdnsPort})
		errs = append(errs, err)
	}
	if s.c6 != nil {
		_, err := s.c6.WriteTo(buf, &ipv6.ControlMessage{IfIndex: ifIndex}, &net.UDPAddr{IP: mdnsGroup6().AsSlice(), Port: mdnsPort})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// send sends buf to one querier, or to the group when to is nil.
func (s *mdnsSockets) send(buf []byte, ifIndex int, to *net.UDPAddr) error {
	if to != nil {
		return s.sendUnicast(buf, ifIndex, to)
	}
	return s.sendMulticast(buf, ifIndex)
}

// sendUnicast answers one querier directly (legacy or QU queries).
func (s *mdnsSockets) sendUnicast(buf []byte, ifIndex int, to *net.UDPAddr) error {
	if to.IP.To4() != nil {
		if s.c4 == nil {
			return errors.New("no udp4 socket")
		}
		_, err := s.c4.WriteTo(buf, &ipv4.ControlMessage{IfIndex: ifIndex}, to)
		return err
	}
	if s.c6 == nil {
		return errors.New("no udp6 socket")
	}
	_, err := s.c6.WriteTo(buf, &ipv6.ControlMessage{IfIndex: ifIndex}, to)
	return err
}

func (s *mdnsSockets) close() {
	if s.c4 != nil {
		s.c4.Close()
	}
	if s.c6 != nil {
		s.c6.Close()
	}
}

// packet is one datagram with the interface it arrived on.
type packet struct {
	data    []byte
	ifIndex int
	from    *net.UDPAddr
}

// readLoops reads both sockets until they are closed, handing each datagram to fn
// from the reading goroutine. done is called once both loops have ended.
func (s *mdnsSockets) readLoops(fn func(packet), done func()) {
	n := 0
	end := make(chan struct{}, 2)
	if s.c4 != nil {
		n++
		go func() {
			defer func() { end <- struct{}{} }()
			buf := make([]byte, 9000)
			for {
				k, cm, from, err := s.c4.ReadFrom(buf)
				if err != nil {
					return
				}
				if cm == nil {
					continue
				}
				ua, _ := from.(*net.UDPAddr)
				fn(packet{data: buf[:k], ifIndex: cm.IfIndex, from: ua})
			}
		}()
	}
	if s.c6 != nil {
		n++
		go func() {
			defer func() { end <- struct{}{} }()
			buf := make([]byte, 9000)
			for {
				k, cm, from, err := s.c6.ReadFrom(buf)
				if err != nil {
					return
				}
				if cm == nil {
					continue
				}
				ua, _ := from.(*net.UDPAddr)
				fn(packet{data: buf[:k], ifIndex: cm.IfIndex, from: ua})
			}
		}()
	}
	go func() {
		for range n {
			<-end
		}
		done()
	}()
}
