package testrig

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ClientFrom is an HTTP client whose connections leave from ip, one of
// 127/8 (all loopback on Linux): one box then sees a "home" and an
// "outside" visitor, or twenty distinct clients. It follows no redirect.
func ClientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}, MaxIdleConnsPerHost: 256},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Latencies are request durations, in any order.
type Latencies []time.Duration

// Pct is the p-th percentile (100: the maximum); 0 when empty.
func (l Latencies) Pct(p int) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func (l Latencies) String() string {
	return fmt.Sprintf("p50 %v p99 %v max %v (n=%d)", l.Pct(50).Round(10*time.Microsecond),
		l.Pct(99).Round(10*time.Microsecond), l.Pct(100).Round(10*time.Microsecond), len(l))
}

// Load sends total GETs to u from conns workers, each with its own
// keep-alive connection and sending its next request when the last answer
// is read (a closed loop, as browsers behave). Any answer but 200 fails the
// test. It returns every request's duration and the wall time.
func Load(t testing.TB, u string, conns, total int) (Latencies, time.Duration) {
	t.Helper()
	var next, bad atomic.Int64
	var mu sync.Mutex
	var lat Latencies
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		c := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 1},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		wg.Go(func() {
			defer c.CloseIdleConnections()
			var mine Latencies
			for next.Add(1) <= int64(total) {
				t0 := time.Now()
				res, err := c.Get(u)
				if err != nil {
					bad.Add(1)
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusOK {
					bad.Add(1)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("GET %s at %d connections: %d of %d requests failed or did not answer 200", u, conns, n, total)
	}
	return lat, time.Since(start)
}
