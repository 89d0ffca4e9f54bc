package stun

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

func startServer(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

// bind asks the server for this socket's address, as a browser's ICE
// agent does, with pion's client.
func bind(t *testing.T, c *stun.Client) (stun.XORMappedAddress, error) {
	t.Helper()
	var got stun.XORMappedAddress
	var gotErr error
	err := c.Do(stun.MustBuild(stun.TransactionID, stun.BindingRequest), func(e stun.Event) {
		if e.Error != nil {
			gotErr = e.Error
			return
		}
		if e.Message.Type != stun.BindingSuccess {
			t.Errorf("response type %v", e.Message.Type)
		}
		gotErr = got.GetFrom(e.Message)
		if err := stun.Fingerprint.Check(e.Message); err != nil {
			t.Errorf("fingerprint: %v", err)
		}
	})
	if err != nil {
		return got, err
	}
	return got, gotErr
}

func TestBindingAnswered(t *testing.T) {
	s := startServer(t, Options{})
	conn, err := net.Dial("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())))
	if err != nil {
		t.Fatal(err)
	}
	c, err := stun.NewClient(conn, stun.WithRTO(200*time.Millisecond), stun.WithTimeoutRate(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	own := conn.LocalAddr().(*net.UDPAddr)
	got, err := bind(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IP.Equal(own.IP) || got.Port != own.Port {
		t.Fatalf("mapped %v, want %v", got, own)
	}

	// Garbage, a STUN message that is not a Binding request, and a
	// truncated header are ignored; the server keeps answering.
	raw, err := net.Dial("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	indication := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodBinding, stun.ClassIndication))
	alloc := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodAllocate, stun.ClassRequest))
	lying := append([]byte(nil), stun.MustBuild(stun.TransactionID, stun.BindingRequest).Raw...)
	lying[3] = 200 // a length beyond the datagram
	for _, d := range [][]byte{[]byte("hello"), make([]byte, 1400), indication.Raw, alloc.Raw, lying, lying[:10]} {
		if _, err := raw.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	raw.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := raw.Read(make([]byte, 1500)); err == nil {
		t.Fatalf("answered garbage with %d bytes", n)
	}
	if got, err := bind(t, c); err != nil || got.Port != own.Port {
		t.Fatalf("after garbage: %v %v", got, err)
	}
	// The count follows the response's write: the client may be quicker.
	deadline := time.Now().Add(2 * time.Second)
	for s.Stats().Answered < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := s.Stats(); st.Answered != 2 || st.Ignored != 6 || st.Limited != 0 {
		t.Fatalf("%+v", st)
	}
}

func TestRateLimitedPerSource(t *testing.T) {
	s := startServer(t, Options{PerSource: 1, Burst: 3})
	conn, err := net.Dial("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for range 10 {
		if _, err := conn.Write(stun.MustBuild(stun.TransactionID, stun.BindingRequest).Raw); err != nil {
			t.Fatal(err)
		}
	}
	answers := 0
	buf := make([]byte, 1500)
	for {
		conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := conn.Read(buf); err != nil {
			break
		}
		answers++
	}
	st := s.Stats()
	if answers < 3 || answers > 4 || st.Limited+int64(answers) != 10 {
		t.Fatalf("answered %d, stats %+v", answers, st)
	}
}
