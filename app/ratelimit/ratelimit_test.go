package ratelimit

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func TestBurstThenRetryAfter(t *testing.T) {
	c := newClock()
	l := New(Config{Every: 12 * time.Second, Burst: 5, Now: c.now})
	for i := range 5 {
		if ok, _ := l.Allow("10.0.0.1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, after := l.Allow("10.0.0.1")
	if ok || after != 12*time.Second {
		t.Fatalf("6th request: ok %v, retry after %v; want refused, 12s", ok, after)
	}
	// Refusals do not push the next allowance back.
	for range 10 {
		l.Allow("10.0.0.1")
	}
	c.add(5 * time.Second)
	if ok, after := l.Allow("10.0.0.1"); ok || after != 7*time.Second {
		t.Errorf("after 5 s: ok %v, retry after %v; want refused, 7s", ok, after)
	}
	// Another client has its own bucket.
	if ok, _ := l.Allow("10.0.0.2"); !ok {
		t.Error("a second client was refused")
	}
	c.add(7 * time.Second)
	if ok, _ := l.Allow("10.0.0.1"); !ok {
		t.Error("refused once Retry-After had passed")
	}
	if ok, _ := l.Allow("10.0.0.1"); ok {
		t.Error("one refill allowed two requests")
	}
}

// Idle buckets are dropped, and the table never grows past MaxClients even
// when every request comes from a new address.
func TestMemoryIsBounded(t *testing.T) {
	c := newClock()
	l := New(Config{Every: time.Second, Burst: 2, MaxClients: 1000, Now: c.now})
	for i := range 100_000 {
		l.Allow(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		if l.Len() > 1000 {
			t.Fatalf("table grew to %d entries at request %d", l.Len(), i)
		}
	}
	// The most recent client survived the churn: its burst is spent.
	l.Allow("10.1.134.159")
	l.Allow("10.1.134.159")
	if ok, _ := l.Allow("10.1.134.159"); ok {
		t.Error("the most recent client's bucket was evicted")
	}
	c.add(3 * time.Second) // longer than a whole refill: everyone is idle
	l.Allow("192.168.1.1")
	if l.Len() != 1 {
		t.Errorf("%d entries after every bucket went idle, want 1", l.Len())
	}
}

// Idle is never shorter than a full refill: forgetting a client must not
// hand it a fresh burst early.
func TestIdleNotShorterThanRefill(t *testing.T) {
	c := newClock()
	l := New(Config{Every: 10 * time.Second, Burst: 3, Idle: time.Second, Now: c.now})
	for range 3 {
		l.Allow("a")
	}
	c.add(2 * time.Second)
	if ok, _ := l.Allow("a"); ok {
		t.Error("client forgotten after Idle < refill time got a fresh burst")
	}
}

func TestConcurrentUse(t *testing.T) {
	l := New(Config{Every: time.Hour, Burst: 10})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := map[string]int{}
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprintf("c%d", (g+i)%4)
				if ok, _ := l.Allow(key); ok {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for k, n := range allowed {
		if n != 10 {
			t.Errorf("%s allowed %d times, want its burst of 10", k, n)
		}
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.168.1.20":         "192.168.1.20",
		"::ffff:192.168.1.20":  "192.168.1.20",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
	} {
		if got := ClientKey(netip.MustParseAddr(in)); got != want {
			t.Errorf("ClientKey(%s) = %s, want %s", in, got, want)
		}
	}
}

// With the table full, new addresses share one allowance: rotating through
// a /48 of IPv6 /64s buys no fresh bursts, and a client already known keeps
// its own.
func TestRotatingAddressesShareOneAllowance(t *testing.T) {
	c := newClock()
	l := New(Config{Every: 12 * time.Second, Burst: 5, MaxClients: 100, Now: c.now})
	l.Allow("192.0.2.1") // a regular, known before the flood
	allowed := 0
	for i := range 65_536 {
		if ok, _ := l.Allow(ClientKey(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, byte(i >> 8), byte(i)}))); ok {
			allowed++
		}
	}
	// 99 newcomers fill the table with a burst each; the rest share one.
	if want := 99*5 + 5; allowed > want {
		t.Errorf("%d requests allowed from 65,536 rotating /64s, want at most %d", allowed, want)
	}
	if ok, _ := l.Allow("192.0.2.1"); !ok {
		t.Error("the known client lost its own allowance to the flood")
	}
}

// A hold counts as spent while it lasts; done(false) gives it back and
// done(true) spends it.
func TestHold(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	l := New(Config{Every: time.Minute, Burst: 2, Now: c.now})
	ok1, done1 := l.Hold("a")
	ok2, done2 := l.Hold("a")
	if ok3, _ := l.Hold("a"); !ok1 || !ok2 || ok3 {
		t.Fatalf("holds: %v %v %v, want true true false", ok1, ok2, ok3)
	}
	if !l.Spent("a") {
		t.Fatal("two holds of a burst of two: not spent")
	}
	done1(false)
	done1(false) // a second call changes nothing
	done2(true)
	if l.Spent("a") {
		t.Fatal("one refunded hold: spent")
	}
	if ok, done := l.Hold("a"); !ok {
		t.Fatal("the refunded request cannot be held")
	} else {
		done(true)
	}
	if ok, _ := l.Hold("a"); ok || !l.Spent("a") {
		t.Fatal("both requests charged, yet a third is held")
	}
	c.add(time.Minute)
	if ok, _ := l.Hold("a"); !ok {
		t.Fatal("a minute later no request is earned")
	}
}
