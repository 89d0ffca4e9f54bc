// Package ratelimit keeps one token bucket per client address, for the
// endpoints where each request is expensive (password checks). Its memory is
// bounded: idle buckets expire, and while the table is full newcomers share
// one overflow bucket, so an attacker rotating addresses can neither grow
// the table nor earn a fresh allowance with each new address.
package ratelimit

import (
	"container/list"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Config sets the allowance of each client.
type Config struct {
	// Every is the time one more request is earned; Burst is how many may be
	// spent at once (and the most a client can save up).
	Every time.Duration
	Burst int
	// Idle is how long an unused bucket is kept; after it the client starts
	// afresh. It is at least the time to refill a whole burst (the default),
	// so forgetting a client never gives it more than waiting would.
	Idle time.Duration
	// MaxClients bounds the table. Default 10,000 (a few hundred bytes each).
	MaxClients int
	// Now is the clock, for tests; default time.Now.
	Now func() time.Time
}

// Limiter is a table of per-client token buckets. The zero value is not
// usable; call New.
type Limiter struct {
	cfg Config

	mu       sync.Mutex
	byKey    map[string]*list.Element // of *bucket
	lru      list.List                // front: most recently used
	overflow *rate.Limiter            // shared by newcomers while the table is full
	held     map[*rate.Limiter]int    // requests held (Hold) and not yet done, per bucket
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter for cfg, filling in defaults.
func New(cfg Config) *Limiter {
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	cfg.Idle = max(cfg.Idle, cfg.Every*time.Duration(cfg.Burst))
	if cfg.MaxClients < 1 {
		cfg.MaxClients = 10_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{cfg: cfg, byKey: map[string]*list.Element{}, held: map[*rate.Limiter]int{}, overflow: rate.NewLimiter(rate.Every(cfg.Every), cfg.Burst)}
}

// Allow spends one request of client's allowance. When none is left it
// returns false and how long until the next request would be allowed (for
// Retry-After), and the refusal costs nothing.
func (l *Limiter) Allow(client string) (ok bool, retryAfter time.Duration) {
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	r := l.get(client, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request does not push the next one back
		return false, d
	}
	return true, 0
}

// Hold sets aside one request of client's allowance before the check it
// pays for runs, so that parallel requests cannot all pass a "not yet
// spent" test and be charged afterwards: while held, a request counts as
// spent. ok is false when none is left (nothing is held then). done ends
// the hold: charge true spends the request (a wrong video password),
// false gives it back (a right one costs nothing). Call done exactly once.
func (l *Limiter) Hold(client string) (ok bool, done func(charge bool)) {
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	lim := l.get(client, now)
	if lim.TokensAt(now)-float64(l.held[lim]) < 1 {
		return false, func(bool) {}
	}
	l.held[lim]++
	var once sync.Once
	return true, func(charge bool) {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.held[lim]--; l.held[lim] <= 0 {
				delete(l.held, lim)
			}
			if charge {
				// Always granted: the held request was still in the bucket.
				lim.ReserveN(l.cfg.Now(), 1)
			}
		})
	}
}

// Spent reports whether client's allowance is used up now, without
// spending any: for checks charged only when they fail (a wrong video
// password), which must still be refused, right or wrong, once spent.
func (l *Limiter) Spent(client string) bool {
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	e, ok := l.byKey[client]
	if !ok {
		return len(l.byKey) >= l.cfg.MaxClients && l.overflow.TokensAt(now)-float64(l.held[l.overflow]) < 1
	}
	lim := e.Value.(*bucket).lim
	return lim.TokensAt(now)-float64(l.held[lim]) < 1
}

// Len is the number of clients tracked, for tests and metrics.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byKey)
}

// get returns client's bucket, creating it; while the table is full, a
// newcomer gets the shared overflow bucket. Evicting someone instead would
// hand a fresh burst to every new address an attacker rotates through;
// sharing one bucket slows newcomers during such a flood, and clients the
// table already knows keep their own allowance. Callers hold l.mu.
func (l *Limiter) get(client string, now time.Time) *rate.Limiter {
	if e, ok := l.byKey[client]; ok {
		l.lru.MoveToFront(e)
		b := e.Value.(*bucket)
		b.seen = now
		return b.lim
	}
	if len(l.byKey) >= l.cfg.MaxClients {
		return l.overflow
	}
	b := &bucket{key: client, lim: rate.NewLimiter(rate.Every(l.cfg.Every), l.cfg.Burst), seen: now}
	l.byKey[client] = l.lru.PushFront(b)
	return b.lim
}

// expire drops buckets unused for cfg.Idle. The list is in order of last
// use, so this stops at the first fresh one. Callers hold l.mu.
func (l *Limiter) expire(now time.Time) {
	for e := l.lru.Back(); e != nil; e = l.lru.Back() {
		if now.Sub(e.Value.(*bucket).seen) < l.cfg.Idle {
			return
		}
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.byKey, e.Value.(*bucket).key)
	l.lru.Remove(e)
}

// ClientKey is the key for a client address: the address itself for IPv4,
// and its /64 for IPv6, since one home or one attacker's machine gets a
// whole /64 and could otherwise rotate through 2^64 addresses.
func ClientKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}
